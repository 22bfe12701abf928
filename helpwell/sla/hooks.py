"""What the ticket actions tell the SLA domain. One call per action, inside the action's transaction."""

from datetime import datetime

from helpwell.tickets.models import Ticket

from . import clocks


def ticket_created(ticket: Ticket, now: datetime) -> None:
    from .notices import link_new_ticket

    clocks.on_created(ticket, now, new_ticket=True)
    link_new_ticket(ticket)


def agent_replied(ticket: Ticket, now: datetime) -> None:
    clocks.on_agent_replied(ticket, now)


def customer_replied(ticket: Ticket, now: datetime) -> None:
    clocks.on_customer_replied(ticket, now)


def status_changed(ticket: Ticket, old: str, new: str, now: datetime) -> None:
    clocks.on_status_changed(ticket, old, new, now)


def tags_changed(ticket: Ticket) -> None:
    """A tag can bring an open ticket under a delay notice's rule."""
    from .notices import link_new_ticket

    if ticket.is_open:
        link_new_ticket(ticket)


def retargeted(ticket: Ticket, now: datetime) -> None:
    clocks.on_retargeted(ticket, now)
