"""Breaches and escalations: what the sweep records when a clock reaches one of its points."""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from helpwell.mail.outbox import queue_mail
from helpwell.people.models import Agent, Role
from helpwell.tickets.models import Channel, Ticket, TicketEvent

from .clocks import Lookup, pending_points, sync_ticket
from .models import Breach, Clock, Escalation, EscalationLevel

log = logging.getLogger(__name__)

# A claimed ticket the sweep has not finished within this long (the worker died) is looked at again.
LEASE = timedelta(minutes=5)


def target_words(minutes: int, business_hours: bool) -> str:
    from helpwell.tickets.queue import duration_text

    return duration_text(minutes * 60) + (" of business time" if business_hours else "")


def record_breach(ticket: Ticket, clock: Clock, now: datetime) -> Breach:
    """Record a broken promise with the policy and target in force; the caller saves the clock."""
    clock.breached_at = now
    assert clock.due_at is not None or clock.stopped_at is not None
    breach = Breach.objects.create(
        ticket=ticket,
        kind=clock.kind,
        policy_name=clock.policy_name,
        target_minutes=clock.target_minutes,
        business_hours=clock.business_hours,
        due_at=clock.due_at or now,
        recorded_at=now,
        team_id=ticket.team_id,
        assignee_id=ticket.assignee_id,
    )
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.SLA_BREACHED,
        channel=Channel.WEB,
        old_value=f"{clock.get_kind_display()} target {target_words(clock.target_minutes, clock.business_hours)}",
        new_value=f"{clock.policy_name}"[:200],
        created_at=now,
    )
    return breach


# --- escalation levels -----------------------------------------------------------------------------------


def people_for(level: EscalationLevel, ticket: Ticket) -> list[User]:
    """Who a level reaches on this ticket."""
    if level.target == EscalationLevel.Target.AGENT:
        return [level.agent] if level.agent else []
    if level.target == EscalationLevel.Target.TEAM and level.team_id:
        return [a.user for a in Agent.objects.filter(teams=level.team_id).select_related("user")]
    if level.target == EscalationLevel.Target.ASSIGNEE and ticket.assignee_id:
        return [ticket.assignee]  # type: ignore[list-item]
    leads = Agent.objects.filter(teams=ticket.team_id, role=Role.LEAD).select_related("user")
    return [a.user for a in leads]


def names(users: list[User]) -> str:
    labels = [getattr(getattr(u, "agent", None), "display_name", "") or u.get_username() for u in users]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def carry_out(
    ticket: Ticket,
    level: EscalationLevel,
    *,
    now: datetime,
    clock: Clock | None = None,
    source: str = Escalation.Source.CLOCK,
    customer: Any = None,
    reason: str = "",
    next_step: str = "",
    respond_by: datetime | None = None,
) -> Escalation:
    """Notify or reassign as the level says, and record it on the ticket."""
    from helpwell.tickets.actions import do_assign_ticket, do_change_team

    people = people_for(level, ticket)
    if level.action == EscalationLevel.Action.REASSIGN:
        if level.target == EscalationLevel.Target.TEAM and level.team_id and level.team_id != ticket.team_id:
            do_change_team(ticket, level.team, actor=None)  # type: ignore[arg-type]
            do_assign_ticket(ticket, None, actor=None)
        elif level.target in (EscalationLevel.Target.AGENT, EscalationLevel.Target.TEAM_LEADS) and people:
            do_assign_ticket(ticket, people[0], actor=None)
            people = people[1:]  # the new assignee already hears of it as an assignment
    escalation = Escalation.objects.create(
        ticket=ticket,
        level=level,
        level_name=level.name,
        clock_kind=clock.kind if clock else "",
        source=source,
        customer=customer,
        reason=reason,
        next_step=next_step,
        respond_by=respond_by,
        created_at=now,
    )
    if source == Escalation.Source.CUSTOMER:
        why = "the customer asked to escalate"
    elif source == Escalation.Source.AGENT:
        why = "escalated by an agent"
    else:
        why = f"{clock.get_kind_display()} {level.when_label}" if clock else level.when_label
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.ESCALATED,
        actor_customer=customer,
        channel=Channel.WEB,
        old_value=why[:200],
        new_value=f"{level.name}: {level.get_action_display().lower()} {level.who_label}"[:200],
        created_at=now,
    )
    url = settings.SITE_URL + reverse("tickets-detail", args=[ticket.reference])
    for person in people:
        if not person.email:
            continue
        queue_mail(
            kind="sla-alert",
            to=person.email,
            template="sla_alert",
            context={
                "ticket": ticket,
                "level": level,
                "why": why,
                "reason": reason,
                "clock": clock,
                "due": clock.due_at if clock else respond_by,
                "url": url,
            },
            ticket=ticket,
            headers={"Auto-Submitted": "auto-generated", "X-Helpwell-Ticket": ticket.reference},
        )
    return escalation


# --- the sweep -----------------------------------------------------------------------------------------


def sweep_due(now: datetime | None = None, limit: int = 1000) -> int:
    """Find what is due (one index range on sla_check_at) and record it; returns tickets handled.

    Each ticket is claimed with a conditional UPDATE on the value we read, so two workers sweeping
    at once never both record the same breach: the second one's UPDATE matches no row.
    """
    now = now or timezone.now()
    due = list(
        Ticket.objects.filter(sla_check_at__lte=now)
        .order_by("sla_check_at")
        .values_list("pk", "sla_check_at")[:limit]
    )
    handled = 0
    for pk, check_at in due:
        if not Ticket.objects.filter(pk=pk, sla_check_at=check_at).update(sla_check_at=now + LEASE):
            continue
        try:
            process_ticket(pk, now)
        except Exception:  # one bad ticket must not stop the sweep; the lease brings it back later
            log.exception("SLA sweep failed on ticket %s", pk)
            continue
        handled += 1
    return handled


@transaction.atomic
def process_ticket(pk: int, now: datetime) -> None:
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("priority", "team", "customer__organisation", "assignee")
        .get(pk=pk)
    )
    lookup = Lookup()
    levels = lookup.levels_for(lookup.policy_for(ticket).escalation_path_id)
    for clock in Clock.objects.filter(ticket=ticket, running_since__isnull=False).order_by("pk"):
        calendar = lookup.calendar(ticket, clock.business_hours)
        for at, what in pending_points(clock, calendar, levels):
            if at > now:
                break
            if what == "breach":
                record_breach(ticket, clock, now)
                clock.save()
            else:
                clock.fired_levels = [*clock.fired_levels, what.pk]
                clock.save()
                carry_out(ticket, what, now=now, clock=clock)
    sync_ticket(ticket, Lookup())
