"""What an API caller may see. The decisions are tickets.access's; this picks the one that fits the caller.

Anything a caller may not see answers 404 exactly like something that does not exist.
"""

from django.db.models import QuerySet
from django.http import Http404

from helpwell.people.models import Agent, Customer, CustomerQuerySet, Role
from helpwell.tickets.access import (
    agent_of,
    messages_for_agent,
    messages_for_customer,
    tickets_for_agent,
    tickets_for_customer,
)
from helpwell.tickets.models import Message, Ticket

from .auth import Caller
from .models import TicketSubmission

# Everything present.ticket_* reads, fetched with the ticket in one query.
TICKET_RELATED = ("priority", "category", "customer", "team", "assignee__agent")
# For lists: only the columns present.ticket_* reads (a third of them), which halves the time
# spent turning rows into objects. Single tickets load everything, as actions may read any field.
TICKET_LIST_COLUMNS = (
    *(f.name for f in Ticket._meta.concrete_fields),
    "priority__key", "priority__name", "category__slug", "category__name", "customer__name",
    "customer__email", "team__slug", "team__name", "assignee__id", "assignee__agent__id",
    "assignee__agent__display_name",
)  # fmt: skip


def tickets_for_caller(caller: Caller, *, with_tags: bool = True) -> QuerySet[Ticket]:
    if caller.is_agent:
        qs = tickets_for_agent(caller.user).select_related(*TICKET_RELATED)
        if with_tags:
            qs = qs.prefetch_related("tags")
    else:
        assert caller.customer is not None
        qs = tickets_for_customer(caller.customer).select_related(*TICKET_RELATED)
    return qs


def get_ticket_for_caller(caller: Caller, reference: str, *, with_tags: bool = True) -> Ticket:
    try:
        return tickets_for_caller(caller, with_tags=with_tags).get(reference=reference.strip().upper())
    except Ticket.DoesNotExist:
        raise Http404("No such ticket.") from None


def messages_for_caller(caller: Caller, ticket: Ticket) -> QuerySet[Message]:
    """Agents see the whole thread; customers never see internal notes."""
    return messages_for_agent(ticket) if caller.is_agent else messages_for_customer(ticket)


def customers_for_agent(caller: Caller) -> CustomerQuerySet:
    """Every member of the support team may look customers up (the small CRM view)."""
    agent_of(caller.user)
    return Customer.objects.select_related("organisation")


def agents_for_agent(caller: Caller) -> QuerySet[Agent]:
    agent_of(caller.user)
    return Agent.objects.filter(user__is_active=True).prefetch_related("teams")


def get_submission_for_caller(caller: Caller, reference: str) -> TicketSubmission:
    """The agent who submitted a ticket for the background, and admins, may follow it.

    Anyone else hears 404, as for a ticket they may not see.
    """
    if not caller.is_agent:
        raise Http404("No such submission.")
    assert caller.agent is not None
    qs = TicketSubmission.objects.filter(reference=reference.strip().upper())
    if caller.agent.role != Role.ADMIN:
        qs = qs.filter(agent=caller.agent)
    found = qs.first()
    if found is None:
        raise Http404("No such submission.")
    return found
