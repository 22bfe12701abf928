"""Who may see and change service levels: leads for their teams' tickets, admins for everything."""

from typing import Any

from django.db.models import QuerySet

from helpwell.people.access import get_lead
from helpwell.tickets.access import team_ids_of, tickets_for_agent
from helpwell.tickets.models import Ticket

from .models import Breach, Escalation


def tickets_for_lead(user: Any) -> QuerySet[Ticket]:
    get_lead(user)
    return tickets_for_agent(user)


def team_ids_for_lead(user: Any) -> list[int] | None:
    """None for admins (every team), else the lead's teams."""
    agent = get_lead(user)
    if agent.is_admin:
        return None
    return team_ids_of(agent)


def breaches_for_lead(user: Any) -> QuerySet[Breach]:
    teams = team_ids_for_lead(user)
    qs = Breach.objects.all()
    return qs if teams is None else qs.filter(team_id__in=teams)


def escalations_for_lead(user: Any) -> QuerySet[Escalation]:
    teams = team_ids_for_lead(user)
    qs = Escalation.objects.all()
    return qs if teams is None else qs.filter(ticket__team_id__in=teams)


def can_edit_service_levels(agent: Any) -> bool:
    return bool(agent.is_lead)
