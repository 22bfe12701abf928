"""What the customer portal changes: it finds or creates the customer, then hands over to tickets.actions."""

from collections.abc import Sequence

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from helpwell.mail.outbox import queue_mail
from helpwell.people.actions import do_find_or_create_customer
from helpwell.people.models import Customer
from helpwell.tickets.actions import do_create_ticket
from helpwell.tickets.models import Category, Channel, Ticket

from .links import magic_link
from .triage import priority_for


def do_send_portal_link(customer: Customer, *, next_reference: str | None = None) -> None:
    """Email the customer a link that signs them in to their requests."""
    queue_mail(
        kind="portal-link",
        to=customer.email,
        template="portal_link",
        context={
            "customer": customer,
            "link": magic_link(customer, next_reference),
            "valid_days": max(1, settings.MAGIC_LINK_MAX_AGE // (24 * 3600)),
            "site_url": settings.SITE_URL,
        },
        headers={"Auto-Submitted": "auto-generated"},
    )


@transaction.atomic
def do_submit_request(
    *,
    name: str,
    email: str,
    subject: str,
    description: str,
    impact: str,
    urgency: str,
    category: Category | None = None,
    attachments: Sequence[UploadedFile] = (),
    time_zone: str = "",
) -> Ticket:
    """A request from the public form: the customer, a prioritised ticket and the acknowledgement mail."""
    customer, _ = do_find_or_create_customer(
        email=email, name=name, time_zone=time_zone, via="portal request form"
    )
    return do_create_ticket(
        customer=customer,
        subject=subject,
        body=description,
        channel=Channel.WEB,
        priority=priority_for(impact, urgency),
        category=category,
        attachments=attachments,
        impact=impact,
        urgency=urgency,
    )
