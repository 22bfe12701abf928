"""`helpwell run` (and so `make run`): everything Helpwell needs, in one terminal.

It migrates, creates the default priorities and a team if missing, loads the demo when there are no
tickets, then starts three child processes and watches them: the web server (`helpwell serve`), the
worker (`helpwell worker`) and the local mail catcher (`helpwell mailcatcher`). Their output is shown with
a prefix. If one of them stops, the others are stopped too and `run` says why, so Helpwell is never half
running. Ctrl-C or SIGTERM stops everything cleanly.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import IO, Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, OutputWrapper

# How long a child gets to stop after SIGTERM before it is killed.
STOP_TIMEOUT = 10.0
# How long the web server may take to start listening.
START_TIMEOUT = 40.0


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None
    reader: threading.Thread | None = field(default=None, repr=False)


def _load_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


# Loaded here, in the parent: the code that runs between fork and exec must not import anything.
_PRCTL = _load_prctl()
PR_SET_PDEATHSIG = 1


def _child_setup() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Own process group (so Ctrl-C reaches only `run`, which stops the children in order), and ask
    Linux to send SIGTERM if `run` itself dies without cleaning up (kill -9)."""
    os.setsid()
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGTERM)


class Supervisor:
    """Start children, relay their output with a name prefix, stop them all when one stops."""

    def __init__(
        self,
        children: Sequence[Child],
        *,
        out: IO[str] | OutputWrapper | None = None,
        env: dict[str, str] | None = None,
        stop_timeout: float = STOP_TIMEOUT,
    ) -> None:
        self.children = list(children)
        self.out = out or sys.stdout
        self.env = env
        self.stop_timeout = stop_timeout
        self.stop_requested = False
        self._write_lock = threading.Lock()
        self._width = max((len(c.name) for c in self.children), default=4)

    def say(self, line: str) -> None:
        with self._write_lock:
            self.out.write(line.rstrip("\n") + "\n")
            self.out.flush()

    def start(self) -> None:
        for child in self.children:
            child.process = subprocess.Popen(
                child.argv,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
                text=True,
                bufsize=1,
                errors="replace",
                preexec_fn=_child_setup,
            )
            child.reader = threading.Thread(target=self._relay, args=(child,), daemon=True)
            child.reader.start()

    def _relay(self, child: Child) -> None:
        assert child.process is not None and child.process.stdout is not None
        for line in child.process.stdout:
            self.say(f"{child.name:>{self._width}} | {line}")

    def exited(self) -> Child | None:
        """The first child that has stopped, if any."""
        for child in self.children:
            if child.process is not None and child.process.poll() is not None:
                return child
        return None

    def request_stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        self.stop_requested = True

    def wait(self, poll: float = 0.2, until: Callable[[], bool] | None = None) -> Child | None:
        """Block until a child stops, a stop is requested, or `until()` is true; returns the stopped child."""
        while not self.stop_requested:
            child = self.exited()
            if child is not None:
                return child
            if until is not None and until():
                return None
            time.sleep(poll)
        return None

    def stop(self) -> None:
        """SIGTERM every child still running, wait for them, SIGKILL whoever does not stop in time."""
        running = [c for c in self.children if c.process is not None and c.process.poll() is None]
        for child in running:
            assert child.process is not None
            try:
                os.killpg(child.process.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                child.process.terminate()
        deadline = time.monotonic() + self.stop_timeout
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say(f"{child.name} did not stop within {self.stop_timeout:.0f} s; killing it.")
                try:
                    os.killpg(child.process.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    child.process.kill()
                child.process.wait()
        for child in self.children:
            if child.reader is not None:
                child.reader.join(timeout=2)

    def run(self, on_ready: Callable[[], None] | None = None, ready: Callable[[], bool] | None = None) -> int:
        """Start, wait until ready (then call on_ready), supervise; returns the exit status for `run`."""
        previous = {sig: signal.signal(sig, self.request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.start()
            died = self.wait(until=ready) if ready is not None else None
            if died is None and not self.stop_requested and on_ready is not None:
                on_ready()
            if died is None:
                died = self.wait()
            if died is not None:
                assert died.process is not None
                code = died.process.returncode
                how = f"exit code {code}" if code >= 0 else f"signal {signal.Signals(-code).name}"
                self.say(f"{died.name} stopped unexpectedly ({how}); stopping the others.")
            else:
                self.say("Stopping Helpwell…")
            self.stop()
            return 1 if died is not None else 0
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def is_listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.3):
            return True
    except OSError:
        return False


def helpwell_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "helpwell.cli", *args]


def banner(
    base_url: str,
    *,
    smtp: str | None,
    logins: list[tuple[str, str, str]],
    password: str,
    inbound: str | None = None,
) -> str:
    lines = [
        "",
        f"  Helpwell is running at {base_url}/",
        "",
        f"  Customer portal   {base_url}/portal/",
        f"  Agent sign-in     {base_url}/login/",
    ]
    if smtp:
        lines.append(f"  Dev mailbox       {base_url}/dev/mailbox/   (all mail is caught on smtp://{smtp})")
    if inbound:
        to = settings.DEFAULT_FROM_EMAIL
        lines.append(f"  Inbound mail      smtp://{inbound}   (mail sent there to {to} becomes tickets)")
    lines.append(f"  Health            {base_url}/health/")
    if logins:
        lines += ["", f"  Demo logins, all with the password “{password}”:"]
        lines += [f"    {role:<6} {username:<8} {name}" for role, username, name in logins]
    lines += ["", "  Stop with Ctrl-C.", ""]
    return "\n".join(lines)


def prepare_database(*, demo: bool, say: Callable[[str], None]) -> None:
    """Migrate; load the demo into an empty help desk, or make sure the defaults exist."""
    from helpwell.demo.defaults import ensure_defaults
    from helpwell.demo.loader import demo_loaded, load_demo
    from helpwell.tickets.models import Ticket

    call_command("migrate", interactive=False, verbosity=0)
    say(f"Database ready ({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}).")
    if demo and not Ticket.objects.exists() and not demo_loaded():
        say("The help desk is empty: loading the demo team, customers and tickets…")
        result = load_demo()
        say(f"Demo loaded in {result.seconds:.1f} s: {result.agents} agents, {result.customers} customers, "
            f"{result.tickets} tickets, {result.ratings} ratings.")  # fmt: skip
    else:
        ensure_defaults()


def demo_logins() -> list[tuple[str, str, str]]:
    from helpwell.demo.people import AGENTS, FEATURED_LOGINS
    from helpwell.people.models import Agent

    names = {a.username: a.display_name for a in AGENTS}
    present = set(
        Agent.objects.filter(
            user__username__in=[u for _, u in FEATURED_LOGINS], user__is_active=True
        ).values_list("user__username", flat=True)
    )
    return [(role, username, names[username]) for role, username in FEATURED_LOGINS if username in present]


class Command(BaseCommand):
    help = "Migrate, load the demo if the database is empty, and run the web server, worker and mail catcher."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HELPWELL_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("HELPWELL_PORT", "8000")))
        parser.add_argument("--no-demo", action="store_true", help="Never load the demo data.")

    def handle(self, *args: Any, host: str, port: int, no_demo: bool, **options: Any) -> None:
        from helpwell.demo.loader import demo_password

        prepare_database(demo=not no_demo, say=self.stdout.write)
        catch_mail = settings.MAILCATCHER_ENABLED and settings.EMAIL_HOST in {"127.0.0.1", "localhost"}
        smtp_port = int(settings.EMAIL_PORT)
        if not port_is_free(host, port):
            raise CommandError(
                f"Port {port} on {host} is in use (is Helpwell already running?). "
                "Stop the other server, or choose another port with HELPWELL_PORT=8001 make run."
            )
        if catch_mail and not port_is_free("127.0.0.1", smtp_port):
            raise CommandError(
                f"The mail catcher's port {smtp_port} is in use. Stop whatever listens there, or set "
                "HELPWELL_SMTP_PORT to another port."
            )
        browse_host = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host
        base_url = f"http://{browse_host}:{port}"
        env = dict(os.environ)
        env.setdefault("HELPWELL_SITE_URL", base_url)  # links in emails point at this server
        env["PYTHONUNBUFFERED"] = "1"
        children = [Child("web", helpwell_argv("serve", "--bind", f"{host}:{port}"))]
        children.append(Child("worker", helpwell_argv("worker")))
        if catch_mail:
            children.append(Child("mail", helpwell_argv("mailcatcher", "--port", str(smtp_port))))
        inbound_port = int(settings.INBOUND_SMTP_PORT)
        inbound = inbound_port > 0 and port_is_free("127.0.0.1", inbound_port)
        if inbound:
            children.append(Child("inbound", helpwell_argv("mail_listener", "--port", str(inbound_port))))
        supervisor = Supervisor(children, out=self.stdout, env=env)
        from django.db import connections

        connections.close_all()
        text = banner(
            base_url,
            smtp=f"127.0.0.1:{smtp_port}" if catch_mail else None,
            inbound=f"127.0.0.1:{inbound_port}" if inbound else None,
            logins=demo_logins(),
            password=demo_password(),
        )
        deadline = time.monotonic() + START_TIMEOUT

        def ready() -> bool:
            if time.monotonic() > deadline:
                raise CommandError(f"The web server did not start listening on {host}:{port} in time.")
            return is_listening(browse_host, port)

        try:
            code = supervisor.run(on_ready=lambda: supervisor.say(text), ready=ready)
        except BaseException:
            supervisor.stop()
            raise
        if code:
            raise CommandError(
                "Helpwell stopped because one of its processes stopped (see above).", returncode=code
            )
