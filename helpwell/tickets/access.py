"""The one place that decides which tickets a person may see or change."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from helpwell.people.models import Customer

from .models import Message, Ticket


class NotAnAgent(Http404):
    pass


def agent_of(user: Any):
    if not getattr(user, "is_authenticated", False):
        raise NotAnAgent("Sign in as a member of the support team.")
    agent = getattr(user, "agent", None)
    if agent is None:
        raise NotAnAgent("This account is not a member of the support team.")
    return agent


def team_ids_of(agent: Any) -> list[int]:
    """The agent's teams, read once per loaded agent (a request loads its user afresh). A literal
    list rather than a subquery lets the planner pick the (team, …) indexes."""
    if not hasattr(agent, "_team_ids"):
        agent._team_ids = list(agent.teams.values_list("pk", flat=True))
    return agent._team_ids  # type: ignore[no-any-return]


def tickets_for_agent(user: Any) -> QuerySet[Ticket]:
    """Admins see every ticket; everyone else sees their teams' tickets and those assigned to them."""
    agent = agent_of(user)
    if agent.is_admin:
        return Ticket.objects.all()
    return Ticket.objects.filter(Q(team_id__in=team_ids_of(agent)) | Q(assignee_id=user.pk))


def get_ticket_for_agent(user: Any, reference: str, *, write: bool = False) -> Ticket:
    # The same answer for "does not exist" and "not yours": a reference reveals nothing.
    try:
        return (
            tickets_for_agent(user)
            .select_related("priority", "customer", "team", "assignee__agent")
            .get(reference=reference.upper())
        )
    except Ticket.DoesNotExist:
        raise Http404("No such ticket.") from None


def tickets_for_customer(customer: Customer) -> QuerySet[Ticket]:
    """A customer's own tickets and nothing else."""
    return Ticket.objects.filter(customer=customer)


def get_ticket_for_customer(customer: Customer, reference: str) -> Ticket:
    try:
        return (
            tickets_for_customer(customer)
            .select_related("priority", "team", "assignee__agent")
            .get(reference=reference.upper())
        )
    except Ticket.DoesNotExist:
        raise Http404("No such request.") from None


def messages_for_customer(ticket: Ticket) -> QuerySet[Message]:
    """Customers never see internal notes."""
    return (
        ticket.messages.filter(kind=Message.Kind.PUBLIC)
        .select_related("author_user__agent", "author_customer")
        .prefetch_related("attachments")
    )


def messages_for_agent(ticket: Ticket) -> QuerySet[Message]:
    return ticket.messages.select_related("author_user__agent", "author_customer").prefetch_related(
        "attachments"
    )
