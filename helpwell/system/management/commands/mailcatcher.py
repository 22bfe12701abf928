"""`helpwell mailcatcher`: the local SMTP server whose mail you read at /dev/mailbox/."""

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from helpwell.mail.catcher import make_controller


class Command(BaseCommand):
    help = "Catch all outgoing mail on a local SMTP port and show it at /dev/mailbox/ (for development)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument(
            "--port", type=int, default=settings.EMAIL_PORT, help="Port to listen on (default: EMAIL_PORT)."
        )

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        # aiosmtpd logs every SMTP command; one line per caught mail is enough.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        controller = make_controller(host, port)
        try:
            controller.start()
        except OSError as exc:
            raise CommandError(f"The mail catcher cannot listen on {host}:{port}: {exc}") from exc
        except RuntimeError as exc:  # aiosmtpd reports a busy port this way
            raise CommandError(f"The mail catcher cannot listen on {host}:{port}: {exc}") from exc
        self.stdout.write(
            f"Mail catcher listening on smtp://{host}:{port}; read it at {settings.SITE_URL}/dev/mailbox/"
        )
        try:
            while not stop.wait(0.5):
                pass
        finally:
            controller.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
