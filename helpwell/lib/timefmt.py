import functools
import zoneinfo
from datetime import datetime
from zoneinfo import ZoneInfo


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
