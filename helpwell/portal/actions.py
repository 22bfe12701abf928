"""What the customer portal changes: it finds or creates the customer, then hands over to tickets.actions."""

import zoneinfo
from collections.abc import Sequence

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from helpwell.mail.outbox import queue_mail
from helpwell.people.models import Customer, Organisation
from helpwell.system.audit import audit
from helpwell.tickets.actions import do_create_ticket
from helpwell.tickets.models import Category, Channel, Ticket

from .links import magic_link
from .triage import priority_for


def normalise_email(email: str) -> str:
    """Lower-case the domain (case-insensitive by standard); keep the local part as typed."""
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if local else email.strip()


@transaction.atomic
def do_find_or_create_customer(*, email: str, name: str, time_zone: str = "") -> tuple[Customer, bool]:
    """The customer with this email, or a new one.

    An existing customer keeps their name and time zone: anyone can type anyone's address into a
    public form, so what was typed there must never change who the customer is.
    """
    email = normalise_email(email)
    existing = Customer.objects.filter(email__iexact=email).first()
    if existing is not None:
        return existing, False
    domain = email.rpartition("@")[2]
    customer = Customer.objects.create(
        name=name.strip()[:200] or email,
        email=email,
        organisation=Organisation.objects.filter(domain__iexact=domain).first() if domain else None,
        time_zone=time_zone if time_zone in zoneinfo.available_timezones() else "UTC",
    )
    audit(customer, "customer.created", customer, {"via": "portal request form"})
    return customer, True


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
    customer, _ = do_find_or_create_customer(email=email, name=name, time_zone=time_zone)
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
