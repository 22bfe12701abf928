"""The one way Helpwell sends mail: render a template, store a row, deliver from the worker."""

import logging
import mimetypes
from datetime import timedelta
from email.mime.image import MIMEImage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from .models import OutgoingMail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A claim older than this means the worker died mid-send; the mail is tried again
# with the same Message-ID, so a receiver that did get it can drop the copy.
STALE_CLAIM = timedelta(minutes=10)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 6 * 3600))


def render_mail(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Render mail/<template>/{subject.txt,body.txt,body.html}."""
    subject = render_to_string(f"mail/{template}/subject.txt", context).strip().replace("\n", " ")
    text = render_to_string(f"mail/{template}/body.txt", context).strip() + "\n"
    html = render_to_string(f"mail/{template}/body.html", context)
    return subject, text, html


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
    mail = OutgoingMail.objects.create(
        kind=kind,
        ticket=ticket,
        from_email=from_email,
        to=to,
        subject=subject,
        body_text=text,
        body_html=html,
        headers=headers or {},
        inline_images=inline_images or {},
        message_id=make_msgid(domain=domain),
    )
    transaction.on_commit(lambda: deliver_mail.enqueue(mail.pk))
    return mail


def build_message(mail: OutgoingMail) -> EmailMultiAlternatives:
    headers = {"Message-ID": mail.message_id, **mail.headers}
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.body_text,
        from_email=mail.from_email,
        to=[a.strip() for a in mail.to.split(",") if a.strip()],
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
        status=OutgoingMail.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
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
        | Q(status=OutgoingMail.Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
    ).values_list("pk", flat=True)[:limit]
    return sum(1 for pk in list(due) if deliver(pk) == "sent")
