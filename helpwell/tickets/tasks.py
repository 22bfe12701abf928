import logging

from django.db import transaction
from django_tasks import task

from . import notifications
from .models import Ticket

log = logging.getLogger(__name__)


@task()
def send_acknowledgement(ticket_id: int) -> str:
    """Render and queue the acknowledgement mail in the worker, not in the request that created the ticket."""
    ticket = Ticket.objects.select_related("customer", "priority", "team").filter(pk=ticket_id).first()
    if ticket is None:
        return "gone"
    notifications.acknowledge(ticket)
    return "queued"


@task()
def send_acknowledgements(ticket_ids: list[int]) -> str:
    """The acknowledgements of a batch of tickets (a mail import), each in its own transaction, so one
    that fails is logged and leaves the others sent."""
    sent = 0
    for ticket_id in ticket_ids:
        try:
            with transaction.atomic():
                sent += send_acknowledgement.call(ticket_id) == "queued"
        except Exception:  # noqa: BLE001 - logged; the rest of the batch is still acknowledged
            log.exception("acknowledging ticket %s failed", ticket_id)
    return f"queued {sent} of {len(ticket_ids)}"
