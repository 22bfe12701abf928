"""A worker process killed (SIGKILL) in the middle of a batch of 100 mails, then started again:
every mail arrives at the real SMTP server on loopback, and none arrives twice.

The worker is a separate process with its own SQLite database, as in production. The SMTP server
holds the 31st conversation open at RCPT, and the worker is killed right there: mid-batch and
mid-send. A mail whose conversation was cut before the server's 250 was never accepted, so sending it
again with the same Message-ID is right; the claim the dead worker left behind goes stale and the
restarted worker takes it over.

What no test can make safe is a kill in the instant between the server's 250 and the worker's
database update: SMTP has no way to ask "did you get it?", so that mail goes out again with the same
Message-ID (which Helpwell's own inbound side, and many mail stores, treat as one message). The
outbox keeps that window to one UPDATE right after the 250.
"""

import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from django.test import SimpleTestCase

from .smtp import free_port

ROOT = Path(__file__).resolve().parents[3]

SEED = """
import django; django.setup()
from email.utils import make_msgid
from helpwell.mail.models import OutgoingMail
OutgoingMail.objects.bulk_create([
    OutgoingMail(kind="reply", from_email="support@helpwell.localhost", to="carol@acme.example",
                 subject=f"Reply {n}", body_text=f"Reply number {n}.", message_id=make_msgid(domain="helpwell.localhost"))
    for n in range(100)
])
"""
WORKER = """
import time, django; django.setup()
from helpwell.mail.models import OutgoingMail
from helpwell.mail.outbox import deliver_due
while OutgoingMail.objects.exclude(status="sent").exists():
    deliver_due(limit=500)
    time.sleep(0.2)
"""


class HoldingSink:
    """Records each message the server accepted; holds conversation number `hold_at` open at RCPT."""

    def __init__(self, hold_at: int) -> None:
        self.port = free_port()
        self.received: list[str] = []
        self.lock = threading.Lock()
        self.hold_at = hold_at
        self.rcpts = 0
        self.holding = threading.Event()
        self.release = threading.Event()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        import asyncio

        self.rcpts += 1
        if self.rcpts == self.hold_at:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self.lock:
            self.received.append(str(message["Message-ID"]))
        return "250 OK"


class WorkerKilledMidBatchTest(SimpleTestCase):
    def setUp(self) -> None:
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.sink = HoldingSink(hold_at=31)
        self.sink.controller.start()
        self.addCleanup(self.sink.controller.stop)
        self.addCleanup(self.sink.release.set)
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("HELPWELL_", "DATABASE_URL"))},
            "DJANGO_SETTINGS_MODULE": "helpwell.settings",
            "DATABASE_URL": f"sqlite:///{folder.name}/worker.sqlite3",
            "HELPWELL_VAR_DIR": folder.name,
            "HELPWELL_SMTP_HOST": "127.0.0.1",
            "HELPWELL_SMTP_PORT": str(self.sink.port),
            "HELPWELL_TASK_BACKEND": "immediate",
            "HELPWELL_MAIL_STALE_CLAIM_SECONDS": "2",
        }

    def python(self, code: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=self.env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip

    def run_to_end(self, *args: str) -> None:
        done = subprocess.run([sys.executable, "-m", "helpwell.cli", *args], cwd=ROOT, env=self.env,
                              capture_output=True, timeout=120)  # fmt: skip
        self.assertEqual(done.returncode, 0, done.stdout.decode() + done.stderr.decode())

    def test_a_worker_killed_mid_batch_and_restarted_sends_every_mail_exactly_once(self):
        self.run_to_end("migrate", "--verbosity", "0")
        seed = self.python(SEED)
        self.assertEqual(seed.wait(60), 0, seed.stdout.read().decode() if seed.stdout else "")

        worker = self.python(WORKER)
        self.assertTrue(self.sink.holding.wait(60), "the worker never reached the 31st mail")
        worker.send_signal(signal.SIGKILL)  # in the middle of the 31st SMTP conversation
        worker.wait(10)
        self.sink.release.set()
        self.assertEqual(len(self.sink.received), 30)

        restarted = self.python(WORKER)
        self.assertEqual(restarted.wait(120), 0, restarted.stdout.read().decode() if restarted.stdout else "")

        counts = Counter(self.sink.received)
        self.assertEqual(len(counts), 100, "every mail arrived")
        self.assertEqual([mid for mid, n in counts.items() if n > 1], [], "no mail arrived twice")
