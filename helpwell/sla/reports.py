"""SLA compliance for a period, by priority, team and agent, and what is about to break.

Compliance counts clocks that stopped in the period (a first response given, a next response given, a
ticket solved): met when no breach was recorded on that run of the clock. A handful of grouped
queries, whatever the number of tickets.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet

from helpwell.tickets.models import Ticket

from .models import Clock


@dataclass
class Row:
    label: str
    kind: str
    total: int
    met: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.met / self.total) if self.total else None


def _grouped(clocks: QuerySet[Clock], field: str, label_field: str) -> list[Row]:
    rows = (
        clocks.order_by()
        .values(field, label_field, "kind")
        .annotate(total=Count("pk"), met=Count("pk", filter=Q(breached_at__isnull=True)))
        .order_by(label_field, "kind")
    )
    kinds = dict(Clock.Kind.choices)
    return [Row(r[label_field] or "Unassigned", kinds[r["kind"]], r["total"], r["met"]) for r in rows]


def compliance(tickets: QuerySet[Ticket], since: datetime, until: datetime) -> dict[str, Any]:
    clocks = Clock.objects.filter(
        ticket__in=tickets.values("pk"), stopped_at__gte=since, stopped_at__lt=until
    )
    overall = clocks.order_by().aggregate(
        total=Count("pk"), met=Count("pk", filter=Q(breached_at__isnull=True))
    )
    return {
        "overall": Row("All", "all", overall["total"] or 0, overall["met"] or 0),
        "by_priority": _grouped(clocks, "ticket__priority__rank", "ticket__priority__name"),
        "by_team": _grouped(clocks, "ticket__team_id", "ticket__team__name"),
        "by_agent": _grouped(clocks, "ticket__assignee_id", "ticket__assignee__agent__display_name"),
    }


def due_soon(tickets: QuerySet[Ticket], now: datetime, within: timedelta, limit: int = 50) -> list[Ticket]:
    """Open tickets whose next deadline falls in [now, now + within]: one range on (next_due, id)."""
    return list(
        tickets.filter(next_due__gte=now, next_due__lte=now + within)
        .select_related("priority", "team", "assignee__agent", "customer")
        .order_by("next_due", "id")[:limit]
    )


def overdue(tickets: QuerySet[Ticket], now: datetime, limit: int = 50) -> list[Ticket]:
    return list(
        tickets.filter(next_due__lt=now)
        .select_related("priority", "team", "assignee__agent", "customer")
        .order_by("next_due", "id")[:limit]
    )


def open_buckets(tickets: QuerySet[Ticket], now: datetime) -> list[tuple[str, str, int]]:
    """Open tickets by time left to their next deadline, in one grouped query: (key, label, count)."""
    open_tickets = tickets.filter(is_open__in=[True])
    hour, four, day = (now + timedelta(hours=h) for h in (1, 4, 24))
    counts = open_tickets.order_by().aggregate(
        overdue=Count("pk", filter=Q(next_due__lt=now)),
        hour=Count("pk", filter=Q(next_due__gte=now, next_due__lt=hour)),
        four=Count("pk", filter=Q(next_due__gte=hour, next_due__lt=four)),
        day=Count("pk", filter=Q(next_due__gte=four, next_due__lt=day)),
        later=Count("pk", filter=Q(next_due__gte=day)),
        paused=Count("pk", filter=Q(next_due__isnull=True)),
    )
    labels = [
        ("overdue", "Overdue"),
        ("hour", "Due within 1 hour"),
        ("four", "Within 4 hours"),
        ("day", "Within a day"),
        ("later", "Later"),
        ("paused", "Paused or no target"),
    ]
    return [(key, label, counts[key] or 0) for key, label in labels]
