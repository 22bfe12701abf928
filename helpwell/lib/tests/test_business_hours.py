from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from helpwell.lib.business_hours import Calendar, add_business_time, business_time_between

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def at(zone: ZoneInfo, year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=zone)


class AddBusinessTimeTests(SimpleTestCase):
    office = Calendar.office_hours("Europe/Berlin")

    def test_it_skips_the_weekend(self):
        friday_four_pm = at(BERLIN, 2026, 11, 27, 16)
        due = add_business_time(self.office, friday_four_pm, timedelta(hours=4))
        self.assertEqual(due, at(BERLIN, 2026, 11, 30, 12))  # Monday noon

    def test_a_request_at_night_starts_counting_when_the_team_opens(self):
        due = add_business_time(self.office, at(BERLIN, 2026, 11, 24, 23), timedelta(hours=1))
        self.assertEqual(due, at(BERLIN, 2026, 11, 25, 10))

    def test_it_skips_public_holidays_and_the_teams_own_closures(self):
        christmas = Calendar.office_hours(
            "Europe/Berlin", closed_dates={date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 28)}
        )
        due = add_business_time(christmas, at(BERLIN, 2026, 12, 23, 16), timedelta(hours=2))
        self.assertEqual(due, at(BERLIN, 2026, 12, 29, 10))

    def test_a_spring_forward_day_counts_the_hours_the_clock_shows(self):
        around = Calendar.around_the_clock("Europe/Berlin")
        # 29 March 2026 has 23 hours in Berlin: midnight to midnight is 23 hours of real time.
        start = at(BERLIN, 2026, 3, 29, 0)
        self.assertEqual(
            business_time_between(around, start, at(BERLIN, 2026, 3, 30, 0)), timedelta(hours=23)
        )
        self.assertEqual(add_business_time(around, start, timedelta(hours=24)), at(BERLIN, 2026, 3, 30, 1))

    def test_a_fall_back_day_counts_twenty_five_hours(self):
        around = Calendar.around_the_clock("America/New_York")
        start = at(NEW_YORK, 2026, 11, 1, 0)
        self.assertEqual(
            business_time_between(around, start, at(NEW_YORK, 2026, 11, 2, 0)), timedelta(hours=25)
        )

    def test_office_hours_keep_their_wall_clock_across_the_change(self):
        # Friday before the switch to summer time, 16:00; two hours later is Monday 10:00 local, summer time.
        due = add_business_time(self.office, at(BERLIN, 2026, 3, 27, 16), timedelta(hours=2))
        self.assertEqual(due, at(BERLIN, 2026, 3, 30, 10))
        self.assertEqual(due.astimezone(UTC).hour, 8)

    def test_a_customer_in_another_zone_gets_the_teams_hours(self):
        # 08:00 in New York is 14:00 in Berlin: three hours left today, one more tomorrow morning.
        due = add_business_time(self.office, at(NEW_YORK, 2026, 11, 24, 8), timedelta(hours=4))
        self.assertEqual(due, at(BERLIN, 2026, 11, 25, 10))
        self.assertEqual(due.astimezone(NEW_YORK), at(NEW_YORK, 2026, 11, 25, 4))

    def test_overlapping_ranges_are_not_counted_twice(self):
        calendar = Calendar(zone=BERLIN, weekly={0: [(time(9), time(12)), (time(11), time(14))]})
        monday = at(BERLIN, 2026, 11, 23, 0)
        self.assertEqual(
            business_time_between(calendar, monday, monday + timedelta(days=1)), timedelta(hours=5)
        )

    def test_a_calendar_that_never_opens_says_so(self):
        with self.assertRaisesMessage(ValueError, "never open"):
            add_business_time(Calendar(zone=BERLIN), at(BERLIN, 2026, 11, 23, 9), timedelta(hours=1))


weekly_hours = st.dictionaries(
    st.integers(0, 6),
    st.lists(
        st.tuples(st.integers(0, 23), st.integers(1, 24))
        .filter(lambda r: r[0] < r[1])
        .map(lambda r: (time(r[0]), time(0) if r[1] == 24 else time(r[1]))),
        min_size=1,
        max_size=3,
    ),
    min_size=1,
)
calendars = st.builds(
    Calendar,
    zone=st.sampled_from([ZoneInfo(z) for z in ("UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata")]),
    weekly=weekly_hours,
    closed_dates=st.frozensets(st.dates(date(2026, 1, 1), date(2027, 12, 31)), max_size=20),
)  # fmt: skip
instants = st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31)).map(lambda d: d.replace(tzinfo=UTC))
durations = st.integers(0, 200 * 60).map(lambda m: timedelta(minutes=m))


class BusinessTimePropertyTests(SimpleTestCase):
    @settings(max_examples=300, deadline=None)
    @given(calendar=calendars, start=instants, duration=durations)
    def test_adding_then_measuring_gives_back_the_duration(self, calendar, start, duration):
        due = add_business_time(calendar, start, duration)
        self.assertGreaterEqual(due, start)
        self.assertEqual(business_time_between(calendar, start, due), duration)

    @settings(max_examples=300, deadline=None)
    @given(calendar=calendars, start=instants, end=instants)
    def test_measuring_then_adding_never_passes_the_end(self, calendar, start, end):
        elapsed = business_time_between(calendar, start, end)
        if end > start:
            self.assertLessEqual(add_business_time(calendar, start, elapsed), end)
        else:
            self.assertEqual(elapsed, timedelta(0))


class LongDurationTests(SimpleTestCase):
    def test_one_open_hour_a_week_still_reaches_a_long_target(self):
        weekly = Calendar(zone=ZoneInfo("UTC"), weekly={0: [(time(0), time(1))]})
        start = at(ZoneInfo("UTC"), 2026, 1, 5)  # a Monday
        due = add_business_time(weekly, start, timedelta(hours=156))
        self.assertEqual(due, start + timedelta(weeks=155, hours=1))

    def test_a_calendar_closed_for_years_says_so(self):
        start = date(2026, 1, 1)
        closed = {start + timedelta(days=n) for n in range(4 * 366)}
        calendar = Calendar.office_hours("Europe/Berlin", closed_dates=closed)
        with self.assertRaisesMessage(ValueError, "Closed for"):
            add_business_time(calendar, at(BERLIN, 2026, 1, 1, 9), timedelta(hours=1))
