"""The local mail catcher: an SMTP server on loopback that keeps every message for /dev/mailbox/.

`helpwell run` starts it (as `helpwell mailcatcher`) and the default mail settings point at it, so a new
install sends real SMTP from the first minute and nobody's inbox receives demo mail. It accepts mail for
any address and delivers none of it onward.
"""

import base64
import logging
import re
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from typing import Any

import nh3
from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.db import close_old_connections, connection

from .models import CaughtMail

log = logging.getLogger(__name__)

# The mailbox is for watching mail flow, not an archive: older mail is pruned as new mail arrives.
KEEP = 2000
MAX_MESSAGE_BYTES = 32 * 1024 * 1024


def store_caught_mail(mail_from: str, rcpt_tos: list[str], raw: bytes) -> CaughtMail:
    """Keep one received message; the subject is decoded for the list, the rest stays raw."""
    try:
        headers = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
        subject = str(headers.get("subject", "") or "")
    except Exception:  # a broken header must not lose the mail
        subject = ""
    mail = CaughtMail.objects.create(
        mail_from=(mail_from or "")[:300],
        rcpt_to=", ".join(rcpt_tos)[:1000],
        subject=" ".join(subject.split())[:300],
        raw=raw,
    )
    if mail.pk % 100 == 0:
        cutoff = CaughtMail.objects.order_by("-pk").values_list("pk", flat=True)[KEEP : KEEP + 1]
        if cutoff:
            CaughtMail.objects.filter(pk__lte=cutoff[0]).delete()
    return mail


class CatcherHandler:
    """aiosmtpd handler: accept every recipient, store the message, answer 250."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            mail = await sync_to_async(self.store, thread_sensitive=True)(
                envelope.mail_from, list(envelope.rcpt_tos), raw
            )
        except Exception:
            log.exception("could not store a caught mail")
            return "451 Requested action aborted: local error in processing"
        log.info("caught mail %s to %s: %s", mail.pk, mail.rcpt_to, mail.subject)
        return "250 Message accepted for delivery"

    @staticmethod
    def store(mail_from: str, rcpt_tos: list[str], raw: bytes) -> CaughtMail:
        close_old_connections()
        try:
            return store_caught_mail(mail_from, rcpt_tos, raw)
        finally:
            # The catcher is idle most of the time; it holds no database connection between mails.
            connection.close()


def make_controller(host: str, port: int) -> Controller:
    return Controller(
        CatcherHandler(),
        hostname=host,
        port=port,
        ident="Helpwell mail catcher",
        data_size_limit=MAX_MESSAGE_BYTES,
        enable_SMTPUTF8=True,
    )


# --- reading caught mail back ---------------------------------------------------------------------

# Mail HTML keeps its layout (tables, inline styles) so the mailbox shows what the customer sees; scripts,
# event handlers, forms and unknown URL schemes go. It is shown in a sandboxed iframe under its own
# Content-Security-Policy as well, so remote images (trackers) never load.
MAIL_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "center", "code", "div", "em", "font", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
MAIL_ATTRIBUTES = {
    "*": {"style", "align", "valign", "width", "height", "bgcolor", "border", "cellpadding", "cellspacing",
          "role", "dir", "title", "color"},
    "a": {"href"},
    "img": {"src", "alt"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}  # fmt: skip
MAIL_STYLE_PROPERTIES = {
    "background", "background-color", "border", "border-bottom", "border-collapse", "border-color",
    "border-left", "border-radius", "border-right", "border-spacing", "border-style", "border-top",
    "border-width", "color", "display", "font", "font-family", "font-size", "font-style", "font-weight",
    "height", "letter-spacing", "line-height", "margin", "margin-bottom", "margin-left", "margin-right",
    "margin-top", "max-width", "min-width", "padding", "padding-bottom", "padding-left", "padding-right",
    "padding-top", "text-align", "text-decoration", "text-transform", "vertical-align", "white-space",
    "width", "word-break", "overflow-wrap",
}  # fmt: skip
INLINE_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
FRAME_HEAD = (
    '<meta charset="utf-8">'
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; '
    "style-src 'unsafe-inline'\">"
    '<base target="_blank">'
    "<style>body{margin:0;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;}</style>"
)
SUMMARY_HEADERS = ("From", "To", "Cc", "Reply-To", "Date", "Subject", "Message-ID", "In-Reply-To", "References",
                   "Auto-Submitted", "X-Helpwell-Ticket")  # fmt: skip
CID_SRC = re.compile(r'src="cid:([^"]+)"')


@dataclass
class Part:
    filename: str
    content_type: str
    size: int
    content_id: str = ""


@dataclass
class ReadMail:
    headers: list[tuple[str, str]]
    summary: list[tuple[str, str]]
    text: str
    html: str  # the srcdoc for the sandboxed frame; empty when the mail has no HTML part
    inline_images: list[Part] = field(default_factory=list)
    attachments: list[Part] = field(default_factory=list)
    ticket_reference: str = ""
    error: str = ""


def _content(part: Any) -> Any:
    try:
        return part.get_content()
    except Exception:  # wrong charset or broken encoding: show what we can
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload)


def clean_mail_html(raw_html: str, images: dict[str, tuple[str, bytes]]) -> str:
    """The srcdoc for the sandboxed frame: cleaned HTML with `cid:` images inlined as data URIs."""
    cleaned = nh3.clean(
        raw_html,
        tags=MAIL_TAGS,
        attributes=MAIL_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "cid"},
        link_rel="noopener noreferrer nofollow",
        filter_style_properties=MAIL_STYLE_PROPERTIES,
        strip_comments=True,
        clean_content_tags={"script", "style", "title"},
    )

    def inline(match: re.Match[str]) -> str:
        found = images.get(match.group(1))
        if found is None:
            return 'src=""'
        content_type, data = found
        return f'src="data:{content_type};base64,{base64.b64encode(data).decode("ascii")}"'

    return FRAME_HEAD + CID_SRC.sub(inline, cleaned)


def read_caught_mail(raw: bytes) -> ReadMail:
    """Parse a caught message for the mailbox: headers, the text part, a safe HTML part, images, files."""
    try:
        msg = BytesParser(policy=policy.default).parsebytes(bytes(raw))
    except Exception as exc:
        return ReadMail([], [], raw.decode("utf-8", "replace"), "", error=f"Could not parse this mail: {exc}")
    headers = [(k, str(v)) for k, v in msg.items()]
    summary = [(name, str(msg[name])) for name in SUMMARY_HEADERS if msg[name] is not None]
    text_part = msg.get_body(preferencelist=("plain",))
    html_part = msg.get_body(preferencelist=("html",))
    images: dict[str, tuple[str, bytes]] = {}
    inline_images: list[Part] = []
    attachments: list[Part] = []
    for part in msg.walk():
        if part.is_multipart() or part is text_part or part is html_part:
            continue
        payload = part.get_payload(decode=True) or b""
        content_id = str(part.get("Content-ID", "")).strip().strip("<>")
        entry = Part(part.get_filename() or "", part.get_content_type(), len(payload), content_id)
        if content_id and part.get_content_type() in INLINE_IMAGE_TYPES:
            images[content_id] = (part.get_content_type(), bytes(payload))  # type: ignore[arg-type]
            inline_images.append(entry)
        else:
            attachments.append(entry)
    return ReadMail(
        headers=headers,
        summary=summary,
        text=str(_content(text_part)) if text_part is not None else "",
        html=clean_mail_html(str(_content(html_part)), images) if html_part is not None else "",
        inline_images=inline_images,
        attachments=attachments,
        ticket_reference=str(msg.get("X-Helpwell-Ticket", "") or ""),
    )
