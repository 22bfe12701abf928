"""Helpers for inbound mail tests: build a real RFC 5322 message as a mail client would send it."""

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from django.utils import timezone

SUPPORT = "support@helpwell.localhost"


def build_mail(
    *,
    sender: str = "Carol Chen <carol@acme.example>",
    to: str = SUPPORT,
    subject: str = "My invoice is wrong",
    text: str = "Hello, I was charged twice for March.",
    html: str | None = None,
    cc: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = message_id or make_msgid(domain="client.example")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for filename, data, content_type in attachments:
        maintype, subtype = content_type.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


def header_of(raw: bytes, name: str) -> Any:
    from email import message_from_bytes, policy

    return message_from_bytes(raw, policy=policy.default)[name]
