"""Escalation asked for by the customer: who looks next, by when, and whether it may be asked now."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from helpwell.lib.business_hours import business_time_between
from helpwell.people.models import Customer
from helpwell.tickets.models import Status, Ticket, TicketEvent

from .breaches import carry_out, names, people_for
from .clocks import Lookup, _start, sync_ticket
from .models import Clock, Escalation, EscalationLevel

# A customer may ask once in this long per request; the form is also rate-limited per address.
ONE_REQUEST_PER = timedelta(hours=12)


@dataclass
class Offer:
    allowed: bool
    why: str = ""  # why it is offered ("no solution after 24 business hours") or why not
    level: EscalationLevel | None = None


def _levels(ticket: Ticket, lookup: Lookup) -> list[EscalationLevel]:
    policy = lookup.policy_for(ticket)
    return sorted(lookup.levels_for(policy.escalation_path_id), key=lambda lv: (lv.position, lv.pk))


def next_level(ticket: Ticket, lookup: Lookup | None = None) -> EscalationLevel | None:
    """The level after the highest one this ticket has reached (the top one stays the top one).

    A customer asks to go above the person handling the request, so levels aimed at the assignee
    (the early warnings) are skipped.
    """
    levels = [
        lv for lv in _levels(ticket, lookup or Lookup()) if lv.target != EscalationLevel.Target.ASSIGNEE
    ]
    if not levels:
        return None
    reached = set(Escalation.objects.filter(ticket=ticket).values_list("level_id", flat=True))
    highest = max((lv.position for lv in levels if lv.pk in reached), default=0)
    return next((lv for lv in levels if lv.position > highest), levels[-1])


def escalation_offer(ticket: Ticket, now: datetime | None = None) -> Offer:
    now, lookup = now or timezone.now(), Lookup()
    if ticket.status == Status.CLOSED:
        return Offer(False, "This request is closed.")
    level = next_level(ticket, lookup)
    if level is None:
        return Offer(False, "")
    recent = Escalation.objects.filter(
        ticket=ticket, source=Escalation.Source.CUSTOMER, created_at__gt=now - ONE_REQUEST_PER
    ).first()
    if recent is not None:
        return Offer(False, "You escalated this request recently; the next step is below.")
    unhelpful = TicketEvent.objects.filter(
        ticket=ticket,
        kind=TicketEvent.Kind.STATUS,
        actor_customer__isnull=False,
        old_value=Status.SOLVED.label,
    ).exists() or _rated_low(ticket)
    if unhelpful:
        return Offer(True, "Our answer did not solve it.", level)
    policy = lookup.policy_for(ticket)
    after = timedelta(minutes=policy.escalation_path.customer_escalation_after_minutes)  # type: ignore[union-attr]
    if ticket.is_open:
        waited = business_time_between(lookup.calendar(ticket, policy.business_hours), ticket.created_at, now)
        if waited >= after:
            return Offer(True, "It has taken longer than it should.", level)
    return Offer(False, "")


def _rated_low(ticket: Ticket) -> bool:
    from helpwell.feedback.models import Rating

    return Rating.objects.filter(ticket=ticket, score__lte=2).exists()


def next_step_words(ticket: Ticket, level: EscalationLevel) -> str:
    people = people_for(level, ticket)
    if level.action == EscalationLevel.Action.REASSIGN and level.target == EscalationLevel.Target.TEAM:
        who = f"the {level.team.name} team" if level.team else level.who_label
    else:
        who = (
            names(people[:1] if level.action == EscalationLevel.Action.REASSIGN else people)
            or level.who_label
        )
    return f"{who} ({level.name})"


@transaction.atomic
def do_customer_escalate(
    ticket: Ticket, *, customer: Customer, reason: str, now: datetime | None = None
) -> Escalation:
    """Route the request to the next level of its path; the next-response clock restarts for that level."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ValidationError("Tell us in a few words why, so the right person can help.")
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("priority", "team", "customer")
        .get(pk=ticket.pk)
    )
    offer = escalation_offer(ticket, now)
    if not offer.allowed or offer.level is None:
        raise ValidationError(offer.why or "This request cannot be escalated right now.")
    level = offer.level
    who = next_step_words(ticket, level)
    if ticket.status in (Status.SOLVED, Status.PENDING, Status.ON_HOLD):
        from helpwell.tickets.actions import do_change_status

        do_change_status(ticket, Status.OPEN, customer=customer, notify=False)
    escalation = carry_out(
        ticket, level, now=now, source=Escalation.Source.CUSTOMER, customer=customer, reason=reason[:2000]
    )
    lookup = Lookup()
    clock = Clock.objects.filter(
        ticket=ticket, kind=Clock.Kind.FIRST_RESPONSE, stopped_at__isnull=True
    ).first()
    if clock is None or clock.due_at is None or clock.due_at <= now:
        # Answered before, or the first answer is already late: the new level owes a reply, from now.
        clock = _start(ticket, Clock.Kind.NEXT_RESPONSE, now, lookup, fresh=True)
    if clock is None:
        clock = Clock.objects.filter(
            ticket=ticket, kind=Clock.Kind.RESOLUTION, running_since__isnull=False
        ).first()
    sync_ticket(ticket, lookup)
    escalation.respond_by = clock.due_at if clock else None
    escalation.next_step = f"{who} will look at your request"[:300]
    escalation.save(update_fields=["respond_by", "next_step"])
    return escalation


def escalation_reasons(since: datetime) -> list[Any]:
    """Customer escalations since `since`, newest first, for the lead's report."""
    return list(
        Escalation.objects.filter(source=Escalation.Source.CUSTOMER, created_at__gte=since)
        .select_related("ticket__team", "ticket__priority", "customer")
        .order_by("-created_at")[:200]
    )


def respond_by_if_escalated(
    ticket: Ticket, level: EscalationLevel, now: datetime | None = None
) -> datetime | None:
    """When the next level would owe the customer a reply if they escalated now (shown before they do)."""
    from helpwell.lib.business_hours import add_business_time

    now, lookup = now or timezone.now(), Lookup()
    first = Clock.objects.filter(
        ticket=ticket, kind=Clock.Kind.FIRST_RESPONSE, stopped_at__isnull=True
    ).first()
    if first is not None and first.running_since is not None and first.due_at and first.due_at > now:
        return first.due_at
    policy = lookup.policy_for(ticket)
    minutes = policy.next_response_minutes or policy.first_response_minutes
    if not minutes:
        return None
    team_id = ticket.team_id
    if level.action == EscalationLevel.Action.REASSIGN and level.target == EscalationLevel.Target.TEAM:
        team_id = level.team_id or team_id
    found = lookup.business_calendar(team_id) if policy.business_hours else None
    calendar = found.as_calendar(now) if found is not None else Lookup().calendar(ticket, False)
    return add_business_time(calendar, now, timedelta(minutes=minutes))
