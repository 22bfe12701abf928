"""Mail that ticket actions send; each goes through the one outbox."""

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from helpwell.feedback.models import SCORE_LABELS
from helpwell.lib.timefmt import local_time_phrase
from helpwell.mail.outbox import queue_mail
from helpwell.portal.links import magic_link, rating_link

from .models import Message, Ticket


def agent_url(ticket: Ticket) -> str:
    return settings.SITE_URL + reverse("tickets-detail", args=[ticket.reference])


def _threading_headers(ticket: Ticket) -> dict[str, str]:
    root = ticket.outgoing_mail.order_by("created_at").values_list("message_id", flat=True).first()
    headers = {"X-Helpwell-Ticket": ticket.reference}
    if root:
        headers["In-Reply-To"] = root
        headers["References"] = root
    return headers


def acknowledge(ticket: Ticket) -> None:
    from helpwell.sla.promise import first_response_promise

    customer = ticket.customer
    due = ticket.first_response_due or (ticket.created_at + ticket.priority.first_response_delta)
    # The policy and the team's calendar decide the time; it is stated in the customer's own zone.
    promise = first_response_promise(ticket, customer.zone)
    context = {
        "ticket": ticket,
        "customer": customer,
        "priority": ticket.priority,
        "promise": promise,
        "due_phrase": promise.phrase if promise.due else local_time_phrase(due, customer.zone),
        "link": magic_link(customer, ticket.reference),
        "site_url": settings.SITE_URL,
    }
    queue_mail(
        kind="acknowledgement",
        to=customer.email,
        template="acknowledgement",
        context=context,
        ticket=ticket,
        headers={"Auto-Submitted": "auto-replied", "X-Helpwell-Ticket": ticket.reference},
    )


def agent_replied(ticket: Ticket, message: Message) -> None:
    user = message.author_user
    agent = getattr(user, "agent", None)
    name = agent.display_name if agent else "The support team"
    from_name = f"{name} at {ticket.team.name}"
    inline = {}
    if agent is not None and agent.photo:
        inline["agent-photo"] = agent.photo.name
    context = {
        "ticket": ticket,
        "customer": ticket.customer,
        "message": message,
        "agent": agent,
        "agent_name": name,
        "has_photo": bool(inline),
        "link": magic_link(ticket.customer, ticket.reference),
        "site_url": settings.SITE_URL,
    }
    queue_mail(
        kind="reply",
        to=ticket.customer.email,
        template="reply",
        context=context,
        ticket=ticket,
        from_name=from_name,
        headers=_threading_headers(ticket),
        inline_images=inline,
    )


def customer_replied(ticket: Ticket, message: Message) -> None:
    if ticket.assignee is None or not ticket.assignee.email:
        return
    queue_mail(
        kind="customer-replied",
        to=ticket.assignee.email,
        template="customer_replied",
        context={
            "ticket": ticket,
            "message": message,
            "url": agent_url(ticket),
        },
        ticket=ticket,
    )


def assigned(ticket: Ticket, assignee: Any, actor: Any) -> None:
    if not assignee.email:
        return
    actor_agent = getattr(actor, "agent", None)
    queue_mail(
        kind="assigned",
        to=assignee.email,
        template="assigned",
        context={
            "ticket": ticket,
            "actor_name": actor_agent.display_name if actor_agent else "Helpwell",
            "url": agent_url(ticket),
        },
        ticket=ticket,
    )


def solved(ticket: Ticket, *, by_customer: bool) -> None:
    customer = ticket.customer
    context = {
        "ticket": ticket,
        "customer": customer,
        "by_customer": by_customer,
        "scores": [
            (score, SCORE_LABELS[score], rating_link(ticket.pk, customer, score)) for score in range(5, 0, -1)
        ],
        "link": magic_link(customer, ticket.reference),
        "solved_at": timezone.now(),
    }
    queue_mail(
        kind="csat-request",
        to=customer.email,
        template="solved",
        context=context,
        ticket=ticket,
        headers={**_threading_headers(ticket), "Auto-Submitted": "auto-generated"},
    )
