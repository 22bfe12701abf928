"""What we tell a customer about when they will hear from us, in their own time zone."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from helpwell.tickets.models import Ticket

from .clocks import Lookup
from .models import BusinessCalendar, Clock


def local_phrase(moment: datetime, zone: ZoneInfo, now: datetime) -> str:
    """'Tuesday 10:00' within the coming week, else 'Tuesday 12 January, 10:00'; always the reader's zone."""
    local, today = moment.astimezone(zone), now.astimezone(zone).date()
    # Weekday names, never "today": a mail is often read a day later.
    soon = local.date() - today < timedelta(days=6)
    day = f"{local:%A}" if soon else f"{local:%A} {local.day} {local:%B}"
    return f"{day} {local:%H:%M}"


def duration_words(minutes: int, business_hours: bool) -> str:
    if minutes % (24 * 60) == 0 and not business_hours:
        days = minutes // (24 * 60)
        text = f"{days} day" + ("s" if days != 1 else "")
    elif minutes % 60 == 0:
        hours = minutes // 60
        text = f"{hours} hour" + ("s" if hours != 1 else "")
    else:
        text = f"{minutes} minutes"
    return text.replace("hour", "business hour") if business_hours else text


@dataclass
class Promise:
    due: datetime | None
    phrase: str = ""  # "Tuesday 10:00 your time (Europe/Berlin)"
    target: str = ""  # "4 business hours"
    closed_now: str = ""  # "We are closed right now and open again Monday 09:00 your time."
    closures: list[str] = field(
        default_factory=list
    )  # "We are closed for Christmas Day on Friday 25 December."


def first_response_promise(ticket: Ticket, zone: ZoneInfo, now: datetime | None = None) -> Promise:
    now = now or timezone.now()
    clock = Clock.objects.filter(ticket=ticket, kind=Clock.Kind.FIRST_RESPONSE).first()
    due = ticket.first_response_due
    if due is None:
        return Promise(due=None)
    promise = Promise(due=due, phrase=f"{local_phrase(due, zone, now)} your time ({zone.key})")
    if clock is None:
        return promise
    promise.target = duration_words(clock.target_minutes, clock.business_hours)
    if not clock.business_hours:
        return promise
    found = Lookup().business_calendar(ticket.team_id)
    if found is None or found.always_open:
        return promise
    promise.closed_now, promise.closures = closed_words(found, zone, now, due)
    return promise


def closed_words(
    found: BusinessCalendar, zone: ZoneInfo, now: datetime, until: datetime
) -> tuple[str, list[str]]:
    calendar = found.as_calendar(now)
    closed_now = ""
    for begin, end in calendar.intervals_from(now):
        if end <= now:
            continue
        if begin > now:
            closed_now = f"We are closed right now and open again {local_phrase(begin, zone, now)} your time."
        break
    team_zone = found.zone
    first, last = now.astimezone(team_zone).date(), until.astimezone(team_zone).date()
    days = found.closed_days(range(first.year, last.year + 1))
    closures = [
        f"We are closed for {name} on {day:%A} {day.day} {day:%B}."
        for day, name in sorted(days.items())
        if first <= day <= last and found.hours_for(day.weekday())
    ]
    return closed_now, closures


def first_reply_target(priority: Any) -> str:
    """The first-reply target customers are promised for a priority: its general policy, else its own."""
    from .models import SlaPolicy

    policy = (
        SlaPolicy.objects.filter(
            is_active=True, priority=priority, organisation_tier="", category__isnull=True, channel=""
        )
        .exclude(first_response_minutes=None)
        .order_by("position", "pk")
        .first()
    )
    if policy is None or not policy.first_response_minutes:
        return str(priority.target_label)
    return duration_words(policy.first_response_minutes, policy.business_hours)
