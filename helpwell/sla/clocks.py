"""The three SLA clocks of a ticket, kept by the ticket actions, and the due columns they feed.

    on_created         first response and resolution start (plan_new_ticket: the same, before the INSERT)
    on_agent_replied   first response (once) and next response stop
    on_customer_replied  next response starts again (the customer waits for an answer)
    on_status_changed  pending / on hold pause every running clock, a return to open resumes them,
                       solved or closed stop them all, reopening resumes resolution and starts the
                       response clock the customer is now waiting on
    on_retargeted      priority, category or team changed: the matching policy and calendar are
                       found again and the due times recomputed, elapsed time kept

Every function takes the ticket row the action has just saved and writes the ticket's due columns
(first_response_due, next_response_due, resolution_due, next_due, sla_check_at) with one UPDATE.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from helpwell.lib.business_hours import Calendar, add_business_time, business_time_between
from helpwell.system import memo
from helpwell.tickets.models import Status, Ticket

from .models import BusinessCalendar, Clock, Closure, EscalationLevel, EscalationPath, SlaPolicy

PAUSING = (Status.PENDING, Status.ON_HOLD)
STOPPING = (Status.SOLVED, Status.CLOSED)
KINDS = (Clock.Kind.FIRST_RESPONSE, Clock.Kind.NEXT_RESPONSE, Clock.Kind.RESOLUTION)
UTC_ALWAYS = Calendar.around_the_clock("UTC")


@dataclass
class Lookup:
    """Policies, calendars and escalation levels read once and reused, e.g. across a bulk recompute."""

    policies: list[SlaPolicy] | None = None
    calendars: dict[int | None, BusinessCalendar | None] = field(default_factory=dict)
    arithmetic: dict[int, Calendar] = field(default_factory=dict)
    levels: dict[int, list[EscalationLevel]] = field(default_factory=dict)

    def policy_for(self, ticket: Ticket) -> SlaPolicy:
        if self.policies is None:
            self.policies = memo.read("sla:active-policies", active_policies)
        for policy in self.policies:
            if policy.matches(ticket):
                return policy
        # No policy written yet: the priority's first-response promise, in calendar time, as before.
        return SlaPolicy(
            name=f"{ticket.priority.name} priority",
            priority=ticket.priority,
            first_response_minutes=ticket.priority.first_response_minutes,
            business_hours=False,
        )

    def business_calendar(self, team_id: int | None) -> BusinessCalendar | None:
        if team_id not in self.calendars:
            found = memo.read(f"sla:calendar:{team_id}", lambda: _own_calendar(team_id))
            if found is None and team_id is not None:
                found = self.business_calendar(None)
            self.calendars[team_id] = found
        return self.calendars[team_id]

    def calendar(self, ticket: Ticket, business_hours: bool) -> Calendar:
        if not business_hours:
            return UTC_ALWAYS
        found = self.business_calendar(ticket.team_id)
        if found is None:
            return UTC_ALWAYS
        if found.pk not in self.arithmetic:
            self.arithmetic[found.pk] = found.as_calendar()
        return self.arithmetic[found.pk]

    def levels_for(self, policy_path_id: int | None) -> list[EscalationLevel]:
        if policy_path_id is None:
            return []
        if policy_path_id not in self.levels:
            self.levels[policy_path_id] = memo.read(
                f"sla:levels:{policy_path_id}",
                lambda: list(
                    EscalationLevel.objects.filter(path_id=policy_path_id).select_related(
                        "team", "agent__agent"
                    )
                ),
            )
        return self.levels[policy_path_id]


def active_policies() -> list[SlaPolicy]:
    return list(SlaPolicy.objects.filter(is_active=True).select_related("priority", "escalation_path"))


def _own_calendar(team_id: int | None) -> BusinessCalendar | None:
    same_team = {"team_id": team_id} if team_id is not None else {"team__isnull": True}
    return BusinessCalendar.objects.filter(**same_team).prefetch_related("closures").first()


# Read once per batch of a bulk job (helpwell.system.memo); any change to these clears that memo.
MEMO_MODELS = (SlaPolicy, BusinessCalendar, Closure, EscalationPath, EscalationLevel)


# --- one clock ---------------------------------------------------------------------------------------


def _elapsed(clock: Clock, calendar: Calendar, now: datetime) -> timedelta:
    counted = clock.elapsed
    if clock.running_since is not None and now > clock.running_since:
        counted += business_time_between(calendar, clock.running_since, now)
    return counted


def _due(clock: Clock, calendar: Calendar) -> datetime | None:
    if clock.running_since is None:
        return None
    remaining = clock.target - clock.elapsed
    if remaining <= timedelta(0):
        return clock.running_since + remaining  # already past its target when it resumed
    return add_business_time(calendar, clock.running_since, remaining)


def _point(clock: Clock, calendar: Calendar, share: timedelta) -> datetime:
    """The instant at which `share` of counted time is reached (now-ish if it already was)."""
    assert clock.running_since is not None
    remaining = share - clock.elapsed
    if remaining <= timedelta(0):
        return clock.running_since
    return add_business_time(calendar, clock.running_since, remaining)


def pending_points(
    clock: Clock, calendar: Calendar, levels: list[EscalationLevel]
) -> list[tuple[datetime, Any]]:
    """What the sweep still has to do for a running clock: ("breach" or a level) at an instant."""
    if clock.running_since is None or clock.due_at is None:
        return []
    points: list[tuple[datetime, Any]] = []
    if clock.breached_at is None:
        points.append((clock.due_at, "breach"))
    for level in levels:
        if level.pk in clock.fired_levels:
            continue
        if level.trigger == EscalationLevel.Trigger.BEFORE_DUE:
            share = clock.target * min(max(level.percent, 1), 99) / 100
            points.append((_point(clock, calendar, share), level))
        elif level.trigger == EscalationLevel.Trigger.AT_BREACH:
            points.append((clock.due_at, level))
        else:
            points.append((clock.due_at + timedelta(minutes=level.minutes_after), level))
    points.sort(key=lambda p: (p[0], 0 if p[1] == "breach" else 1))
    return points


def _start(
    ticket: Ticket,
    kind: str,
    now: datetime,
    lookup: Lookup,
    *,
    fresh: bool,
    unsaved: bool = False,
) -> Clock | None:
    """Start (fresh: from zero) or resume a clock; None when the ticket's policy has no such target.

    `unsaved`: the ticket is not inserted yet, so it has no clocks to look for, and the clock is left
    for the caller to store."""
    policy = lookup.policy_for(ticket)
    minutes = policy.target(kind)
    clock = None if unsaved else Clock.objects.filter(ticket=ticket, kind=kind).first()
    if not minutes:
        if clock is not None and clock.stopped_at is None:
            clock.stopped_at, clock.running_since, clock.due_at = now, None, None
            clock.save()
        return None
    if clock is None:
        clock = Clock(ticket=ticket, kind=kind, started_at=now)
    if fresh:
        clock.started_at, clock.elapsed, clock.breached_at, clock.fired_levels = now, timedelta(0), None, []
    clock.policy = policy if policy.pk else None
    clock.policy_name, clock.target_minutes, clock.business_hours = (
        policy.name,
        minutes,
        policy.business_hours,
    )
    clock.stopped_at = None
    clock.running_since = now
    clock.due_at = _due(clock, lookup.calendar(ticket, clock.business_hours))
    if not unsaved:
        clock.save()
    return clock


def _halt(clock: Clock, ticket: Ticket, now: datetime, lookup: Lookup, *, stop: bool) -> None:
    """Pause (keep elapsed, due unknown) or stop a clock; a late stop records its breach at once."""
    calendar = lookup.calendar(ticket, clock.business_hours)
    if clock.running_since is not None:
        clock.elapsed = _elapsed(clock, calendar, now)
        clock.running_since = None
    if stop:
        clock.stopped_at = now
        if clock.breached_at is None and clock.elapsed > clock.target:
            from .breaches import record_breach

            record_breach(ticket, clock, now)
    else:
        clock.due_at = None
    clock.save()


def _clocks(ticket: Ticket) -> dict[str, Clock]:
    return {c.kind: c for c in Clock.objects.filter(ticket=ticket)}


# --- what the actions call -----------------------------------------------------------------------------


def on_created(ticket: Ticket, now: datetime | None = None, lookup: Lookup | None = None) -> None:
    """For a ticket already stored without clocks (the demo's bulk-loaded ones); the ticket actions
    use plan_new_ticket."""
    now, lookup = now or timezone.now(), lookup or Lookup()
    started = [
        _start(ticket, kind, now, lookup, fresh=True)
        for kind in (Clock.Kind.FIRST_RESPONSE, Clock.Kind.RESOLUTION)
    ]
    sync_ticket(ticket, lookup, [clock for clock in started if clock is not None])


def plan_new_ticket(ticket: Ticket, now: datetime) -> list[Clock]:
    """on_created for a ticket about to be inserted: its due columns are set on it, so the INSERT
    carries them (no UPDATE after it), and its clocks are returned unsaved, to be stored once the
    ticket has its id (hooks.ticket_created)."""
    lookup = Lookup()
    planned = [
        _start(ticket, kind, now, lookup, fresh=True, unsaved=True)
        for kind in (Clock.Kind.FIRST_RESPONSE, Clock.Kind.RESOLUTION)
    ]
    started = [clock for clock in planned if clock is not None]
    _apply_due_columns(ticket, lookup, started)
    return started


def on_agent_replied(ticket: Ticket, now: datetime | None = None) -> None:
    now, lookup = now or timezone.now(), Lookup()
    for kind, clock in _clocks(ticket).items():
        if kind in (Clock.Kind.FIRST_RESPONSE, Clock.Kind.NEXT_RESPONSE) and clock.stopped_at is None:
            _halt(clock, ticket, now, lookup, stop=True)
    sync_ticket(ticket, lookup)


def on_customer_replied(ticket: Ticket, now: datetime | None = None) -> None:
    """The customer is waiting for an answer again: the next-response clock starts from zero."""
    if not ticket.is_open or ticket.status in PAUSING:
        return
    now, lookup = now or timezone.now(), Lookup()
    clocks = _clocks(ticket)
    first = clocks.get(Clock.Kind.FIRST_RESPONSE)
    if ticket.first_response_at is None and first is not None and first.stopped_at is None:
        return  # still waiting for the first answer: that clock is the one that counts
    _start(ticket, Clock.Kind.NEXT_RESPONSE, now, lookup, fresh=True)
    sync_ticket(ticket, lookup)


def on_status_changed(ticket: Ticket, old: str, new: str, now: datetime | None = None) -> None:
    now, lookup = now or timezone.now(), Lookup()
    clocks = _clocks(ticket)
    if new in STOPPING:
        for clock in clocks.values():
            if clock.stopped_at is None:
                _halt(clock, ticket, now, lookup, stop=True)
    elif new in PAUSING:
        for clock in clocks.values():
            if clock.running_since is not None:
                _halt(clock, ticket, now, lookup, stop=False)
    elif old in STOPPING:  # reopened
        _start(ticket, Clock.Kind.RESOLUTION, now, lookup, fresh=Clock.Kind.RESOLUTION not in clocks)
        if ticket.first_response_at is None:
            _start(ticket, Clock.Kind.FIRST_RESPONSE, now, lookup, fresh=False)
        else:
            _start(ticket, Clock.Kind.NEXT_RESPONSE, now, lookup, fresh=True)
    elif old in PAUSING:  # the customer answered or the hold is over: carry on where we stopped
        for clock in clocks.values():
            if clock.stopped_at is None and clock.running_since is None:
                _start(ticket, clock.kind, now, lookup, fresh=False)
    sync_ticket(ticket, lookup)


def on_retargeted(ticket: Ticket, now: datetime | None = None, lookup: Lookup | None = None) -> None:
    """Priority, category, team or a calendar changed: same elapsed time, new targets and due times."""
    now, lookup = now or timezone.now(), lookup or Lookup()
    for clock in _clocks(ticket).values():
        if clock.stopped_at is not None:
            continue
        running = clock.running_since is not None
        if running:
            _halt(clock, ticket, now, lookup, stop=False)
            _start(ticket, clock.kind, now, lookup, fresh=False)
        else:
            policy = lookup.policy_for(ticket)
            minutes = policy.target(clock.kind)
            if minutes:
                clock.policy = policy if policy.pk else None
                clock.policy_name, clock.target_minutes = policy.name, minutes
                clock.business_hours = policy.business_hours
                clock.save()
    sync_ticket(ticket, lookup)


def sync_ticket(ticket: Ticket, lookup: Lookup, clocks: Iterable[Clock] | None = None) -> None:
    """Write the ticket's due columns from its clocks, in one UPDATE."""
    by_kind = {c.kind: c for c in (clocks if clocks is not None else Clock.objects.filter(ticket=ticket))}
    first = by_kind.get(Clock.Kind.FIRST_RESPONSE)
    running = [c for c in by_kind.values() if c.running_since is not None and c.due_at is not None]
    values: dict[str, Any] = {
        "first_response_due": first.due_at if first is not None else ticket.first_response_due,
        "next_response_due": _running_due(by_kind.get(Clock.Kind.NEXT_RESPONSE)),
        "resolution_due": _running_due(by_kind.get(Clock.Kind.RESOLUTION)),
        "next_due": min((c.due_at for c in running if c.due_at), default=None),
        "sla_check_at": None,
    }
    policy = lookup.policy_for(ticket)
    levels = lookup.levels_for(policy.escalation_path_id)
    checks = []
    for clock in running:
        points = pending_points(clock, lookup.calendar(ticket, clock.business_hours), levels)
        if points:
            checks.append(points[0][0])
    values["sla_check_at"] = min(checks, default=None)
    changed = {k: v for k, v in values.items() if getattr(ticket, k) != v}
    if changed:
        for name, value in changed.items():
            setattr(ticket, name, value)
        Ticket.objects.filter(pk=ticket.pk).update(**changed)


def _running_due(clock: Clock | None) -> datetime | None:
    return clock.due_at if clock is not None and clock.running_since is not None else None


def recompute_batch(tickets: list[Ticket], now: datetime, lookup: Lookup) -> None:
    """Due times again for many tickets after a calendar or policy change, in a few queries.

    Unlike on_retargeted (one ticket, at the moment its priority or team changes), nothing is halted:
    each running clock keeps its start and the time counted before it, and its due time is counted
    again from there on the calendar and target in force now. Two reads and two bulk writes a batch.
    """
    by_ticket: dict[int, list[Clock]] = {}
    for clock in Clock.objects.filter(ticket__in=[t.pk for t in tickets], stopped_at__isnull=True):
        by_ticket.setdefault(clock.ticket_id, []).append(clock)
    changed_clocks: list[Clock] = []
    for ticket in tickets:
        policy = lookup.policy_for(ticket)
        for clock in by_ticket.get(ticket.pk, []):
            minutes = policy.target(clock.kind)
            if minutes:
                clock.policy = policy if policy.pk else None
                clock.policy_name, clock.target_minutes = policy.name, minutes
                clock.business_hours = policy.business_hours
            if clock.running_since is not None:
                clock.due_at = _due(clock, lookup.calendar(ticket, clock.business_hours))
            changed_clocks.append(clock)
    _write(Clock, changed_clocks, ["policy_id", "policy_name", "target_minutes", "business_hours", "due_at"])
    changed_tickets = []
    for ticket in tickets:
        before = [getattr(ticket, f) for f in DUE_FIELDS]
        _apply_due_columns(ticket, lookup, by_ticket.get(ticket.pk, []))
        if [getattr(ticket, f) for f in DUE_FIELDS] != before:
            changed_tickets.append(ticket)
    _write(Ticket, changed_tickets, DUE_FIELDS)


def _write(model: Any, rows: list[Any], fields: list[str]) -> None:
    """UPDATE … WHERE id = %s for each row in one executemany: bulk_update's CASE is slow at scale."""
    if not rows:
        return
    from django.db import connection

    ops = connection.ops
    columns = ", ".join(f"{ops.quote_name(model._meta.get_field(f).column)} = %s" for f in fields)
    sql = f"UPDATE {ops.quote_name(model._meta.db_table)} SET {columns} WHERE id = %s"

    def value(row: Any, name: str) -> Any:
        raw = getattr(row, name)
        return ops.adapt_datetimefield_value(raw) if isinstance(raw, datetime) else raw

    with connection.cursor() as cursor:
        cursor.executemany(sql, [[value(row, f) for f in fields] + [row.pk] for row in rows])


DUE_FIELDS = ["first_response_due", "next_response_due", "resolution_due", "next_due", "sla_check_at"]


def _apply_due_columns(ticket: Ticket, lookup: Lookup, clocks: list[Clock]) -> None:
    """Set (not save) the due columns from the ticket's unstopped clocks; a stopped first response keeps its due."""
    by_kind = {c.kind: c for c in clocks}
    running = [c for c in clocks if c.running_since is not None and c.due_at is not None]
    if Clock.Kind.FIRST_RESPONSE in by_kind:
        ticket.first_response_due = by_kind[Clock.Kind.FIRST_RESPONSE].due_at
    ticket.next_response_due = _running_due(by_kind.get(Clock.Kind.NEXT_RESPONSE))
    ticket.resolution_due = _running_due(by_kind.get(Clock.Kind.RESOLUTION))
    ticket.next_due = min((c.due_at for c in running if c.due_at), default=None)
    levels = lookup.levels_for(lookup.policy_for(ticket).escalation_path_id)
    checks = []
    for clock in running:
        points = pending_points(clock, lookup.calendar(ticket, clock.business_hours), levels)
        if points:
            checks.append(points[0][0])
    ticket.sla_check_at = min(checks, default=None)
