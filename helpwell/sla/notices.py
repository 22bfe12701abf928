"""Delay notices: tell the customers a known problem touches, before they have to ask."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from helpwell.lib.timefmt import local_time_phrase
from helpwell.mail.outbox import queue_mail
from helpwell.portal.links import magic_link
from helpwell.system import memo
from helpwell.system.audit import audit
from helpwell.system.queue import enqueue_with_transaction
from helpwell.tickets.models import Ticket

from .models import DelayNotice, NoticeDelivery, NoticeUpdate


def active_notices() -> QuerySet[DelayNotice]:
    return DelayNotice.objects.filter(is_active=True).order_by("-created_at")


def _rule(notice: DelayNotice) -> Q | None:
    if not notice.has_rule:
        return None
    rule = Q()
    if notice.category_id:
        rule &= Q(category_id=notice.category_id)
    if notice.tag:
        rule &= Q(tags__name=notice.tag.lower())
    if notice.search:
        rule &= Q(subject__icontains=notice.search)
    return rule


def matching_tickets(notice: DelayNotice) -> QuerySet[Ticket]:
    rule = _rule(notice)
    if rule is None:
        return Ticket.objects.none()
    return Ticket.objects.filter(rule, is_open__in=[True]).distinct()


def _link_matching(notice: DelayNotice) -> int:
    ids = list(matching_tickets(notice).values_list("pk", flat=True))
    notice.tickets.add(*ids)
    return len(ids)


FIELDS = ("title", "what_happened", "what_we_are_doing", "estimated_resolution", "category", "tag", "search")


@transaction.atomic
def do_open_notice(*, actor: Any, **data: Any) -> DelayNotice:
    """A lead opens a notice: matching open tickets are linked and their customers told, once."""
    if not str(data.get("title", "")).strip():
        raise ValidationError("A notice needs a title.")
    notice = DelayNotice.objects.create(created_by=actor, **{k: data.get(k) for k in FIELDS if k in data})
    linked = _link_matching(notice)
    update = NoticeUpdate.objects.create(
        notice=notice, body=notice.what_we_are_doing, estimated_resolution=notice.estimated_resolution
    )
    audit(actor, "sla.notice_opened", notice, {"title": notice.title, "linked_tickets": linked})
    _send_later(update)
    return notice


@transaction.atomic
def do_update_notice(
    notice: DelayNotice,
    *,
    actor: Any,
    body: str,
    estimated_resolution: datetime | None,
    resolved: bool = False,
) -> NoticeUpdate:
    """A later update (or the all-clear); every affected customer hears of it once."""
    if not body.strip():
        raise ValidationError("Say what changed.")
    changes: dict[str, Any] = {"update": body.strip()[:500]}
    if estimated_resolution != notice.estimated_resolution:
        changes["estimated_resolution"] = [
            notice.estimated_resolution.isoformat() if notice.estimated_resolution else None,
            estimated_resolution.isoformat() if estimated_resolution else None,
        ]
    notice.estimated_resolution = estimated_resolution
    notice.what_we_are_doing = body.strip()
    notice.updated_at = timezone.now()
    if resolved:
        notice.is_active = False
        changes["resolved"] = True
    notice.save()
    _link_matching(notice) if notice.is_active else None
    update = NoticeUpdate.objects.create(
        notice=notice, body=body.strip(), estimated_resolution=estimated_resolution, resolved=resolved
    )
    audit(actor, "sla.notice_updated", notice, changes)
    _send_later(update)
    return update


def link_new_ticket(ticket: Ticket) -> None:
    """A ticket that arrives while a notice is open and matches it joins the notice (and hears of it)."""
    for notice in memo.read("sla:active-notices", lambda: list(active_notices())):
        rule = _rule(notice)
        if rule is None or not Ticket.objects.filter(rule, pk=ticket.pk).exists():
            continue
        notice.tickets.add(ticket)
        latest = notice.updates.first()
        if latest is not None:
            _send_later(latest)


def _send_later(update: NoticeUpdate) -> None:
    from .tasks import send_notice_update

    enqueue_with_transaction(send_notice_update, update.pk)


def send_update(update_id: int) -> int:
    """Mail the update to each customer with a linked open ticket who has not had it; returns mails queued."""
    update = NoticeUpdate.objects.select_related("notice").filter(pk=update_id).first()
    if update is None:
        return 0
    notice = update.notice
    tickets = notice.tickets.filter(is_open__in=[True]).select_related("customer").order_by("pk")
    if update.resolved:  # the all-clear goes to everyone who heard of the problem
        tickets = notice.tickets.select_related("customer").order_by("pk")
    told = set(NoticeDelivery.objects.filter(update=update).values_list("customer_id", flat=True))
    sent = 0
    for ticket in tickets:
        customer = ticket.customer
        if customer.pk in told:
            continue
        told.add(customer.pk)
        try:
            with transaction.atomic():
                NoticeDelivery.objects.create(update=update, customer=customer)
                queue_mail(
                    kind="delay-notice",
                    to=customer.email,
                    template="delay_notice",
                    context={
                        "notice": notice,
                        "update": update,
                        "ticket": ticket,
                        "customer": customer,
                        "eta": (
                            local_time_phrase(update.estimated_resolution, customer.zone)
                            if update.estimated_resolution
                            else ""
                        ),
                        "link": magic_link(customer, ticket.reference),
                        "site_url": settings.SITE_URL,
                    },
                    ticket=ticket,
                    # Auto-Submitted keeps auto-responders from answering; we never answer them either.
                    headers={"Auto-Submitted": "auto-generated", "X-Helpwell-Ticket": ticket.reference},
                )
        except IntegrityError:  # another worker told this customer in the same instant
            continue
        sent += 1
    return sent
