"""The one way mail comes in: store the raw bytes, then parse, thread and act.

Every way in (SMTP/LMTP listener, IMAP poller, HTTP endpoint, `helpwell import-mail`) calls
`receive()` (the import through `receive_many()`, many mails per transaction). It stores the raw
message under its Message-ID (or a digest of its bytes) first, so a redelivery is a no-op and a mail
that fails to parse is kept, listed for admins and retried later.
`process()` then decides, in one transaction, what the mail is to the help desk:

* a bounce (RFC 3464): the address is flagged as bouncing and a note goes on the ticket it was about;
* an automatic reply (out of office, list, robot): recorded on its ticket as a note without
  reopening it or touching its clock, never answered;
* a reply: threaded by the per-ticket reply address, then In-Reply-To/References against every
  Message-ID Helpwell sent or received, then the [HW-XXXXXXX] reference in the subject; a reply
  from someone who is not on the ticket is held for review (or, when only the subject matched,
  starts a ticket of its own, so an old forwarded subject cannot land in another customer's ticket);
* anything else: a new ticket, acknowledged unless the per-sender cap says the sender is a robot.
"""

import hashlib
import html as htmlmod
import itertools
import logging
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from email.utils import parseaddr
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from helpwell.guidelines.actions import open_reviews_for_batch
from helpwell.people.actions import customer_memo_key, do_find_or_create_customer, look_up_customers_for_batch
from helpwell.people.models import Customer, Team
from helpwell.system import deferred, memo
from helpwell.tickets import actions as ticket_actions
from helpwell.tickets.models import Channel, Message, Ticket

from ..models import BouncingAddress, InboundMail, Mailbox, MailMessageId, MailParticipant, MailThread
from . import dsn, loops
from .parse import ParsedMail, message_ids, parse_message, sanitise_mail_html, strip_mbox_line
from .quotes import fold_body

log = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
# More mail than this from one address in an hour is a robot: it is kept but not acted on.
SENDER_HOURLY_CAP = 30
# At most this many acknowledgements to one address an hour: two robots cannot talk forever.
ACK_SENDER_CAP = 3
# At most this many automatic mails (out-of-office, robots) recorded on one ticket an hour.
TICKET_AUTO_CAP = 5
ACKNOWLEDGED = Q(kind=InboundMail.Kind.NEW, status=InboundMail.Status.PROCESSED, note="")
REFERENCE_IN_SUBJECT = re.compile(r"\[(HW-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{7})\]")
STRONG = ("reply address", "In-Reply-To/References")


@dataclass
class Head:
    """What the headers alone say: enough to store the mail once and to look up, for a whole batch at
    once, what processing it will ask for. Never more than a hint: processing reads the full parse."""

    key: str
    message_id: str
    sender: str = ""
    referred_ids: list[str] = field(default_factory=list)
    # Sent by a machine, or to a ticket's own address or with a reference in the subject.
    not_plain: bool = True


def read_head(raw: bytes) -> Head:
    """The key a mail is stored under is its Message-ID when it has one, else a digest of its bytes."""
    try:
        headers = BytesParser(policy=policy.compat32).parsebytes(
            strip_mbox_line(raw[:65536]), headersonly=True
        )
        ids = message_ids(str(headers.get("message-id") or ""))
    except Exception:  # headers the parser cannot read: the digest still identifies the mail
        return Head("sha256:" + hashlib.sha256(raw).hexdigest(), "")
    message_id = ids[0][:300] if ids else ""
    head = Head(message_id or "sha256:" + hashlib.sha256(raw).hexdigest(), message_id)
    try:
        head.sender = parseaddr(str(headers.get("from") or ""))[1].strip().lower()
        head.referred_ids = message_ids(str(headers.get("in-reply-to") or "")) + message_ids(
            str(headers.get("references") or "")
        )
        subject = str(headers.get("subject") or "")
        recipients = " ".join(str(headers.get(name) or "") for name in ("to", "cc", "delivered-to"))
        head.not_plain = bool(
            "HW-" in subject
            or "+" in recipients
            or any(headers.get(name) for name in MACHINE_HEADERS)
            or "report" in str(headers.get("content-type") or "").lower()
        )
    except Exception:  # noqa: BLE001 - only a hint; the full parse decides and reports
        head.not_plain = True
    return head


MACHINE_HEADERS = ("auto-submitted", "precedence", "list-id", "x-auto-response-suppress", "x-autoreply")


def receive(
    raw: bytes,
    *,
    source: str,
    mailbox: Mailbox | None = None,
    team: Team | None = None,
    envelope_from: str | None = None,
    envelope_to: list[str] | tuple[str, ...] = (),
    process_now: bool = True,
    head: Head | None = None,
) -> tuple[InboundMail, bool]:
    """Store a raw mail (once per Message-ID) and process it; returns (row, whether it was new)."""
    head = head or read_head(raw)
    key, message_id = head.key, head.message_id
    if deferred.active() and memo.peek("mail:stored-keys") is not None:
        return _receive_in_batch(raw, head, source=source, team=team)
    try:
        with transaction.atomic():
            inbound = InboundMail.objects.create(
                dedupe_key=key,
                message_id=message_id,
                raw=raw,
                size=len(raw),
                source=source,
                mailbox=mailbox,
                team=team or (mailbox.team if mailbox else None),
                envelope_from=(envelope_from or "")[:320],
                envelope_to=", ".join(envelope_to)[:1000],
            )
    except IntegrityError:  # delivered before (the unique index says so): nothing new
        return InboundMail.objects.get(dedupe_key=key), False
    if process_now:
        process(inbound, fresh=True)
    else:
        from ..tasks import process_inbound_mail

        transaction.on_commit(lambda: process_inbound_mail.enqueue(inbound.pk))
    return inbound, True


def _receive_in_batch(raw: bytes, head: Head, *, source: str, team: Team | None) -> tuple[InboundMail, bool]:
    """receive() inside a batch: the batch looked up which of its mails were stored before, so the row is
    queued (system.deferred) and written with its outcome at the batch's end, in the same transaction
    as everything the mail led to, rather than inserted now and updated after."""
    stored = memo.peek("mail:stored-keys")
    if head.key in stored:
        return stored[head.key], False
    inbound = deferred.insert(
        InboundMail(dedupe_key=head.key, message_id=head.message_id, raw=raw, size=len(raw), source=source,
                    team=team, received_at=timezone.now())
    )  # fmt: skip
    stored[head.key] = inbound
    process(inbound, fresh=True)
    return inbound, True


# A bulk import commits every BATCH_MAILS mails or BATCH_SECONDS, whichever comes first: one commit
# (one WAL flush on PostgreSQL) for many mails, while SQLite's single writer is never held for long.
# PostgreSQL locks only the rows a batch writes, so its batches may take longer.
BATCH_MAILS = 100
BATCH_SECONDS = 0.25
BATCH_SECONDS_POSTGRES = 1.0


def receive_many(
    raws: Iterable[bytes],
    *,
    source: str,
    team: Team | None = None,
    batch_mails: int = BATCH_MAILS,
    batch_seconds: float | None = None,
) -> Iterator[tuple[InboundMail, bool]]:
    """`receive()` for a stream of mail (`helpwell import-mail`), a batch of them per transaction.

    Yields (row, whether it was new) once the batch holding it has committed. Each mail succeeds or
    fails alone (`deferred.item()`, a savepoint once it needs one), so a duplicate or a mail that fails
    is recorded as such and never undoes the others. A crash in the middle of a batch loses nothing:
    the batch rolls back, its mails are still in the source, and importing again skips those already
    stored (by Message-ID)."""
    if batch_seconds is None:
        batch_seconds = BATCH_SECONDS_POSTGRES if connection.vendor == "postgresql" else BATCH_SECONDS
    stream = iter(raws)
    size = 1  # batches grow while they fit in batch_seconds, and shrink when they do not
    while True:
        batch = list(itertools.islice(stream, size))
        if not batch:
            return
        started = time.monotonic()
        try:
            done = _receive_batch(batch, source=source, team=team)
        except DatabaseError:
            # The batch's writes were refused at its end (a ticket reference drawn twice, say): it rolled
            # back whole, so each of its mails is received again on its own.
            log.warning("a batch of %d mails was refused as a whole; receiving them one by one", len(batch))
            done = [receive(raw, source=source, team=team) for raw in batch]
        took = time.monotonic() - started
        size = (
            min(batch_mails, size * 2)
            if took < batch_seconds / 2
            else max(1, size // 2 if took > batch_seconds else size)
        )
        yield from done


def _receive_batch(raws: list[bytes], *, source: str, team: Team | None) -> list[tuple[InboundMail, bool]]:
    """Receive these mails in one transaction; returns what `receive()` returned for each, in order.

    What the batch's mails will look up (their senders as customers, the Message-IDs they answer,
    how much mail each sender sent in the last hour, rarely changing rows such as the SLA policies) is
    read once for the whole batch into its memo (system.memo), and its new rows are written a table at
    a time (system.deferred). Plain new requests go first, then replies and machine mail, so that a
    reply finds every ticket of the batch already written (a reply to a request of the same batch still
    comes after it); mails that do not depend on each other may be handled in any order."""
    heads = [read_head(raw) for raw in raws]
    done: dict[int, tuple[InboundMail, bool]] = {}
    with transaction.atomic(), memo.per_batch(), deferred.deferring(rows_per_table=2 * len(raws)):
        _look_up_for_batch(heads)
        # First what will most likely open a ticket: plain mail that answers nothing known (a reply to
        # a mail Helpwell never saw starts a ticket too).
        known, in_batch = memo.peek("mail:known-ids") or {}, {h.message_id for h in heads}
        answers = [h.not_plain or any(known.get(m) or m in in_batch for m in h.referred_ids) for h in heads]
        for i in sorted(range(len(raws)), key=lambda i: (answers[i], i)):
            done[i] = receive(raws[i], source=source, team=team, head=heads[i])
    return [done[i] for i in range(len(raws))]


def _look_up_for_batch(heads: list[Head]) -> None:
    keys = {h.key for h in heads}
    memo.remember("mail:automatic-in-batch", {})
    memo.remember(
        "mail:stored-keys", {m.dedupe_key: m for m in InboundMail.objects.filter(dedupe_key__in=keys)}
    )
    senders = {h.sender for h in heads if "@" in h.sender}
    look_up_customers_for_batch(senders)
    open_reviews_for_batch(c.pk for s in senders for c in memo.peek(customer_memo_key(s), []))
    # How much mail each sender sent in the last hour (SENDER_HOURLY_CAP, ACK_SENDER_CAP), kept up to
    # date by process() as the batch goes on.
    counts = (
        InboundMail.objects.filter(from_email__in=senders, received_at__gte=timezone.now() - HOUR)
        .values("from_email")
        .annotate(total=Count("pk"), acknowledged=Count("pk", filter=ACKNOWLEDGED))
    )
    recent = {s: {"total": 0, "acknowledged": 0} for s in senders}
    for row in counts:
        if row["from_email"] in recent:
            recent[row["from_email"]] = {"total": row["total"], "acknowledged": row["acknowledged"]}
    for sender, count in recent.items():
        memo.remember(f"mail:recent:{sender}", count)
    # Every Message-ID the batch answers or refers to, with its ticket.
    referred = list({mid for h in heads for mid in h.referred_ids[:50]})
    known = MailMessageId.objects.filter(message_id__in=referred).select_related("ticket__customer")
    by_id = {m.message_id: m.ticket for m in known}
    memo.remember("mail:known-ids", {mid: by_id.get(mid) for mid in referred})


def process(inbound: InboundMail, *, fresh: bool = False) -> str:
    """Parse and act on a stored mail; a failure is recorded on the row, never raised or lost.

    `fresh`: the row was stored a moment ago by this process, so nobody else can hold it yet."""
    if not fresh:
        # Claimed with a conditional UPDATE, so the task and the stale-mail sweep never both act on it.
        claimed = InboundMail.objects.filter(pk=inbound.pk, attempts=inbound.attempts).update(
            attempts=inbound.attempts + 1
        )
        if not claimed:
            return "not-claimed"
    inbound.attempts += 1
    try:
        with deferred.item():  # atomic(), with its savepoint set only once a statement needs it
            outcome = _process(inbound)
    except Exception as exc:  # noqa: BLE001 - the mail is kept, marked failed and listed for admins
        log.exception("inbound mail %s failed", inbound.pk)
        inbound.status = InboundMail.Status.FAILED
        inbound.failure_reason = f"{type(exc).__name__}: {exc}"[:2000]
        inbound.processed_at = timezone.now()
        deferred.save_fields(inbound, ["status", "failure_reason", "attempts", "processed_at"])
        outcome = "failed"
    _count_for_sender(inbound)
    return outcome


def _count_for_sender(inbound: InboundMail) -> None:
    """Keep a batch's count of each sender's recent mail as the database would now answer it."""
    recent = memo.peek(f"mail:recent:{inbound.from_email}")
    if recent is not None:
        recent["total"] += 1
        new, processed = InboundMail.Kind.NEW, InboundMail.Status.PROCESSED
        if inbound.kind == new and inbound.status == processed and not inbound.note:
            recent["acknowledged"] += 1


@dataclass
class Match:
    ticket: Ticket | None = None
    how: str = ""


def recipients_of(mail: ParsedMail, inbound: InboundMail) -> list[str]:
    addresses = [a.strip() for a in inbound.envelope_to.split(",") if a.strip()]
    addresses += [addr for _, addr in mail.to + mail.cc]
    for name in ("delivered-to", "x-original-to"):
        if mail.header(name):
            addresses.append(mail.header(name).strip().strip("<>"))
    return addresses


def find_ticket(mail: ParsedMail, recipients: list[str]) -> Match:
    own_local, own_domain = loops.own_addresses()
    token_re = re.compile(rf"^{re.escape(own_local)}\+([a-z0-9]{{6,32}})@{re.escape(own_domain)}$", re.I)
    for address in recipients:
        found = token_re.match(address.strip())
        if found:
            thread = MailThread.objects.select_related("ticket").filter(token=found.group(1).lower()).first()
            if thread is not None:
                return Match(thread.ticket, "reply address")
    ids = list(dict.fromkeys(mail.in_reply_to + list(reversed(mail.references))))
    if ids:
        looked_up = memo.peek("mail:known-ids")  # a bulk job's batch: looked up at once, and kept current
        if looked_up is not None and all(mid in looked_up for mid in ids[:50]):
            for mid in ids[:50]:
                if looked_up[mid] is not None:
                    return Match(looked_up[mid], "In-Reply-To/References")
            ids = []
        known = {m.message_id: m.ticket_id for m in MailMessageId.objects.filter(message_id__in=ids[:50])}
        for mid in ids:
            if mid in known:
                return Match(Ticket.objects.get(pk=known[mid]), "In-Reply-To/References")
    reference = REFERENCE_IN_SUBJECT.search(mail.subject)
    if reference:
        ticket = Ticket.objects.filter(reference=reference.group(1)).first()
        if ticket is not None:
            return Match(ticket, "subject reference")
    return Match()


def is_participant(ticket: Ticket, address: str) -> bool:
    address = address.strip().lower()
    if ticket.customer.email.lower() == address:
        return True
    return MailParticipant.objects.filter(ticket=ticket, email__iexact=address).exists()


def _files(mail: ParsedMail) -> tuple[list[SimpleUploadedFile], list[str]]:
    """The attachments to keep, and the names of those refused for their size."""
    kept, refused = [], []
    for attachment in mail.attachments:
        if attachment.size > settings.ATTACHMENT_MAX_BYTES:
            refused.append(attachment.filename)
            continue
        kept.append(
            SimpleUploadedFile(attachment.filename or "file", attachment.data, attachment.content_type)
        )
    return kept, refused


def _body(mail: ParsedMail, inbound: InboundMail) -> tuple[str, str]:
    """(text, sanitised HTML) of the new part; the full text is kept on the inbound row."""
    inbound.full_text = mail.body_text[:1_000_000]
    new_text, new_html, _quoted = fold_body(mail.body_text, mail.raw_html)
    html = inline_images_to_urls(sanitise_mail_html(new_html), inbound) if new_html else ""
    if not new_text.strip():
        new_text = "(This mail has no text.)" if not mail.attachments else "(Attachments only.)"
    return new_text, html


CID_SRC = re.compile(r'src="cid:([^"]+)"')


def inline_images_to_urls(html: str, inbound: InboundMail) -> str:
    """`cid:` images (a logo in a signature, a pasted screenshot) point at the mail app's own view of
    that part, which only agents who may see the ticket can open; remote images were already removed."""

    def url(match: re.Match[str]) -> str:
        cid = htmlmod.unescape(match.group(1))
        return f'src="{reverse("mail-inline-image", args=[inbound.pk])}?cid={quote(cid, safe="")}"'

    return CID_SRC.sub(url, html)


def _remember(mail: ParsedMail, ticket: Ticket, message: Message | None) -> None:
    if mail.message_id:
        # A Message-ID already known (a copy sent to two of our addresses) is left as it is.
        deferred.insert(
            MailMessageId(message_id=mail.message_id, ticket=ticket, ticket_message=message,
                          direction=MailMessageId.Direction.IN),
            ignore_conflicts=True,
        )  # fmt: skip
        looked_up = memo.peek("mail:known-ids")
        if looked_up is not None and looked_up.get(mail.message_id) is None:
            looked_up[mail.message_id] = ticket


def _add_participants(mail: ParsedMail, ticket: Ticket, recipients: list[str]) -> None:
    """People CC'd (or also addressed) on a customer's mail receive the replies too."""
    skip = {ticket.customer.email.lower(), mail.from_email.lower()}
    for name, address in mail.to + mail.cc:
        address = address.strip()
        if "@" not in address or address.lower() in skip or loops.is_own_address(address):
            continue
        if address.lower() in {r.lower() for r in recipients if loops.is_own_address(r)}:
            continue
        MailParticipant.objects.get_or_create(
            ticket=ticket, email=address.lower()[:254], defaults={"name": name}
        )
        skip.add(address.lower())


def _finish(inbound: InboundMail, status: str, kind: str, *, ticket: Ticket | None = None,
            message: Message | None = None, note: str = "") -> str:  # fmt: skip
    inbound.status = status
    inbound.kind = kind
    inbound.ticket = ticket
    inbound.ticket_message = message
    inbound.note = note[:300]
    inbound.failure_reason = ""
    inbound.processed_at = timezone.now()
    # Never rewrite the raw bytes: they were stored once, before anything else happened.
    deferred.save_fields(inbound, ["status", "kind", "ticket", "ticket_message", "note", "failure_reason", "attempts",
                                "processed_at", "from_email", "subject", "message_id", "full_text"])  # fmt: skip
    return kind or status


def _customer(mail: ParsedMail) -> tuple[Customer, bool]:
    """(the sender as a customer, whether they were created just now)."""
    return do_find_or_create_customer(email=mail.from_email, name=mail.from_name, via="email")


def _refuse_attachments(ticket: Ticket, to: str, names: list[str]) -> None:
    from ..outbox import queue_mail

    queue_mail(
        kind="attachment-refused",
        to=to,
        template="attachment_refused",
        context={
            "ticket": ticket,
            "names": names,
            "limit_mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        },
        ticket=ticket,
        headers={"Auto-Submitted": "auto-replied"},
    )


def _process(inbound: InboundMail) -> str:
    mail = parse_message(bytes(inbound.raw))
    inbound.from_email = mail.from_email.lower()[:320]
    inbound.subject = " ".join(mail.subject.split())[:300]
    inbound.message_id = inbound.message_id or mail.message_id
    now = timezone.now()
    verdict = loops.classify(mail, envelope_from=inbound.envelope_from if inbound.source == "smtp" else None)
    recipients = recipients_of(mail, inbound)
    match = find_ticket(mail, recipients)

    if verdict.bounce:
        return _bounce(inbound, mail, match)
    if not mail.from_email or "@" not in mail.from_email:
        raise ValueError(f"no sender address could be read from {mail.from_header!r}")

    # One range of the (from_email, received_at) index: all mail from this sender in the last hour,
    # and how many of those were acknowledged (a bulk job's batch looked them up at once).
    recent = memo.peek(f"mail:recent:{inbound.from_email}") or (
        InboundMail.objects.filter(from_email=inbound.from_email, received_at__gte=now - HOUR)
        .exclude(pk=inbound.pk)
        .aggregate(total=Count("pk"), acknowledged=Count("pk", filter=ACKNOWLEDGED))
    )
    if recent["total"] >= SENDER_HOURLY_CAP:
        return _finish(inbound, InboundMail.Status.IGNORED, InboundMail.Kind.LOOP, ticket=match.ticket,
                       note=f"more than {SENDER_HOURLY_CAP} mails from this sender in an hour")  # fmt: skip

    if verdict.automatic:
        return _automatic(inbound, mail, match, verdict)

    ticket = match.ticket
    if ticket is not None and not is_participant(ticket, mail.from_email):
        if match.how in STRONG:
            return _finish(inbound, InboundMail.Status.HELD, InboundMail.Kind.REPLY, ticket=ticket,
                           note=f"{mail.from_email} is not on this ticket")  # fmt: skip
        ticket = None  # only the subject matched: someone else's old subject starts a ticket of its own
    text, html = _body(mail, inbound)
    files, refused = _files(mail)
    customer, new_customer = _customer(mail)
    if ticket is not None:
        try:
            message = ticket_actions.do_customer_reply(
                ticket, customer=customer, body=text, body_html=html, received_files=files,
                channel=Channel.EMAIL,
            )  # fmt: skip
        except ValidationError:
            ticket = None  # a closed ticket: the reply starts a new one
        else:
            _remember(mail, ticket, message)
            if customer.pk == ticket.customer_id:
                _add_participants(mail, ticket, recipients)
            if refused:
                _refuse_attachments(ticket, customer.email, refused)
            return _finish(inbound, InboundMail.Status.PROCESSED, InboundMail.Kind.REPLY, ticket=ticket,
                           message=message, note=f"threaded by {match.how}")  # fmt: skip

    acknowledgements = recent["acknowledged"]
    new = ticket_actions.do_create_ticket(
        customer=customer,
        subject=mail.subject or "(no subject)",
        body=text,
        body_html=html,
        received_files=files,
        channel=Channel.EMAIL,
        team=inbound.team,
        notify=False,
        new_customer=new_customer,
    )
    first = new.opening_message
    _remember(mail, new, first)
    _add_participants(mail, new, recipients)
    if acknowledgements < ACK_SENDER_CAP:
        # Queued after the Message-ID is known, so the acknowledgement threads under the customer's mail;
        # a bulk job's batch queues one task for all of its acknowledgements.
        ticket_actions.acknowledge(new)
    if refused:
        _refuse_attachments(new, customer.email, refused)
    note = (
        "" if acknowledgements < ACK_SENDER_CAP else "not acknowledged: too many acknowledgements this hour"
    )
    return _finish(inbound, InboundMail.Status.PROCESSED, InboundMail.Kind.NEW, ticket=new, message=first,
                   note=note)  # fmt: skip


def _automatic(inbound: InboundMail, mail: ParsedMail, match: Match, verdict: loops.Verdict) -> str:
    kind = InboundMail.Kind.AUTO_REPLY
    ticket = match.ticket
    if ticket is None:
        if verdict.out_of_office or loops.is_own_address(mail.from_email):
            return _finish(inbound, InboundMail.Status.IGNORED, kind, note=verdict.reason)
        # A newsletter or a robot's first mail: a ticket, but no acknowledgement to a machine.
        text, html = _body(mail, inbound)
        files, _refused = _files(mail)
        customer, new_customer = _customer(mail)
        new = ticket_actions.do_create_ticket(
            customer=customer, subject=mail.subject or "(no subject)", body=text, body_html=html,
            received_files=files, channel=Channel.EMAIL, team=inbound.team, notify=False,
            new_customer=new_customer,
        )  # fmt: skip
        first = new.opening_message
        _remember(mail, new, first)
        return _finish(inbound, InboundMail.Status.PROCESSED, InboundMail.Kind.NEW, ticket=new, message=first,
                       note=f"automatic ({verdict.reason}): not acknowledged")  # fmt: skip
    recorded = InboundMail.objects.filter(ticket=ticket, kind=kind, received_at__gte=timezone.now() - HOUR)
    in_batch = memo.peek("mail:automatic-in-batch")
    if in_batch is None:
        recent = recorded.count()
    else:  # a bulk job's batch counts its own, still queued, rows itself
        with deferred.stored_rows_only():
            recent = recorded.count() + in_batch.get(ticket.pk, 0)
    if recent >= TICKET_AUTO_CAP:
        return _finish(inbound, InboundMail.Status.IGNORED, InboundMail.Kind.LOOP, ticket=ticket,
                       note=f"more than {TICKET_AUTO_CAP} automatic mails on this ticket in an hour")  # fmt: skip
    text, _html = _body(mail, inbound)
    label = "Out-of-office reply" if verdict.out_of_office else "Automatic mail"
    note = ticket_actions.do_reply(
        ticket, user=None, internal=True, channel=Channel.EMAIL,
        body=f"{label} from {mail.from_email} ({verdict.reason}), recorded without reopening the ticket:\n\n"
             f"{mail.subject}\n\n{text}",
    )  # fmt: skip
    _remember(mail, ticket, note)
    if in_batch is not None:
        in_batch[ticket.pk] = in_batch.get(ticket.pk, 0) + 1
    return _finish(
        inbound, InboundMail.Status.PROCESSED, kind, ticket=ticket, message=note, note=verdict.reason
    )


def _bounce(inbound: InboundMail, mail: ParsedMail, match: Match) -> str:
    inbound.full_text = mail.body_text[:1_000_000]
    report = dsn.read_report(mail)
    ticket = match.ticket
    if ticket is None and report.original_message_ids:
        known = MailMessageId.objects.filter(message_id__in=report.original_message_ids).first()
        ticket = known.ticket if known else None
    failed = report.permanent or report.failures
    now = timezone.now()
    for failure in failed:
        if failure.action == "delayed":
            continue
        flagged, created = BouncingAddress.objects.get_or_create(
            email=failure.email.lower()[:254],
            defaults={"status": failure.status, "diagnostic": failure.diagnostic, "ticket": ticket},
        )
        if not created:
            flagged.bounces += 1
            flagged.status = failure.status or flagged.status
            flagged.diagnostic = failure.diagnostic or flagged.diagnostic
            flagged.last_bounced_at = now
            flagged.ticket = ticket or flagged.ticket
            flagged.save()
    addresses = ", ".join(f.email for f in failed) or "an unknown address"
    if ticket is None:
        return _finish(inbound, InboundMail.Status.IGNORED, InboundMail.Kind.BOUNCE,
                       note=f"delivery failed to {addresses}; no ticket found")  # fmt: skip
    details = (
        "\n".join(f"{f.email}: {f.action or 'failed'} {f.status} {f.diagnostic}".strip() for f in failed)
        or mail.body_text[:2000]
    )
    files = [
        SimpleUploadedFile(a.filename, a.data, a.content_type)
        for a in mail.attachments
        if a.content_type in ("message/delivery-status", "text/plain")
        and a.size <= settings.ATTACHMENT_MAX_BYTES
    ]
    note = ticket_actions.do_reply(
        ticket, user=None, internal=True, channel=Channel.EMAIL, received_files=files,
        body=f"Mail could not be delivered to {addresses}. The address is marked as bouncing.\n\n{details}",
    )  # fmt: skip
    _remember(mail, ticket, note)
    return _finish(inbound, InboundMail.Status.PROCESSED, InboundMail.Kind.BOUNCE, ticket=ticket, message=note,
                   note=f"delivery failed to {addresses}")  # fmt: skip


def process_stale(limit: int = 200) -> int:
    """Sweep: mail stored but never processed (the worker died, the task was lost) is processed now."""
    cutoff = timezone.now() - timedelta(minutes=5)
    stale = InboundMail.objects.filter(status=InboundMail.Status.RECEIVED, received_at__lt=cutoff)
    return sum(1 for inbound in stale.order_by("pk")[:limit] if process(inbound) != "failed")


def retry(inbound: InboundMail, *, actor: Any) -> str:
    """An admin retries a failed (or held) mail after a fix; audited."""
    from helpwell.system.audit import audit

    if inbound.status not in (InboundMail.Status.FAILED, InboundMail.Status.HELD):
        raise ValidationError("Only failed or held mail can be retried.")
    old = inbound.status
    if old == InboundMail.Status.HELD and inbound.ticket is not None:
        # Releasing held mail means the sender is accepted on the ticket.
        mail = parse_message(bytes(inbound.raw))
        MailParticipant.objects.get_or_create(ticket=inbound.ticket, email=mail.from_email.lower()[:254],
                                              defaults={"name": mail.from_name})  # fmt: skip
    outcome = process(inbound)
    inbound.refresh_from_db()
    audit(actor, "mail.inbound_retried", inbound, {"status": [old, inbound.status]})
    return outcome


def do_discard_held_mail(inbound: InboundMail, *, actor: Any) -> None:
    """An agent decides a held mail does not belong on the ticket; it stays stored, marked so. Audited."""
    from helpwell.system.audit import audit

    if inbound.status != InboundMail.Status.HELD:
        raise ValidationError("Only held mail can be discarded.")
    name = getattr(getattr(actor, "agent", None), "display_name", None) or str(actor)
    inbound.status = InboundMail.Status.IGNORED
    inbound.note = f"held, then discarded by {name}"[:300]
    inbound.save(update_fields=["status", "note"])
    audit(actor, "mail.held_discarded", inbound, {"from": inbound.from_email, "ticket": inbound.ticket_id})
