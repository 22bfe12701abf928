"""Who may read the dev mailbox: the mail the local catcher caught.

Caught mail holds customers' magic links, so it is for admins. When Helpwell runs with DEBUG on (a
developer's machine) every signed-in agent may read it too.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from helpwell.people.models import Agent
from helpwell.tickets.access import agent_of

from .models import CaughtMail, InboundMail


def can_read_mailbox(agent: Agent) -> bool:
    return agent.is_admin or bool(settings.DEBUG)


def get_mailbox_reader(user: Any) -> Agent:
    agent = agent_of(user)
    if not can_read_mailbox(agent):
        raise PermissionDenied("The dev mailbox is for admins.")
    return agent


def caught_mail_for_agent(user: Any) -> QuerySet[CaughtMail]:
    get_mailbox_reader(user)
    return CaughtMail.objects.all()


def get_caught_mail_for_agent(user: Any, pk: int) -> CaughtMail:
    try:
        return caught_mail_for_agent(user).get(pk=pk)
    except CaughtMail.DoesNotExist:
        raise Http404("No such mail; it may have been pruned.") from None


def get_inbound_mail_for_agent(user: Any, pk: int, *, write: bool = False) -> InboundMail:
    """A received mail: for agents who may see its ticket; mail on no ticket is for admins."""
    from helpwell.tickets.access import get_ticket_for_agent

    inbound = InboundMail.objects.select_related("ticket").filter(pk=pk).first()
    if inbound is None:
        raise Http404("No such mail.")
    if inbound.ticket is not None:
        get_ticket_for_agent(user, inbound.ticket.reference, write=write)  # 404 unless the agent may see it
    elif not agent_of(user).is_admin:
        raise Http404("No such mail.")
    return inbound


def get_inbound_mail_for_viewer(request: Any, pk: int) -> InboundMail:
    """A received mail for whoever is looking at its message: an agent who may see the ticket, or the
    customer (signed in to the portal) whose ticket it is. Anyone else gets the same 404."""
    from helpwell.portal.access import portal_customer

    if getattr(getattr(request, "user", None), "is_authenticated", False) and hasattr(request.user, "agent"):
        return get_inbound_mail_for_agent(request.user, pk)
    customer = portal_customer(request)
    inbound = InboundMail.objects.select_related("ticket").filter(pk=pk).first()
    if (
        customer is None
        or inbound is None
        or inbound.ticket is None
        or inbound.ticket.customer_id != customer.pk
    ):
        raise Http404("No such mail.")
    return inbound
