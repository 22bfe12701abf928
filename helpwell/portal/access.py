"""Who the portal visitor is, and what they may see. Every portal view asks here.

A visitor is a customer only through a magic link (session["portal_customer_id"]); typing an
email address into a form proves nothing, so the request form grants sight of one confirmation
page (the references in session["portal_submitted"]) and nothing else.
Anything a customer may not see answers 404, exactly like something that does not exist.
"""

from typing import Any

from django.http import Http404

from helpwell.people.models import Customer
from helpwell.tickets.access import get_ticket_for_customer
from helpwell.tickets.models import Attachment, Message, Ticket

from .links import rating_from_token

SESSION_CUSTOMER = "portal_customer_id"
SESSION_SALT = "portal_customer_salt"
SESSION_SUBMITTED = "portal_submitted"
MAX_REMEMBERED_SUBMISSIONS = 20


def sign_in(request: Any, customer: Customer) -> None:
    """Make this browser session the customer's; a new session key defeats session fixation."""
    request.session.cycle_key()
    request.session[SESSION_CUSTOMER] = customer.pk
    # Remember the salt: rotating it (revoking links) also signs out every session.
    request.session[SESSION_SALT] = customer.access_salt


def sign_out(request: Any) -> None:
    request.session.flush()


def portal_customer(request: Any) -> Customer | None:
    """The signed-in customer, or None. Cached on the request."""
    if hasattr(request, "_portal_customer"):
        return request._portal_customer
    customer = None
    customer_id = request.session.get(SESSION_CUSTOMER)
    if customer_id:
        customer = Customer.objects.filter(pk=customer_id).first()
        if customer is None or customer.access_salt != request.session.get(SESSION_SALT):
            customer = None
            request.session.pop(SESSION_CUSTOMER, None)
            request.session.pop(SESSION_SALT, None)
    request._portal_customer = customer
    return customer


def remember_submission(request: Any, reference: str) -> None:
    submitted = [r for r in request.session.get(SESSION_SUBMITTED, []) if r != reference]
    request.session[SESSION_SUBMITTED] = [*submitted, reference][-MAX_REMEMBERED_SUBMISSIONS:]


def get_submitted_ticket(request: Any, reference: str) -> Ticket:
    """The ticket this browser session just submitted (for the confirmation page only)."""
    if reference.upper() not in request.session.get(SESSION_SUBMITTED, []):
        raise Http404("No such request.")
    try:
        return Ticket.objects.select_related("priority", "customer").get(reference=reference.upper())
    except Ticket.DoesNotExist:
        raise Http404("No such request.") from None


def get_request_for_customer(customer: Customer, reference: str) -> Ticket:
    return get_ticket_for_customer(customer, reference)


def get_attachment_for_customer(customer: Customer, pk: int) -> Attachment:
    """An attachment of a public message on one of the customer's own tickets."""
    try:
        return Attachment.objects.select_related("message").get(
            pk=pk, message__kind=Message.Kind.PUBLIC, message__ticket__customer=customer
        )
    except Attachment.DoesNotExist:
        raise Http404("No such file.") from None


def get_rating_ticket(token: str) -> tuple[Ticket, Customer]:
    """The ticket a rating link stands for, and its customer; 404 for a bad, expired or revoked token."""
    found = rating_from_token(token)
    if found is None:
        raise Http404("This rating link is not valid.")
    ticket_id, customer = found
    try:
        ticket = Ticket.objects.select_related("priority", "assignee__agent").get(
            pk=ticket_id, customer=customer
        )
    except Ticket.DoesNotExist:
        raise Http404("This rating link is not valid.") from None
    return ticket, customer


def safe_next_reference(customer: Customer, reference: str | None) -> str | None:
    """The reference to go to after signing in, if it is one of the customer's; never a URL."""
    if not reference:
        return None
    reference = reference.strip().upper()
    if Ticket.objects.filter(reference=reference, customer=customer).exists():
        return reference
    return None
