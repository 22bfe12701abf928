"""Demo service levels: a policy per priority, each team's hours (one 24/7), a holiday and a closure,
an escalation path and one open delay notice; then the clocks of the demo's open tickets."""

from datetime import datetime, timedelta

from django.contrib.auth.models import User

from helpwell.people.models import Team
from helpwell.tickets.models import Category, Priority, Status, Ticket

from . import clocks
from .breaches import record_breach
from .models import (
    BusinessCalendar,
    Clock,
    Closure,
    DelayNotice,
    EscalationLevel,
    EscalationPath,
    NoticeUpdate,
    SlaPolicy,
)

# (priority, first response, next response, resolution in minutes, business hours only)
POLICIES = [
    ("urgent", 30, 60, 4 * 60, False),
    ("high", 2 * 60, 4 * 60, 16 * 60, True),
    ("normal", 8 * 60, 8 * 60, 40 * 60, True),
    ("low", 24 * 60, 24 * 60, 80 * 60, True),
]


def load_sla_demo(*, now: datetime) -> None:
    teams = {t.slug: t for t in Team.objects.all()}
    weekdays = {str(d): "08:00-18:00" for d in range(5)}
    if "billing" in teams:
        BusinessCalendar.objects.get_or_create(
            team=teams["billing"],
            defaults={"name": "Billing office hours", "time_zone": "Europe/Berlin", "weekly_hours": weekdays,
                      "holiday_country": "DE", "holiday_subdivision": "BE"},
        )  # fmt: skip
    if "shipping" in teams:
        shipping, _ = BusinessCalendar.objects.get_or_create(
            team=teams["shipping"],
            defaults={"name": "Shipping warehouse hours", "time_zone": "Europe/London",
                      "weekly_hours": {**weekdays, "5": "09:00-13:00"}, "holiday_country": "GB",
                      "holiday_subdivision": "ENG"},
        )  # fmt: skip
        stocktake = (now + timedelta(days=9)).date()
        Closure.objects.get_or_create(
            calendar=shipping, date=stocktake, defaults={"name": "Warehouse stocktake"}
        )
    if "technical" in teams:
        BusinessCalendar.objects.get_or_create(
            team=teams["technical"],
            defaults={"name": "Technical on call (24/7)", "time_zone": "UTC", "always_open": True},
        )
    path, created = EscalationPath.objects.get_or_create(
        name="Standard escalation",
        defaults={"description": "Assignee, then team lead, then tier 2, then the head of support.",
                  "customer_escalation_after_minutes": 8 * 60},
    )  # fmt: skip
    if created:
        head = User.objects.filter(username="priya").first()
        T, A, G = EscalationLevel.Trigger, EscalationLevel.Action, EscalationLevel.Target
        EscalationLevel.objects.bulk_create([
            EscalationLevel(path=path, position=1, name="Assignee", trigger=T.BEFORE_DUE, percent=75, target=G.ASSIGNEE),
            EscalationLevel(path=path, position=2, name="Team lead", trigger=T.AT_BREACH, target=G.TEAM_LEADS),
            EscalationLevel(path=path, position=3, name="Tier 2", trigger=T.AFTER_BREACH, minutes_after=120,
                            target=G.TEAM, action=A.REASSIGN, team=teams.get("technical")),
            EscalationLevel(path=path, position=4, name="Head of support", trigger=T.AFTER_BREACH,
                            minutes_after=240, target=G.AGENT, agent=head),
        ])  # fmt: skip
    priorities = {p.key: p for p in Priority.objects.all()}
    for position, (key, first, following, resolution, business) in enumerate(POLICIES, start=1):
        if key in priorities:
            SlaPolicy.objects.get_or_create(
                name=f"{priorities[key].name}", priority=priorities[key],
                defaults={"position": position * 10, "first_response_minutes": first,
                          "next_response_minutes": following, "resolution_minutes": resolution,
                          "business_hours": business, "escalation_path": path},
            )  # fmt: skip
    delivery = Category.objects.filter(slug="delivery").first()
    if not DelayNotice.objects.exists():
        notice = DelayNotice.objects.create(
            title="Deliveries delayed by a courier outage",
            what_happened="Our courier's main sorting hub had a systems outage; parcels handed over since Monday are held there.",
            what_we_are_doing="We are moving waiting parcels to a second courier and will send new tracking links as they go out.",
            estimated_resolution=now + timedelta(days=2),
            category=delivery,
            created_at=now - timedelta(hours=20),
        )
        NoticeUpdate.objects.create(
            notice=notice, body=notice.what_we_are_doing, created_at=notice.created_at
        )
        notice.tickets.add(*Ticket.objects.filter(category=delivery, is_open=True))
    start_demo_clocks(now)


def start_demo_clocks(now: datetime) -> int:
    """The demo writes its tickets in bulk; give the open ones their clocks as the actions would have.

    What would have happened before `now` is settled quietly: a promise already broken gets its breach
    row, escalation levels already past count as done. Otherwise the worker's first sweep would carry
    out weeks of escalations at once and hand half the demo to tier 2.
    """
    lookup = clocks.Lookup()
    count = 0
    for ticket in Ticket.objects.filter(is_open=True).select_related(
        "priority", "team", "customer__organisation"
    ):
        clocks.on_created(ticket, ticket.created_at, lookup)
        if ticket.first_response_at:
            clocks.on_agent_replied(ticket, ticket.first_response_at)
        if ticket.status in (Status.PENDING, Status.ON_HOLD):
            clocks.on_status_changed(ticket, Status.OPEN, ticket.status, ticket.updated_at)
        elif ticket.first_response_at and ticket.updated_at > ticket.first_response_at:
            clocks.on_customer_replied(ticket, ticket.updated_at)
        levels = lookup.levels_for(lookup.policy_for(ticket).escalation_path_id)
        for clock in Clock.objects.filter(ticket=ticket, running_since__isnull=False):
            calendar = lookup.calendar(ticket, clock.business_hours)
            for at, what in clocks.pending_points(clock, calendar, levels):
                if at > now:
                    break
                if what == "breach":
                    record_breach(ticket, clock, at)
                else:
                    clock.fired_levels = [*clock.fired_levels, what.pk]
            clock.save()
        clocks.sync_ticket(ticket, lookup)
        count += 1
    # Recently solved tickets get their clocks' history too, so the compliance report has a quarter to show.
    solved = Ticket.objects.filter(is_open=False, solved_at__gte=now - timedelta(days=90))
    for ticket in solved.select_related("priority", "team", "customer__organisation"):
        clocks.on_created(ticket, ticket.created_at, lookup)
        if ticket.first_response_at:
            clocks.on_agent_replied(ticket, ticket.first_response_at)
        clocks.on_status_changed(ticket, Status.OPEN, Status.SOLVED, ticket.solved_at)
        count += 1
    return count
