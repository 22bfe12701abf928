"""Passwordless access: signed, expiring links that stand for one customer (and, for ratings, one ticket)."""

from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.urls import reverse

from helpwell.people.models import Customer

MAGIC_SALT = "helpwell.portal.magic"
RATING_SALT = "helpwell.portal.rating"


def make_token(customer: Customer) -> str:
    return signing.dumps({"c": customer.pk, "s": customer.access_salt}, salt=MAGIC_SALT, compress=True)


def customer_from_token(token: str) -> Customer | None:
    try:
        data = signing.loads(token, salt=MAGIC_SALT, max_age=settings.MAGIC_LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    customer = Customer.objects.filter(pk=data.get("c")).first()
    # A rotated salt revokes every link sent before.
    if customer is None or customer.access_salt != data.get("s"):
        return None
    return customer


def magic_link(customer: Customer, reference: str | None = None) -> str:
    url = settings.SITE_URL + reverse("portal-access", args=[make_token(customer)])
    if reference:
        url += "?" + urlencode({"next": reference})
    return url


def rating_token(ticket_id: int, customer: Customer) -> str:
    return signing.dumps({"t": ticket_id, "c": customer.pk, "s": customer.access_salt}, salt=RATING_SALT)


def rating_from_token(token: str) -> tuple[int, Customer] | None:
    try:
        data = signing.loads(token, salt=RATING_SALT, max_age=60 * 24 * 3600)
    except signing.BadSignature:
        return None
    customer = Customer.objects.filter(pk=data.get("c")).first()
    if customer is None or customer.access_salt != data.get("s"):
        return None
    return int(data["t"]), customer


def rating_link(ticket_id: int, customer: Customer, score: int) -> str:
    return settings.SITE_URL + reverse("portal-rate", args=[rating_token(ticket_id, customer), score])
