import functools
import zoneinfo
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import dates, translation


@functools.cache
def known_time_zones() -> frozenset[str]:
    """Every IANA zone name on this machine.

    zoneinfo.available_timezones() walks the tz database on disk each call (about 10 ms), and the
    zone list cannot change while the process runs, so it is read once.
    """
    return frozenset(zoneinfo.available_timezones())


def is_time_zone(name: str) -> bool:
    return name in known_time_zones()


def local_time_phrase(moment: datetime, zone: ZoneInfo | str) -> str:
    """'Tuesday 24 November at 10:00 (Europe/Berlin time)': concrete and in the reader's own zone."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    local = moment.astimezone(tz)
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M} ({tz.key} time)"


# What quick_date_format writes for each format character; any other letter is refused.
_QUICK_SPECIFIERS = frozenset("DjMYHi")


@functools.lru_cache(maxsize=64)
def _checked_format(fmt: str) -> str:
    for char in fmt:
        if char == "\\" or (char.isalpha() and char not in _QUICK_SPECIFIERS):
            raise ValueError(
                f"quick_date_format knows only {''.join(sorted(_QUICK_SPECIFIERS))}, not {char!r}"
            )
    return fmt


@functools.lru_cache(maxsize=32)
def _calendar_names(language: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The abbreviated weekday and month names that Django's `D` and `M` give in `language`."""
    with translation.override(language):
        weekdays = tuple(str(dates.WEEKDAYS_ABBR[day]) for day in range(7))
        months = tuple(str(dates.MONTHS_3[month]).title() for month in range(1, 13))
    return weekdays, months


def quick_date_format(local: datetime, fmt: str) -> str:
    """What `django.utils.formats.date_format(local, fmt)` writes, for a format made of `D j M Y H i`
    and punctuation, in a twentieth of the time (Django parses the format and looks up its
    translated names on every call: about 60 µs, and the workspace's lists write a date or two a
    row). `local` is already in the zone to show."""
    weekdays, months = _calendar_names(translation.get_language() or settings.LANGUAGE_CODE)
    out = []
    for char in _checked_format(fmt):
        if char == "D":
            out.append(weekdays[local.weekday()])
        elif char == "j":
            out.append(str(local.day))
        elif char == "M":
            out.append(months[local.month - 1])
        elif char == "Y":
            out.append(f"{local.year:04d}")
        elif char == "H":
            out.append(f"{local.hour:02d}")
        elif char == "i":
            out.append(f"{local.minute:02d}")
        else:
            out.append(char)
    return "".join(out)
