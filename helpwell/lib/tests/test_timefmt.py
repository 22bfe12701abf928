"""quick_date_format writes what Django's date_format writes, for the formats the lists use."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase
from django.utils import translation
from django.utils.formats import date_format

from helpwell.lib.timefmt import quick_date_format

FORMATS = ["D j M Y, H:i", "D j M, H:i", "D j M", "j M Y", "j M, H:i", "H:i", "Y"]


class QuickDateFormatTest(SimpleTestCase):
    def test_it_matches_django_for_every_day_of_a_leap_year_in_several_languages_and_zones(self):
        start = datetime(2024, 1, 1, 0, 7, tzinfo=UTC)
        moments = [start + timedelta(days=d, minutes=97 * d) for d in range(366)]
        moments += [datetime(9, 3, 4, 5, 6, tzinfo=UTC)]  # a year of one digit: padded to four
        for language in ["en", "de", "fr", "es"]:
            for zone in ["UTC", "Asia/Kolkata", "America/St_Johns"]:
                with translation.override(language), self.subTest(language=language, zone=zone):
                    for moment in moments:
                        local = moment.astimezone(ZoneInfo(zone)) if moment.year > 1000 else moment
                        for fmt in FORMATS:
                            self.assertEqual(quick_date_format(local, fmt), date_format(local, fmt))

    def test_it_writes_translated_names(self):
        moment = datetime(2026, 3, 2, 9, 5, tzinfo=UTC)
        self.assertEqual(quick_date_format(moment, "D j M Y, H:i"), "Mon 2 Mar 2026, 09:05")
        with translation.override("de"):
            self.assertEqual(quick_date_format(moment, "D j M Y, H:i"), "Mo 2 Mär 2026, 09:05")

    def test_a_format_character_it_does_not_know_is_refused_not_written_wrong(self):
        moment = datetime(2026, 3, 2, 9, 5, tzinfo=UTC)
        for fmt in ["N j, Y", "c", "D j M \\a\\t H:i", "l"]:
            with self.subTest(fmt=fmt), self.assertRaises(ValueError):
                quick_date_format(moment, fmt)
