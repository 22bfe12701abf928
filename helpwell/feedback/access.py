"""Who may read which ratings: the same people who may see the rated tickets."""

from typing import Any

from django.db.models import QuerySet

from helpwell.people.access import get_lead
from helpwell.tickets.access import tickets_for_agent

from .models import Rating


def ratings_for_lead(user: Any) -> QuerySet[Rating]:
    """Leads see ratings of their teams' tickets (and tickets assigned to them); admins see all.

    Agents are refused: ratings are for coaching conversations led by a lead, not a leaderboard.
    """
    agent = get_lead(user)
    if agent.is_admin:
        return Rating.objects.all()
    return Rating.objects.filter(ticket__in=tickets_for_agent(user).values("pk"))
