"""The lead's view of customer ratings: CSAT for a period, who was thanked, and every comment.

CSAT is the share of ratings that are 4 or 5 ("good" or "excellent") out of all ratings in the period.
The page costs the same handful of queries however many ratings there are: the summary comes from one
grouped query, the per-agent breakdown from another, and the list is one page of rows.
"""

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Avg, Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from helpwell.people.access import lead_required
from helpwell.people.models import Agent

from .access import ratings_for_lead
from .models import SCORE_LABELS, Rating

PERIODS = {7: "Last 7 days", 30: "Last 30 days", 90: "Last 90 days"}
DEFAULT_PERIOD = 30
PAGE_SIZE = 20


def _int_param(request: HttpRequest, name: str, allowed: Any = None) -> int | None:
    try:
        value = int(request.GET.get(name, ""))
    except ValueError:
        return None
    if allowed is not None and value not in allowed:
        return None
    return value


def csat_percent(satisfied: int, total: int) -> int | None:
    return round(100 * satisfied / total) if total else None


def summarise(ratings: QuerySet[Rating]) -> dict[str, Any]:
    """Count, CSAT, average and the 1–5 distribution from one grouped query."""
    rows = {
        r["score"]: r
        for r in ratings.order_by()
        .values("score")
        .annotate(n=Count("pk"), comments=Count("pk", filter=~Q(comment="")))
    }
    total = sum(r["n"] for r in rows.values())
    satisfied = sum(r["n"] for s, r in rows.items() if s >= 4)
    average = sum(s * r["n"] for s, r in rows.items()) / total if total else None
    peak = max((r["n"] for r in rows.values()), default=0)
    distribution = [
        {
            "score": s,
            "label": SCORE_LABELS[s],
            "count": rows[s]["n"] if s in rows else 0,
            "width": max(1, round(100 * rows[s]["n"] / peak)) if s in rows and peak else 0,
        }
        for s in range(5, 0, -1)
    ]
    return {
        "count": total,
        "satisfied": satisfied,
        "csat": csat_percent(satisfied, total),
        "average": average,
        "comments": sum(r["comments"] for r in rows.values()),
        "unhappy": sum(r["n"] for s, r in rows.items() if s <= 2),
        "distribution": distribution,
    }


def per_agent(ratings: QuerySet[Rating]) -> list[dict[str, Any]]:
    """Each credited agent's CSAT and count, most-rated first (two queries)."""
    rows = list(
        ratings.order_by()
        .values("agent_id")
        .annotate(n=Count("pk"), satisfied=Count("pk", filter=Q(score__gte=4)), average=Avg("score"))
        .order_by("-n", "agent_id")
    )
    profiles = {
        a.user_id: a for a in Agent.objects.filter(user_id__in=[r["agent_id"] for r in rows if r["agent_id"]])
    }
    return [
        {
            "user_id": r["agent_id"],
            "agent": profiles.get(r["agent_id"]),
            "count": r["n"],
            "csat": csat_percent(r["satisfied"], r["n"]),
            "average": r["average"],
        }
        for r in rows
    ]


@lead_required
@require_GET
def ratings_page(request: HttpRequest) -> HttpResponse:
    days = _int_param(request, "period", PERIODS) or DEFAULT_PERIOD
    agent_filter = _int_param(request, "agent")
    score_filter = _int_param(request, "score", SCORE_LABELS)
    now = timezone.now()
    since = now - timedelta(days=days)

    scope = ratings_for_lead(request.user)
    in_period = scope.filter(created_at__gte=since)
    breakdown = per_agent(in_period)

    focused = in_period.filter(agent_id=agent_filter) if agent_filter else in_period
    summary = summarise(focused)
    previous = summarise(
        (scope.filter(agent_id=agent_filter) if agent_filter else scope).filter(
            created_at__gte=since - timedelta(days=days), created_at__lt=since
        )
    )
    trend = (
        summary["csat"] - previous["csat"]
        if summary["csat"] is not None and previous["csat"] is not None
        else None
    )

    listed = focused.filter(score=score_filter) if score_filter else focused
    listed = listed.select_related("ticket", "customer__organisation", "agent__agent").order_by(
        "-created_at", "-id"
    )
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))

    filters = {"period": days, "agent": agent_filter or "", "score": score_filter or ""}
    for row in breakdown:
        row["link"] = _query(filters, agent=row["user_id"], page="") if row["user_id"] else ""
    agent_choices = [
        (row["user_id"], row["agent"].display_name) for row in breakdown if row["agent"] is not None
    ]
    if agent_filter and agent_filter not in {pk for pk, _ in agent_choices}:
        chosen = Agent.objects.filter(user_id=agent_filter).values_list("display_name", flat=True).first()
        if chosen:
            agent_choices.append((agent_filter, chosen))

    return render(
        request,
        "feedback/ratings.html",
        {
            "nav": "ratings",
            "days": days,
            "period_label": PERIODS[days],
            "periods": [(d, label, _query(filters, period=d)) for d, label in PERIODS.items()],
            "summary": summary,
            "previous": previous,
            "trend": trend,
            "trend_abs": abs(trend) if trend is not None else None,
            "breakdown": breakdown,
            "page": page,
            "filters": filters,
            "agent_choices": agent_choices,
            "score_choices": sorted(SCORE_LABELS.items(), reverse=True),
            "agent_filter": agent_filter,
            "score_filter": score_filter,
            "query_without_page": _query(filters),
            "is_filtered": bool(agent_filter or score_filter),
            "clear_filters": _query(filters, agent="", score=""),
        },
    )


def _query(filters: dict[str, Any], **changes: Any) -> str:
    merged = {**filters, **changes}
    return "?" + urlencode({k: v for k, v in merged.items() if v not in ("", None)})
