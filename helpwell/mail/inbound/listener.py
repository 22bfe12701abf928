"""The SMTP/LMTP listener a mail server delivers to: `helpwell mail-listener` (started by `helpwell run`).

Each message is stored raw (through ingest.receive) before the server answers 250, so a mail the
server saw accepted is never lost; parsing and threading run in the same step, and a message that
fails there is still stored and listed for admins. With LMTP (`--lmtp`, what Postfix and Dovecot
speak for final delivery) the answer is given per recipient, as the protocol asks.
"""

import logging
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, connection

from helpwell.lib.ratelimit import hit

from ..models import InboundMail
from .loops import is_own_address

log = logging.getLogger(__name__)
MAX_MESSAGE_BYTES = 64 * 1024 * 1024


class TooMuchMail(Exception):
    pass


def store(raw: bytes, mail_from: str, rcpt_tos: list[str], peer: str = "") -> InboundMail:
    from .ingest import receive

    close_old_connections()
    if peer and not hit("mail-smtp", peer, limit=settings.INBOUND_MAIL_RATE):
        raise TooMuchMail(peer)
    try:
        inbound, _ = receive(
            raw, source=InboundMail.Source.SMTP, envelope_from=mail_from, envelope_to=rcpt_tos
        )
        return inbound
    finally:
        connection.close()


class InboundHandler:
    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        # Only Helpwell's own addresses (support@…, support+<token>@…): the listener is not a relay.
        if not is_own_address(address):
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            peer = session.peer[0] if isinstance(session.peer, tuple) else str(session.peer or "")
            inbound = await sync_to_async(store, thread_sensitive=True)(
                raw, envelope.mail_from or "", list(envelope.rcpt_tos), peer
            )
        except TooMuchMail:  # a temporary refusal: a real mail server queues the mail and tries later
            return "421 4.7.0 Too many messages from your address; try again later"
        except Exception:  # the database is down: the sending server keeps the mail and retries
            log.exception("could not store an inbound mail")
            return "451 4.3.0 Requested action aborted: local error in processing"
        log.info("inbound mail %s from %s: %s", inbound.pk, inbound.from_email, inbound.status)
        if isinstance(server, LMTP):
            return "\r\n".join(["250 2.0.0 Message accepted"] * len(envelope.rcpt_tos))
        return "250 2.0.0 Message accepted"


class InboundController(Controller):
    def __init__(self, host: str, port: int, *, lmtp: bool = False) -> None:
        self.lmtp = lmtp
        super().__init__(
            InboundHandler(),
            hostname=host,
            port=port,
            ident="Helpwell",
            data_size_limit=MAX_MESSAGE_BYTES,
            enable_SMTPUTF8=True,
        )

    def factory(self) -> SMTP:
        if self.lmtp:
            return LMTP(self.handler, **self.SMTP_kwargs)
        return super().factory()
