"""`helpwell mail-listener`: receive mail over SMTP or LMTP and turn it into tickets."""

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from helpwell.mail.inbound.listener import InboundController


class Command(BaseCommand):
    help = "Listen for inbound mail over SMTP (or LMTP with --lmtp) and turn it into tickets and replies."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=settings.INBOUND_SMTP_PORT)
        parser.add_argument(
            "--lmtp", action="store_true", help="Speak LMTP (for Postfix or Dovecot delivery)."
        )

    def handle(self, *args: Any, host: str, port: int, lmtp: bool, **options: Any) -> None:
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        controller = InboundController(host, port, lmtp=lmtp)
        try:
            controller.start()
        except (OSError, RuntimeError) as exc:
            raise CommandError(f"The inbound mail listener cannot listen on {host}:{port}: {exc}") from exc
        protocol = "lmtp" if lmtp else "smtp"
        self.stdout.write(
            f"Inbound mail listening on {protocol}://{host}:{port}; mail sent there becomes tickets "
            f"(to {settings.DEFAULT_FROM_EMAIL})"
        )
        try:
            while not stop.wait(0.5):
                pass
        finally:
            controller.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
