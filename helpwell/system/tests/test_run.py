"""`helpwell run`: the supervisor that keeps web, worker and mail catcher running together, or none."""

import io
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from unittest import mock

from django.test import SimpleTestCase

from helpwell.mail.tests.smtp import free_port
from helpwell.system.management.commands import run
from helpwell.test import BaseTestCase
from helpwell.tickets.models import Priority, Ticket

SLEEPER = [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(60)"]
STUBBORN = [
    sys.executable,
    "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(60)",
]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


class SupervisorTest(SimpleTestCase):
    def supervisor(self, *children: run.Child, stop_timeout: float = 5) -> tuple[run.Supervisor, io.StringIO]:
        out = io.StringIO()
        return run.Supervisor(children, out=out, stop_timeout=stop_timeout), out

    def test_when_one_child_dies_it_says_so_and_stops_the_others(self):
        crash = [sys.executable, "-c", "import sys, time; time.sleep(0.3); print('boom'); sys.exit(3)"]
        supervisor, out = self.supervisor(run.Child("web", SLEEPER), run.Child("worker", crash))

        code = supervisor.run()

        self.assertEqual(code, 1)
        self.assertIn("worker | boom", out.getvalue())
        self.assertIn("worker stopped unexpectedly (exit code 3); stopping the others.", out.getvalue())
        web = supervisor.children[0].process
        assert web is not None
        self.assertIsNotNone(web.returncode, "the web server was stopped too")
        self.assertFalse(alive(web.pid))

    def test_a_stop_request_stops_every_child_cleanly(self):
        supervisor, out = self.supervisor(run.Child("web", SLEEPER), run.Child("mail", SLEEPER))
        threading.Timer(0.5, supervisor.request_stop).start()

        code = supervisor.run()

        self.assertEqual(code, 0)
        self.assertIn("Stopping Helpwell", out.getvalue())
        for child in supervisor.children:
            assert child.process is not None
            self.assertFalse(alive(child.process.pid), child.name)

    def test_sigterm_to_run_stops_everything(self):
        supervisor, out = self.supervisor(run.Child("web", SLEEPER))
        threading.Timer(0.5, os.kill, args=(os.getpid(), signal.SIGTERM)).start()

        self.assertEqual(supervisor.run(), 0)
        process = supervisor.children[0].process
        assert process is not None
        self.assertFalse(alive(process.pid))
        self.assertIsNot(signal.getsignal(signal.SIGTERM), supervisor.request_stop, "handlers are restored")

    def test_a_child_that_ignores_sigterm_is_killed_after_the_timeout(self):
        supervisor, out = self.supervisor(run.Child("stubborn", STUBBORN), stop_timeout=0.5)
        supervisor.start()
        time.sleep(0.5)

        supervisor.stop()

        self.assertIn("stubborn did not stop within", out.getvalue())
        process = supervisor.children[0].process
        assert process is not None
        self.assertEqual(process.returncode, -signal.SIGKILL)

    def test_it_announces_readiness_once(self):
        supervisor, out = self.supervisor(run.Child("web", SLEEPER))
        checks = iter([False, False, True])

        def on_ready() -> None:
            out.write("READY\n")
            supervisor.request_stop()

        self.assertEqual(supervisor.run(on_ready=on_ready, ready=lambda: next(checks)), 0)
        self.assertEqual(out.getvalue().count("READY"), 1)

    def test_it_does_not_announce_a_server_that_never_started(self):
        fail = [sys.executable, "-c", "import sys; print('Address already in use'); sys.exit(1)"]
        supervisor, out = self.supervisor(run.Child("web", fail))

        def on_ready() -> None:
            out.write("READY\n")

        code = supervisor.run(on_ready=on_ready, ready=lambda: False)

        self.assertEqual(code, 1)
        self.assertNotIn("READY", out.getvalue())
        self.assertIn("web | Address already in use", out.getvalue())


class PiecesTest(SimpleTestCase):
    def test_a_port_in_use_is_not_free(self):
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            port = listener.getsockname()[1]
            self.assertFalse(run.port_is_free("127.0.0.1", port))
            self.assertTrue(run.is_listening("127.0.0.1", port))
        self.assertTrue(run.port_is_free("127.0.0.1", free_port()))

    def test_the_banner_names_every_address_and_login(self):
        text = run.banner(
            "http://127.0.0.1:8000",
            smtp="127.0.0.1:8025",
            logins=[("admin", "priya", "Priya Raman")],
            password="helpwell-demo",
        )
        for expected in ("http://127.0.0.1:8000/portal/", "http://127.0.0.1:8000/login/",
                         "http://127.0.0.1:8000/dev/mailbox/", "smtp://127.0.0.1:8025", "priya",
                         "“helpwell-demo”"):  # fmt: skip
            self.assertIn(expected, text)

    def test_children_are_started_with_this_python(self):
        self.assertEqual(run.helpwell_argv("worker")[:3], [sys.executable, "-m", "helpwell.cli"])


class PrepareDatabaseTest(BaseTestCase):
    def test_an_empty_help_desk_gets_the_demo(self):
        with mock.patch.object(run, "call_command"), mock.patch("helpwell.demo.loader.load_demo") as load:
            load.return_value = mock.Mock(seconds=1.0, agents=8, customers=41, tickets=300, ratings=120)
            said: list[str] = []
            run.prepare_database(demo=True, say=said.append)

        load.assert_called_once_with()
        self.assertIn("loading the demo", "\n".join(said))

    def test_a_help_desk_with_tickets_only_gets_the_missing_defaults(self):
        self.make_ticket()
        Priority.objects.filter(key="low").delete()
        with mock.patch.object(run, "call_command"), mock.patch("helpwell.demo.loader.load_demo") as load:
            run.prepare_database(demo=True, say=lambda line: None)

        load.assert_not_called()
        self.assertTrue(Priority.objects.filter(key="low").exists())
        self.assertEqual(Ticket.objects.count(), 1)

    def test_no_demo_means_no_demo(self):
        with mock.patch.object(run, "call_command"), mock.patch("helpwell.demo.loader.load_demo") as load:
            run.prepare_database(demo=False, say=lambda line: None)
        load.assert_not_called()


class RunForRealTest(SimpleTestCase):
    """`helpwell run` as `make run` starts it: a fresh SQLite database, real ports, real processes."""

    def test_it_serves_helpwell_and_stops_everything_on_sigterm(self):
        var = tempfile.TemporaryDirectory()
        self.addCleanup(var.cleanup)
        port, smtp_port, inbound_port = free_port(), free_port(), free_port()
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("HELPWELL_", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"))
        }
        env.update(HELPWELL_VAR_DIR=var.name, HELPWELL_PORT=str(port), HELPWELL_SMTP_PORT=str(smtp_port),
                   HELPWELL_INBOUND_SMTP_PORT=str(inbound_port),
                   HELPWELL_WEB_WORKERS="1", HELPWELL_WEB_THREADS="2", HELPWELL_TESTING="1")  # fmt: skip
        process = subprocess.Popen(
            [sys.executable, "-m", "helpwell.cli", "run"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.addCleanup(process.kill)  # a no-op once it has exited
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True)  # type: ignore[union-attr]
        reader.start()
        deadline = time.monotonic() + 90
        while "Stop with Ctrl-C" not in "".join(lines):
            self.assertIsNone(process.poll(), "".join(lines))
            self.assertLess(time.monotonic(), deadline, "".join(lines))
            time.sleep(0.2)
        output = "".join(lines)
        self.assertIn(f"Helpwell is running at http://127.0.0.1:{port}/", output)
        self.assertIn("priya", output)
        self.assertIn(f"Inbound mail      smtp://127.0.0.1:{inbound_port}", output)

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/portal/", timeout=10) as response:
            self.assertEqual(response.status, 200)
        children = [
            int(p) for p in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        ]
        self.assertEqual(len(children), 4, "web, worker, mail catcher and inbound mail listener")

        process.send_signal(signal.SIGTERM)
        self.assertEqual(process.wait(timeout=30), 0)
        reader.join(timeout=5)
        self.assertIn("Stopping Helpwell", "".join(lines))
        for pid in children:
            self.assertFalse(alive(pid), f"child {pid} stopped")


class MigrateForRealTest(SimpleTestCase):
    """An install set up with `helpwell migrate` (no `helpwell run`) can take requests at once."""

    def test_migrate_creates_the_defaults_so_imported_mail_opens_tickets(self):
        var = tempfile.TemporaryDirectory()
        self.addCleanup(var.cleanup)
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("HELPWELL_", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"))
        }
        env.update(HELPWELL_VAR_DIR=var.name, HELPWELL_TESTING="1")
        mail = Path(var.name) / "request.eml"
        mail.write_bytes(
            b"From: Erin <erin@initech.example>\r\nTo: support@helpwell.localhost\r\n"
            b"Subject: Printer on fire\r\nMessage-ID: <fire@initech.example>\r\n\r\nIt is on fire.\r\n"
        )
        helpwell = [sys.executable, "-m", "helpwell.cli"]
        for args in (["migrate", "-v0"], ["import-mail", str(mail)]):
            done = subprocess.run([*helpwell, *args], env=env, capture_output=True, text=True, timeout=120)
            self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn("Imported 1 mail", done.stdout + done.stderr)
        self.assertNotIn("failed", (done.stdout + done.stderr).split("Imported", 1)[1].split("\n", 1)[0])
