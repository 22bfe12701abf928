"""Polling IMAP mailboxes, each tied to a team: TLS or STARTTLS, password or OAuth2 (XOAUTH2).

A poll fetches the messages whose UID is above the last one seen (read with BODY.PEEK, so the
mailbox's own read state is left alone until the mail is stored), stores each through
ingest.receive and then flags it \\Seen. The last UID is saved after every message, so a poll that
dies half-way resumes where it stopped; if the server's UIDVALIDITY changes, the mailbox is read
again from the start and the Message-ID dedupe keeps that from creating anything twice.
"""

import contextlib
import imaplib
import logging
import re
import ssl

from django.utils import timezone

from ..models import InboundMail, Mailbox
from .ingest import receive

log = logging.getLogger(__name__)
BATCH = 200
TIMEOUT = 30


def connect(mailbox: Mailbox) -> imaplib.IMAP4:
    context = ssl.create_default_context()
    if not mailbox.verify_certificate:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    client: imaplib.IMAP4
    if mailbox.security == Mailbox.Security.SSL:
        client = imaplib.IMAP4_SSL(mailbox.host, mailbox.port, ssl_context=context, timeout=TIMEOUT)
    else:
        client = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT)
        if mailbox.security == Mailbox.Security.STARTTLS:
            client.starttls(ssl_context=context)
    if mailbox.auth == Mailbox.Auth.XOAUTH2:
        auth = f"user={mailbox.username}\x01auth=Bearer {mailbox.secret}\x01\x01".encode()
        client.authenticate("XOAUTH2", lambda _challenge: auth)
    else:
        client.login(mailbox.username, mailbox.secret)
    return client


def _uid_validity(client: imaplib.IMAP4) -> int | None:
    _typ, data = client.response("UIDVALIDITY")
    if data and data[0]:
        try:
            return int(data[0])
        except (TypeError, ValueError):
            return None
    return None


def poll(mailbox: Mailbox) -> int:
    """Fetch new mail from one mailbox; returns how many messages were stored (new or not)."""
    stored = 0
    try:
        client = connect(mailbox)
    except (OSError, imaplib.IMAP4.error, ssl.SSLError) as exc:
        _failed(mailbox, exc)
        return 0
    try:
        typ, _ = client.select(_quote(mailbox.folder))
        if typ != "OK":
            raise imaplib.IMAP4.error(f"cannot open folder {mailbox.folder!r}")
        validity = _uid_validity(client)
        if validity is not None and validity != mailbox.uid_validity:
            mailbox.uid_validity = validity
            mailbox.last_uid = 0
            mailbox.save(update_fields=["uid_validity", "last_uid"])
        typ, data = client.uid("search", f"UID {mailbox.last_uid + 1}:*")
        uids = sorted(int(u) for u in (data[0] or b"").split() if int(u) > mailbox.last_uid)[:BATCH]
        for uid in uids:
            typ, parts = client.uid("fetch", str(uid), "(BODY.PEEK[])")
            raw = next((p[1] for p in parts or [] if isinstance(p, tuple) and len(p) > 1), None)
            if typ != "OK" or raw is None:
                log.warning("mailbox %s: could not fetch UID %s", mailbox.pk, uid)
                break
            receive(bytes(raw), source=InboundMail.Source.IMAP, mailbox=mailbox)
            client.uid("store", str(uid), "+FLAGS", "(\\Seen)")
            mailbox.last_uid = uid
            mailbox.save(update_fields=["last_uid"])
            stored += 1
        mailbox.last_polled_at = timezone.now()
        mailbox.last_error = ""
        mailbox.save(update_fields=["last_polled_at", "last_error"])
    except (OSError, imaplib.IMAP4.error, ssl.SSLError) as exc:
        _failed(mailbox, exc)
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            client.logout()
    return stored


def _quote(folder: str) -> str:
    return folder if re.fullmatch(r"[A-Za-z0-9_./-]+", folder) else '"' + folder.replace('"', '\\"') + '"'


def _failed(mailbox: Mailbox, exc: BaseException) -> None:
    log.warning("mailbox %s (%s) failed: %s", mailbox.pk, mailbox.host, exc)
    mailbox.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    mailbox.last_polled_at = timezone.now()
    mailbox.save(update_fields=["last_error", "last_polled_at"])


def poll_all() -> int:
    """Sweep: poll every active mailbox."""
    return sum(poll(mailbox) for mailbox in Mailbox.objects.filter(is_active=True).select_related("team"))
