"""The options of the ticket page's select boxes, kept per process (helpwell.lib.process_cache).

Every ticket page lists the priorities, teams, categories and the agents of the ticket's team; they
change a few times a year, so each web process reads them once every few seconds instead of on
every page. What a select box accepts on submit is still checked against the database.
"""

from typing import TypeVar

from django.contrib.auth.models import User
from django.db.models import Model, Q, QuerySet

from helpwell.lib.process_cache import ProcessCache
from helpwell.people.models import Agent, Team

from .models import Category, Priority

M = TypeVar("M", bound=Model)


def _all(model: type[M]) -> ProcessCache[None, list[M]]:
    return ProcessCache(lambda _: list(model._default_manager.all()), depends_on=[model])


PRIORITIES = _all(Priority)
TEAMS = _all(Team)
CATEGORIES = _all(Category)


def assignable_agents(*, team_ids: list[int] | None, also: tuple[int | None, ...] = ()) -> QuerySet[User]:
    """Active agents on any of these teams (every agent for None), plus the given users, by name."""
    members = Agent.objects.all() if team_ids is None else Agent.objects.filter(teams__in=team_ids)
    wanted = Q(pk__in=members.values("user_id")) | Q(pk__in=[pk for pk in also if pk])
    return (
        User.objects.filter(wanted, agent__isnull=False, is_active=True)
        .select_related("agent")
        .order_by("agent__display_name")
    )


def priorities() -> list[Priority]:
    return PRIORITIES.get(None)


def teams() -> list[Team]:
    return TEAMS.get(None)


def categories() -> list[Category]:
    return CATEGORIES.get(None)


def _agents_on_teams(team_ids: tuple[int, ...] | None) -> list[User]:
    return list(assignable_agents(team_ids=None if team_ids is None else list(team_ids)))


# Keyed by a set of teams (None: every team): a ticket's team, or the teams of the agent looking at
# the queue; there are few distinct sets. A login saves the user (last_login) and so empties it.
AGENTS_ON_TEAMS: ProcessCache[tuple[int, ...] | None, list[User]] = ProcessCache(
    _agents_on_teams, depends_on=[User, Agent, Agent.teams.through, Team]
)


def assignable_on_teams(team_ids: list[int] | None, also: tuple[int | None, ...]) -> list[User]:
    """The active agents of these teams (of every team for None) by name, plus `also` (the assignee,
    the agent looking) when they are active agents; those outside the teams cost one query."""
    members = AGENTS_ON_TEAMS.get(None if team_ids is None else tuple(sorted(team_ids)))
    known = {user.pk for user in members}
    if all(pk is None or pk in known for pk in also):
        return members
    return list(assignable_agents(team_ids=team_ids, also=also))


def assignable(team_id: int, also: tuple[int | None, ...]) -> list[User]:
    """Whom a ticket of the team may be assigned to: its team's agents, plus `also`."""
    return assignable_on_teams([team_id], also)
