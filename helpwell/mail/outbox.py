"""The one way Helpwell sends mail: render a template, store a row, deliver from the worker."""

import logging
import mimetypes
import secrets
from datetime import timedelta
from email.mime.image import MIMEImage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import MailMessageId, MailParticipant, MailThread, OutgoingMail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A claim older than this means the worker died mid-send; the mail is tried again
# with the same Message-ID, so a receiver that did get it can drop the copy.
STALE_CLAIM = timedelta(minutes=10)


def stale_claim() -> timedelta:
    return (
        timedelta(seconds=settings.MAIL_STALE_CLAIM_SECONDS)
        if settings.MAIL_STALE_CLAIM_SECONDS
        else STALE_CLAIM
    )


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 6 * 3600))


def render_mail(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Render mail/<template>/{subject.txt,body.txt,body.html}, or a lead's override of each part."""
    from .templates_store import render_mail as render

    return render(template, context)


def queue_mail(
    *,
    kind: str,
    to: str,
    template: str,
    context: dict[str, Any],
    ticket: Any = None,
    from_name: str | None = None,
    headers: dict[str, str] | None = None,
    inline_images: dict[str, str] | None = None,
) -> OutgoingMail:
    """Store a mail to send; it goes out after the surrounding transaction commits."""
    from .tasks import deliver_mail

    subject, text, html = render_mail(template, context)
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1]
    from_email = settings.DEFAULT_FROM_EMAIL
    if from_name:
        from_email = f'"{from_name.replace(chr(34), "")}" <{settings.DEFAULT_FROM_EMAIL}>'
    headers = dict(headers or {})
    if kind not in HUMAN_KINDS:
        # Written by no person: RFC 3834 says so, and well-behaved robots will not answer it.
        headers.setdefault("Auto-Submitted", "auto-generated")
    message_id = make_msgid(domain=domain)
    if ticket is not None:
        headers.update(ticket_mail_headers(ticket, kind=kind, to=to))
    mail = OutgoingMail.objects.create(
        kind=kind,
        ticket=ticket,
        from_email=from_email,
        to=to,
        subject=subject,
        body_text=text,
        body_html=html,
        headers=headers,
        inline_images=inline_images or {},
        message_id=message_id,
    )
    if ticket is not None:
        MailMessageId.objects.create(
            message_id=message_id.strip("<>"), ticket=ticket, direction=MailMessageId.Direction.OUT
        )
    transaction.on_commit(lambda: deliver_mail.enqueue(mail.pk))
    return mail


# Mail a person wrote (an agent's reply); everything else Helpwell sends is automatic.
HUMAN_KINDS = ("reply",)
# Mail to the customer that the customer's CC'd colleagues receive too.
CUSTOMER_KINDS = ("reply", "csat-request")
REFERENCES_KEPT = 10


def reply_address(ticket: Any) -> str:
    """support+<token>@domain: a reply to it lands on this ticket whatever the subject says."""
    thread = MailThread.objects.filter(ticket=ticket).first()
    if thread is None:
        thread, _ = MailThread.objects.get_or_create(ticket=ticket, defaults={"token": secrets.token_hex(8)})
    local, _, domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")
    return f"{local}+{thread.token}@{domain}"


def ticket_mail_headers(ticket: Any, *, kind: str, to: str) -> dict[str, str]:
    """Reply-To, In-Reply-To and References from every Message-ID on the ticket, and CCs."""
    headers = {"Reply-To": reply_address(ticket), "X-Helpwell-Ticket": ticket.reference}
    known = list(
        MailMessageId.objects.filter(ticket=ticket)
        .order_by("created_at", "pk")
        .values_list("message_id", flat=True)
    )
    if known:
        # The first mail of the thread and the latest ones, as RFC 5322 suggests for long threads.
        kept = known[:1] + known[1:][-(REFERENCES_KEPT - 1) :]
        headers["References"] = " ".join(f"<{m}>" for m in kept)
        headers["In-Reply-To"] = f"<{known[-1]}>"
    if kind in CUSTOMER_KINDS:
        addressed = {a.strip().lower() for a in to.split(",")}
        cc = [
            p.email for p in MailParticipant.objects.filter(ticket=ticket) if p.email.lower() not in addressed
        ]
        if cc:
            headers["Cc"] = ", ".join(cc)
    return headers


def build_message(mail: OutgoingMail) -> EmailMultiAlternatives:
    headers = {"Message-ID": mail.message_id, **mail.headers}
    cc = [a.strip() for a in headers.pop("Cc", "").split(",") if a.strip()]
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.body_text,
        from_email=mail.from_email,
        to=[a.strip() for a in mail.to.split(",") if a.strip()],
        cc=cc,
        headers=headers,
    )
    if mail.body_html:
        message.attach_alternative(mail.body_html, "text/html")
        for cid, relative_path in mail.inline_images.items():
            path = Path(settings.MEDIA_ROOT) / relative_path
            if not path.is_file():
                continue
            subtype = (mimetypes.guess_type(path.name)[0] or "image/png").split("/")[1]
            image = MIMEImage(path.read_bytes(), _subtype=subtype)
            image.add_header("Content-ID", f"<{cid}>")
            image.add_header("Content-Disposition", "inline", filename=path.name)
            message.attach(image)
            # multipart/related: the HTML part refers to the image by its cid.
            message.mixed_subtype = "related"  # type: ignore[attr-defined]
    return message


def claim(mail_id: int) -> OutgoingMail | None:
    """Take a mail for sending with a conditional UPDATE, so two workers never both send it."""
    now = timezone.now()
    claimable = Q(status=OutgoingMail.Status.QUEUED) | Q(
        status=OutgoingMail.Status.SENDING, claimed_at__lt=now - stale_claim()
    )
    updated = OutgoingMail.objects.filter(claimable, pk=mail_id).update(
        status=OutgoingMail.Status.SENDING, claimed_at=now
    )
    return OutgoingMail.objects.get(pk=mail_id) if updated else None


def deliver(mail_id: int) -> str:
    mail = claim(mail_id)
    if mail is None:
        return "not-claimed"
    mail.attempts += 1
    try:
        if not get_connection(fail_silently=False).send_messages([build_message(mail)]):
            raise RuntimeError("the mail server accepted no recipient")
    except Exception as exc:  # any failure of the SMTP server must leave the mail queued, never lost
        mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if mail.attempts >= MAX_ATTEMPTS:
            mail.status = OutgoingMail.Status.FAILED
        else:
            mail.status = OutgoingMail.Status.QUEUED
            mail.next_attempt_at = timezone.now() + backoff(mail.attempts)
        mail.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
        log.warning("mail %s failed (attempt %s): %s", mail.pk, mail.attempts, mail.last_error)
        return "retry" if mail.status == OutgoingMail.Status.QUEUED else "failed"
    mail.status = OutgoingMail.Status.SENT
    mail.sent_at = timezone.now()
    mail.last_error = ""
    mail.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    return "sent"


def deliver_due(limit: int = 200) -> int:
    """Sweep: deliver mail whose retry time has come (and sends a dead worker left behind)."""
    now = timezone.now()
    due = OutgoingMail.objects.filter(
        Q(status=OutgoingMail.Status.QUEUED, next_attempt_at__lte=now)
        | Q(status=OutgoingMail.Status.SENDING, claimed_at__lt=now - stale_claim())
    ).values_list("pk", flat=True)[:limit]
    return sum(1 for pk in list(due) if deliver(pk) == "sent")
