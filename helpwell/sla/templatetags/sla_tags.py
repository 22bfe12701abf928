from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone

from helpwell.sla.models import DelayNotice

register = template.Library()


@register.simple_tag
def active_delay_notices() -> list[DelayNotice]:
    """The open notices for the portal banner: one small indexed query per page."""
    return list(DelayNotice.objects.filter(is_active=True).order_by("-created_at")[:3])


@register.filter
def local_words(moment: datetime | None, zone: Any) -> str:
    """'Thursday 3 December at 13:00 (Europe/Berlin time)' in the reader's zone (the site's without one).

    Formatted here rather than with |date, which would turn the moment back into the site's zone."""
    from helpwell.lib.timefmt import local_time_phrase

    if moment is None:
        return ""
    return local_time_phrase(moment, zone or timezone.get_current_timezone())


@register.simple_tag
def ticket_sla(ticket: Any) -> dict[str, Any]:
    """The ticket's clocks in words, for the agent's ticket page (two small queries; one without clocks)."""
    from helpwell.sla.models import Clock, Escalation
    from helpwell.tickets.queue import duration_text

    now = timezone.now()
    rows = []
    order = {k: i for i, k in enumerate(Clock.Kind.values)}
    for clock in sorted(ticket.sla_clocks.all(), key=lambda c: order[c.kind]):
        if clock.state == "running" and clock.due_at:
            left = (clock.due_at - now).total_seconds()
            if left < 0:
                state, text = "overdue", f"{duration_text(-left)} overdue"
            else:
                state, text = ("soon" if left <= 3600 else "ok"), f"due in {duration_text(left)}"
        elif clock.state == "paused":
            state, text = "paused", "paused while waiting"
        else:
            state, text = ("overdue", "missed") if clock.breached_at else ("ok", "met")
        rows.append({"clock": clock, "state": state, "text": text})
    if not rows:  # the panel shows nothing without a clock, its escalations included
        return {"rows": rows, "escalations": [], "policy": ""}
    escalations = list(Escalation.objects.filter(ticket=ticket).order_by("-created_at")[:5])
    policy = rows[0]["clock"].policy_name
    return {"rows": rows, "escalations": escalations, "policy": policy}


@register.simple_tag
def customer_escalation(ticket: Any) -> dict[str, Any]:
    """Whether the customer may escalate now, and the last escalation's next step, for the portal."""
    from helpwell.sla.escalations import escalation_offer
    from helpwell.sla.models import Escalation

    last = Escalation.objects.filter(ticket=ticket, source=Escalation.Source.CUSTOMER).first()
    return {"offer": escalation_offer(ticket), "last": last}


@register.simple_tag
def public_service_levels() -> dict[str, Any]:
    """Each priority's general targets (policies with no other condition) and every team's hours."""
    from helpwell.sla.models import BusinessCalendar, SlaPolicy
    from helpwell.tickets.models import Priority

    general: dict[int | None, SlaPolicy] = {}
    for policy in SlaPolicy.objects.filter(
        is_active=True, organisation_tier="", category__isnull=True, channel=""
    ).order_by("position", "pk"):
        general.setdefault(policy.priority_id, policy)
    rows = []
    for priority in Priority.objects.all():
        found = general.get(priority.pk) or general.get(None)
        if found is None:
            rows.append(
                {
                    "priority": priority,
                    "first": priority.target_label,
                    "next": "",
                    "resolution": "",
                    "business": False,
                }
            )
            continue
        rows.append({
            "priority": priority,
            "first": _words(found.first_response_minutes, found.business_hours),
            "next": _words(found.next_response_minutes, found.business_hours),
            "resolution": _words(found.resolution_minutes, found.business_hours),
            "business": found.business_hours,
        })  # fmt: skip
    today = timezone.now().date()
    calendars = []
    for calendar in BusinessCalendar.objects.select_related("team").prefetch_related("closures"):
        days = calendar.closed_days(range(today.year, today.year + 2))
        upcoming = [
            (d, n)
            for d, n in sorted(days.items())
            if 0 <= (d - today).days <= 60 and calendar.hours_for(d.weekday())
        ]
        calendars.append({"calendar": calendar, "closed": upcoming[:4]})
    return {"rows": rows, "calendars": calendars}


def _words(minutes: int | None, business_hours: bool) -> str:
    from helpwell.sla.promise import duration_words

    return duration_words(minutes, business_hours) if minutes else "—"


@register.filter
def first_reply_target(priority: Any) -> str:
    from helpwell.sla.promise import first_reply_target as target

    return target(priority)


@register.filter
def minutes_words(minutes: int | None) -> str:
    """240 -> '4 hours', 90 -> '90 minutes', None -> '—'."""
    return _words(minutes, False)
