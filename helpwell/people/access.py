"""Who may do what with people: edit profiles, see lead pages, change roles and teams.

Every view that is only for leads or admins asks here, so the rule lives in one place.
Anonymous visitors are sent to sign in by the views; signed-in accounts that are not agents get a 404
(like tickets.access.agent_of); agents without the role get a 403.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from helpwell.tickets.access import agent_of

from .models import Agent, Team


def get_lead(user: Any) -> Agent:
    """The signed-in team lead or admin; anyone else is refused."""
    agent = agent_of(user)
    if not agent.is_lead:
        raise PermissionDenied("This page is for team leads and admins.")
    return agent


def get_admin(user: Any) -> Agent:
    agent = agent_of(user)
    if not agent.is_admin:
        raise PermissionDenied("Only admins can change this.")
    return agent


def can_edit_site(agent: Agent) -> bool:
    return agent.is_admin


def can_edit_priorities(agent: Agent) -> bool:
    # Priorities are a promise to customers; the issue gives their wording and targets to team leads.
    return agent.is_lead


def can_manage_people(agent: Agent) -> bool:
    return agent.is_admin


def get_agent_for_admin(user: Any, agent_id: int) -> Agent:
    get_admin(user)
    try:
        return Agent.objects.select_related("user").get(pk=agent_id)
    except Agent.DoesNotExist:
        raise Http404("No such agent.") from None


def lead_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Sign-in first, then the lead check; the view finds the agent on request.agent_profile."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.agent_profile = get_lead(request.user)  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def agent_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.agent_profile = agent_of(request.user)  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


# --- public -----------------------------------------------------------------------------------------


def public_agents() -> QuerySet[Agent]:
    """Agents a customer may see on the team page: active accounts that chose to be shown."""
    return Agent.objects.filter(show_on_team_page=True, user__is_active=True)


def teams_for_public_page() -> QuerySet[Team]:
    """Teams with at least one visible agent, each with those agents prefetched (two queries in all)."""
    visible = public_agents().order_by("display_name")
    return (
        Team.objects.filter(agents__in=public_agents())
        .distinct()
        .prefetch_related(Prefetch("agents", queryset=visible, to_attr="visible_agents"))
    )


def home_teams(agent_ids: list[int]) -> dict[int, int]:
    """Each agent's first team (the one they joined first): where the team page shows their card."""
    home: dict[int, int] = {}
    rows = (
        Agent.teams.through.objects.filter(agent_id__in=agent_ids)
        .order_by("id")
        .values_list("agent_id", "team_id")
    )
    for agent_id, team_id in rows:
        home.setdefault(agent_id, team_id)
    return home


def get_agent_for_photo(agent_id: int) -> Agent:
    """Photos are public (customers see who answers them), but only agents have one."""
    try:
        return Agent.objects.only("pk", "display_name", "photo", "avatar_colour").get(pk=agent_id)
    except Agent.DoesNotExist:
        raise Http404("No such person.") from None
