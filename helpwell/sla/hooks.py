"""What the ticket actions tell the SLA domain. One call per action, inside the action's transaction."""

from datetime import datetime

from helpwell.system import deferred
from helpwell.tickets.models import Ticket

from . import clocks
from .models import Clock


def plan_new_ticket(ticket: Ticket, now: datetime) -> list[Clock]:
    """Before the new ticket's INSERT: sets its due columns; returns its clocks for ticket_created."""
    return clocks.plan_new_ticket(ticket, now)


def ticket_created(ticket: Ticket, planned: list[Clock]) -> None:
    """The ticket is inserted: its clocks (from plan_new_ticket) are stored, in one statement."""
    from .notices import link_new_ticket

    deferred.insert_many(planned)
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
