from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from helpwell.people.models import Customer
from helpwell.tickets.models import Status, Ticket, TicketEvent

from .models import Rating


def credited_agent(ticket: Ticket):
    """The assignee, or failing that the last agent who replied publicly."""
    if ticket.assignee_id:
        return ticket.assignee
    last = ticket.messages.filter(author_user__isnull=False, kind="public").order_by("-created_at").first()
    return last.author_user if last else None


@transaction.atomic
def do_rate_ticket(
    ticket: Ticket, *, customer: Customer, score: int, comment: str = "", channel: str = "web"
) -> Rating:
    if ticket.customer_id != customer.pk:
        raise ValidationError("Only the person who asked can rate this request.")
    if ticket.status not in (Status.SOLVED, Status.CLOSED):
        raise ValidationError("You can rate a request once it is solved.")
    if score not in range(1, 6):
        raise ValidationError("Choose a rating from 1 to 5.")
    now = timezone.now()
    rating, created = Rating.objects.update_or_create(
        ticket=ticket,
        defaults={
            "customer": customer,
            "agent": credited_agent(ticket),
            "score": score,
            "comment": comment.strip()[:2000],
            "updated_at": now,
        },
        create_defaults={
            "customer": customer,
            "agent": credited_agent(ticket),
            "score": score,
            "comment": comment.strip()[:2000],
            "created_at": now,
            "updated_at": now,
        },
    )
    TicketEvent.objects.create(
        ticket=ticket, kind=TicketEvent.Kind.RATED, actor_customer=customer, channel=channel,
        new_value=f"{score}/5" + (" with a comment" if rating.comment else ""),
    )  # fmt: skip
    return rating
