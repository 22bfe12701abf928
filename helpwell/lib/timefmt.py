from datetime import datetime
from zoneinfo import ZoneInfo


def local_time_phrase(moment: datetime, zone: ZoneInfo | str) -> str:
    """'Tuesday 24 November at 10:00 (Europe/Berlin time)': concrete and in the reader's own zone."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    local = moment.astimezone(tz)
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M} ({tz.key} time)"
