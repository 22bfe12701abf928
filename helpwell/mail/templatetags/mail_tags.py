"""What the agent needs to know about a ticket's mail: addresses that bounce, and who else is CC'd."""

from typing import Any

from django import template

from ..models import BouncingAddress, InboundMail, MailParticipant

register = template.Library()


@register.inclusion_tag("mail/_ticket_mail.html")
def ticket_mail_status(ticket: Any) -> dict[str, Any]:
    participants = list(MailParticipant.objects.filter(ticket=ticket).order_by("created_at", "pk")[:20])
    addresses = [ticket.customer.email.lower()] + [p.email.lower() for p in participants]
    bouncing = {b.email.lower(): b for b in BouncingAddress.objects.filter(email__in=addresses)}
    held = list(
        InboundMail.objects.filter(ticket=ticket, status=InboundMail.Status.HELD)
        .only("pk", "from_email", "subject", "received_at", "full_text")
        .order_by("received_at")[:10]
    )
    return {
        "ticket": ticket,
        "customer_bounce": bouncing.get(ticket.customer.email.lower()),
        "participants": [(p, bouncing.get(p.email.lower())) for p in participants],
        "held": held,
    }


@register.inclusion_tag("mail/_original_mail.html", takes_context=True)
def original_mail(context: Any, message: Any) -> dict[str, Any]:
    """Under a message that came by mail: the full mail as received, quoted history and all.

    The ticket's inbound mail is read once per page (one query), not once per message."""
    return original_mail_context(context.render_context.setdefault("mail_inbound_by_message", {}), message)


def original_mail_context(cache: dict[int, Any], message: Any) -> dict[str, Any]:
    """What `original_mail` shows for `message`; `cache` keeps each ticket's inbound mail for a page."""
    ticket_id = message.ticket_id
    if ticket_id not in cache:
        rows = InboundMail.objects.filter(ticket_id=ticket_id).only(
            "pk", "ticket_message_id", "full_text", "size"
        )
        cache[ticket_id] = {row.ticket_message_id: row for row in rows if row.ticket_message_id}
    inbound = cache[ticket_id].get(message.pk)
    folded = bool(
        inbound
        and not message.is_internal  # a note about a mail (bounce, auto-reply) quotes it in its own words
        and " ".join(inbound.full_text.split()) != " ".join(message.body_text.split())
    )
    return {"inbound": inbound, "folded": folded}
