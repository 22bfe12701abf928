from django_tasks import task

from . import notifications
from .models import Ticket


@task()
def send_acknowledgement(ticket_id: int) -> str:
    """Render and queue the acknowledgement mail in the worker, not in the request that created the ticket."""
    ticket = Ticket.objects.select_related("customer", "priority", "team").filter(pk=ticket_id).first()
    if ticket is None:
        return "gone"
    notifications.acknowledge(ticket)
    return "queued"
