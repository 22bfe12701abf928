"""Turn the names clients send (priority keys, slugs, agent ids) into rows, collecting every problem.

A request with three bad fields gets one 422 naming all three, before anything is written.
"""

from collections.abc import Iterable
from typing import Any

from helpwell.people.models import Agent, Team
from helpwell.tickets.models import Category, Priority, Status

from .errors import ApiError


class Problems:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            field, messages = next(iter(self.fields.items()))
            raise ApiError(422, "validation_error", f"{field}: {messages[0]}", self.fields)


def priority(key: str, problems: Problems, field: str = "priority") -> Priority | None:
    found = Priority.objects.filter(key=key.strip().lower()).first()
    if found is None:
        keys = ", ".join(Priority.objects.values_list("key", flat=True))
        problems.add(field, f"Unknown priority “{key}”; use one of: {keys}.")
    return found


def category(slug: str, problems: Problems, field: str = "category") -> Category | None:
    found = Category.objects.select_related("team").filter(slug=slug.strip().lower()).first()
    if found is None:
        problems.add(field, f"Unknown category “{slug}”.")
    return found


def team(slug: str, problems: Problems, field: str = "team") -> Team | None:
    found = Team.objects.filter(slug=slug.strip().lower()).first()
    if found is None:
        problems.add(field, f"Unknown team “{slug}”.")
    return found


def agent_user(agent_id: int, problems: Problems, field: str = "assignee") -> Any:
    found = Agent.objects.select_related("user").filter(pk=agent_id, user__is_active=True).first()
    if found is None:
        problems.add(field, f"No active agent with id {agent_id}.")
        return None
    return found.user


def split_list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def statuses(value: str | None, problems: Problems, field: str = "status") -> list[str]:
    wanted = [s.lower() for s in split_list(value)]
    unknown = [s for s in wanted if s not in Status.values]
    if unknown:
        problems.add(field, f"Unknown status “{unknown[0]}”; use one of: {', '.join(Status.values)}.")
    return wanted


def only_for_agents(problems: Problems, given: Iterable[tuple[str, bool]]) -> None:
    for field, present in given:
        if present:
            problems.add(field, "Only members of the support team may set this.")
