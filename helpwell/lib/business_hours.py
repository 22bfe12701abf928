"""Business-time arithmetic: when a promise falls due if the clock only runs while the team is open.

A `Calendar` is weekly opening hours in a named time zone, minus holidays and the team's own closures
(whole local dates), or "24/7". Everything is computed on real instants (aware datetimes): local
opening times are turned into UTC intervals day by day, so days of 23 or 25 hours at daylight-saving
changes count exactly what the wall clock shows.

    add_business_time(calendar, start, duration)  -> the instant `duration` of open time after `start`
    business_time_between(calendar, start, end)   -> how much open time lies between two instants

No Django here; the SLA domain builds calendars from what a lead edits.
"""

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Longer than any closure a team could plan: this many shut days in a row means the calendar is broken.
MAX_SHUT_DAYS = 3 * 366

Hours = Sequence[tuple[time, time]]


@dataclass(frozen=True)
class Calendar:
    """Opening hours per weekday (0 = Monday), each a list of (opens, closes) local times.

    `closes` of time(0) means midnight at the end of the day; a range past midnight is written as two
    (22:00-00:00 and 00:00-02:00 the next day). Holidays and closures are local dates on which the team
    is shut all day.
    """

    zone: ZoneInfo
    weekly: Mapping[int, Hours] = field(default_factory=dict)
    closed_dates: Collection[date] = frozenset()
    always_open: bool = False

    @classmethod
    def around_the_clock(cls, zone: str = "UTC") -> "Calendar":
        return cls(zone=ZoneInfo(zone), always_open=True)

    @classmethod
    def office_hours(
        cls, zone: str, opens: time = time(9), closes: time = time(17), days: Sequence[int] = range(5),
        closed_dates: Collection[date] = frozenset(),
    ) -> "Calendar":  # fmt: skip
        return cls(
            zone=ZoneInfo(zone),
            weekly={d: [(opens, closes)] for d in days},
            closed_dates=frozenset(closed_dates),
        )

    def has_open_time(self) -> bool:
        return self.always_open or any(
            _local_span(opens, closes) > timedelta(0)
            for hours in self.weekly.values()
            for opens, closes in hours
        )

    def intervals_from(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals in UTC, in order, from the local day that holds `start` onwards."""
        if not self.has_open_time():
            raise ValueError("This calendar is never open.")
        day = start.astimezone(self.zone).date()
        shut_days = 0
        while shut_days < MAX_SHUT_DAYS:
            opened = False
            if day not in self.closed_dates:
                if self.always_open:
                    opened = True
                    yield (
                        _instant(day, time(0), self.zone),
                        _instant(day + timedelta(days=1), time(0), self.zone),
                    )
                else:
                    for interval in self._day_intervals(day):
                        opened = True
                        yield interval
            shut_days = 0 if opened else shut_days + 1
            day += timedelta(days=1)
        raise ValueError(f"Closed for {MAX_SHUT_DAYS} days in a row: no open time to count.")

    def _day_intervals(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """One day's opening hours as UTC intervals, overlapping ranges merged so nothing counts twice."""
        spans = []
        for opens, closes in self.weekly.get(day.weekday(), ()):
            end_day = day + timedelta(days=1) if closes == time(0) else day
            begin, end = _instant(day, opens, self.zone), _instant(end_day, closes, self.zone)
            if end > begin:
                spans.append((begin, end))
        spans.sort()
        merged: list[tuple[datetime, datetime]] = []
        for begin, end in spans:
            if merged and begin <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((begin, end))
        yield from merged


def _local_span(opens: time, closes: time) -> timedelta:
    end = 24 * 60 if closes == time(0) else closes.hour * 60 + closes.minute
    return timedelta(minutes=end - (opens.hour * 60 + opens.minute))


def _instant(day: date, moment: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time; a time skipped by a DST jump maps to just after it."""
    local = datetime.combine(day, moment, tzinfo=zone)
    return local.astimezone(UTC).astimezone(zone).astimezone(UTC)


def add_business_time(calendar: Calendar, start: datetime, duration: timedelta) -> datetime:
    """The instant at which `duration` of open time has passed since `start`."""
    if start.tzinfo is None:
        raise ValueError("start must be an aware datetime")
    if duration < timedelta(0):
        raise ValueError("duration must not be negative")
    if duration == timedelta(0):
        return start
    remaining = duration
    for begin, end in calendar.intervals_from(start):
        if end <= start:
            continue
        begin = max(begin, start)
        if remaining <= end - begin:
            return begin + remaining
        remaining -= end - begin
    raise AssertionError("unreachable: intervals_from raises first")  # pragma: no cover


def business_time_between(calendar: Calendar, start: datetime, end: datetime) -> timedelta:
    """Open time between two instants (zero if end is not after start)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be aware datetimes")
    total = timedelta(0)
    if end <= start:
        return total
    for begin, close in calendar.intervals_from(start):
        if begin >= end:
            break
        overlap = min(close, end) - max(begin, start)
        if overlap > timedelta(0):
            total += overlap
    return total
