#!/usr/bin/env python
"""Measure Helpwell through a real HTTP server on 127.0.0.1, on a database seeded by bench/seed.py.

    .venv/bin/python bench/run.py --db sqlite                 # 1,000,000 tickets
    .venv/bin/python bench/run.py --db both --update-docs     # both databases; rewrite docs/benchmarks.md
    .venv/bin/python bench/run.py --db postgres --tickets 20000 --requests 50 --duration 3
    .venv/bin/python bench/run.py --db sqlite --explain       # queries, their count and plans per page

It starts gunicorn (helpwell.wsgi with bench.settings: Helpwell's URLs plus a bare view at
/bench/bare/) on a free port on 127.0.0.1, signs in an agent through the login form and measures:

- latency, one request at a time on one keep-alive connection, after a warm-up: the agent queue's
  first page, a filtered queue page, ticket pages (a different random ticket each time) and the API
  ticket list; p50, p95 and p99 in milliseconds;
- throughput with concurrent keep-alive clients (wrk, or a small threaded client if wrk is not
  installed): POST /api/v1/tickets as an agent against GET /bench/bare/, served the same way, in
  alternating rounds with fresh connections; the best round of each counts.

Everything it does is bounded: a fixed number of requests, a fixed duration, timeouts on each request,
and the server is stopped at the end. Tickets created by the throughput run are deleted afterwards so
the database stays at its seeded size. Results are printed, written to bench/results/ as JSON and, with
--update-docs, into docs/benchmarks.md.
"""

import argparse
import html
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

TARGET_P95_MS = 50.0
TARGET_RATIO = 0.5
THROUGHPUT_CASES = ("bare", "create", "submit")
DOCS = common.ROOT / "docs" / "benchmarks.md"

# (key, label, has a target). The queue's default tab is "Mine"; tabs are ?tab=mine|unassigned|teams|all.
LATENCY_CASES = [
    ("queue", "Agent queue, first page (`/agent/`)", True),
    ("queue_filtered", "Agent queue, filtered (`/agent/?status=open&priority=high`)", True),
    ("ticket", "Ticket page, a random ticket each time (`/agent/tickets/<ref>/`)", True),
    ("api_list", "API ticket list (`GET /api/v1/tickets`)", False),
    ("queue_teams", "Agent queue, my teams (`/agent/?tab=teams`)", False),
    ("queue_all", "Agent queue, all tab (`/agent/?tab=all`)", False),
    ("queue_tag", "Agent queue, by tag (`/agent/?tab=all&tag=vip`)", False),
    ("queue_deep", "Agent queue, all tab, 40th page (keyset cursor)", False),
]
DEEP_PAGES = 40
QUEUE_PATHS = {
    "queue": "/agent/",
    "queue_filtered": "/agent/?status=open&priority=high",
    "queue_teams": "/agent/?tab=teams",
    "queue_all": "/agent/?tab=all",
    "queue_tag": "/agent/?tab=all&tag=vip",
    "api_list": "/api/v1/tickets",
}


# ------------------------------------------------------------------------------------------------
# HTTP


class Client:
    """One keep-alive connection with a cookie jar: enough of a browser for a sign-in and GETs."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, http.client.HTTPResponse, bytes, float]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server closed an idle keep-alive connection; the request never ran. Once more.
            self.conn.close()
            started = time.perf_counter()
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response.status, response, data, elapsed

    def close(self) -> None:
        self.conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """Helpwell's own web server (`helpwell serve`: gunicorn, threaded workers) with the bench settings
    on 127.0.0.1 and a free port; stopped by its own process id."""

    def __init__(self, db: str, tickets: int, workers: int | None, threads: int | None) -> None:
        self.port = free_port()
        bind = f"127.0.0.1:{self.port}"
        bin_dir = Path(sys.executable).parent
        try:
            from helpwell.system.management.commands.serve import gunicorn_options
        except ImportError:  # no `helpwell serve` yet: plain gunicorn, configured the same way
            workers, threads = workers or max(2, os.cpu_count() or 2), threads or 4
            self.command = [
                str(bin_dir / "gunicorn"), "helpwell.wsgi:application", "--bind", bind,
                "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
                "--keep-alive", "5", "--timeout", "60", "--log-level", "warning",
            ]  # fmt: skip
            self.label = f"gunicorn gthread, {workers} workers × {threads} threads, keep-alive 5 s"
        else:
            options = gunicorn_options(bind, workers, threads)
            self.command = [str(bin_dir / "helpwell"), "serve", "--bind", bind]
            if workers:
                self.command += ["--workers", str(workers)]
            if threads:
                self.command += ["--threads", str(threads)]
            self.label = (
                f"`helpwell serve` (gunicorn {options['worker_class']}, {options['workers']} workers ×"
                f" {options['threads']} threads, keep-alive {options['keepalive']} s)"
            )
        self.env = common.server_env(db, tickets)
        self.log = common.RESULTS_DIR / f"server-{db}.log"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        common.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        log = open(self.log, "w")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            self.command,
            cwd=common.ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}; see {self.log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/bench/bare/")
                if conn.getresponse().status == 200:
                    conn.close()
                    return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn did not answer within 60 s; see {self.log}")

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def sign_in(port: int, username: str, password: str) -> Client:
    client = Client(port)
    status, _, body, _ = client.request("GET", "/login/")
    if status != 200:
        raise SystemExit(f"GET /login/ answered {status}")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if not match:
        raise SystemExit("The login page has no CSRF token")
    form = urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": match.group(1).decode()}
    )
    status, response, _, _ = client.request(
        "POST",
        "/login/",
        body=form.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{port}/login/",
        },
    )
    if status != 302 or "sessionid" not in client.cookies:
        raise SignInFailed(f"signing in as {username} through /login/ failed (HTTP {status})")
    return client


class SignInFailed(Exception):
    pass


def session_for(username: str) -> str:
    """A signed-in session made directly, for when the login form does not work (yet)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection

    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    connection.close()
    assert session.session_key is not None
    return session.session_key


# ------------------------------------------------------------------------------------------------
# Measurements


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def measure_latency(
    client: Client, paths: list[str], warmup: int, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """Send the paths one after another (warm-up first), keep the times of the measured ones."""
    times: list[float] = []
    sizes: list[int] = []
    for i, path in enumerate(paths):
        status, _, body, elapsed = client.request("GET", path, headers=headers)
        if status != 200:
            snippet = body[:200].decode("utf-8", "replace").replace("\n", " ")
            return {"error": f"HTTP {status} for {path}: {snippet}"}
        if i >= warmup:
            times.append(elapsed * 1000)
            sizes.append(len(body))
    return {
        "requests": len(times),
        "p50_ms": round(percentile(times, 50), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "p99_ms": round(percentile(times, 99), 1),
        "mean_ms": round(statistics.fmean(times), 1),
        "max_ms": round(max(times), 1),
        "bytes": int(statistics.fmean(sizes)),
    }


def run_wrk(
    url: str, connections: int, duration: int, script: Path | None, env: dict[str, str]
) -> dict[str, Any]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency"]
    if script:
        command += ["-s", str(script)]
    command.append(url)
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=duration + 60, check=False
    )
    out = done.stdout
    if done.returncode != 0:
        return {"error": (done.stderr or out).strip()[:300]}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    latency = dict(re.findall(r"^\s+(50|90|99)%\s+([\d.]+\w+)", out, re.M))
    return {
        "requests": total,
        "rps": round(rps, 1),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(1).strip() if errors else "",
        "latency": {f"p{k}": v for k, v in latency.items()},
    }


def run_threads(
    port: int, path: str, connections: int, duration: int, method: str, body_for: Any, headers: dict[str, str]
) -> dict[str, Any]:
    """The fallback load generator: one thread per keep-alive connection, for `duration` seconds."""
    deadline = time.monotonic() + duration
    counts = [0] * connections
    failures = [0] * connections

    def worker(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        i = 0
        while time.monotonic() < deadline:
            i += 1
            try:
                conn.request(method, path, body=body_for(n, i), headers=headers)
                response = conn.getresponse()
                response.read()
                if 200 <= response.status < 400:
                    counts[n] += 1
                else:
                    failures[n] += 1
            except OSError:
                failures[n] += 1
                conn.close()
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration + 30)
    elapsed = time.monotonic() - started
    return {
        "requests": sum(counts) + sum(failures),
        "rps": round(sum(counts) / elapsed, 1),
        "non_2xx": sum(failures),
        "socket_errors": "",
        "latency": {},
    }


def cpu_sample() -> tuple[int, int]:
    """The machine's busy and total CPU ticks so far (all cores), from /proc/stat; (0, 0) if unknown."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return 0, 0
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def cpu_busy(seconds: float) -> float:
    """How busy the CPUs are (0 to 1) over a short sample, before we add any load ourselves."""
    busy1, total1 = cpu_sample()
    time.sleep(seconds)
    busy2, total2 = cpu_sample()
    return (busy2 - busy1) / max(1, total2 - total1)


def processes_cpu() -> dict[int, tuple[str, int]]:
    """Every process's name and CPU ticks so far (user + system), from /proc; under -1, the children
    of this process that ended and were waited for."""
    found: dict[int, tuple[str, int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            head, rest = (entry / "stat").read_text().rsplit(")", 1)
            fields = rest.split()
            found[int(entry.name)] = (head.split("(", 1)[1], int(fields[11]) + int(fields[12]))
        except (OSError, IndexError, ValueError):
            continue  # ended while we looked
    children = os.times()
    ticks_per_s = os.sysconf("SC_CLK_TCK")
    found[-1] = (
        "waited-for children",
        round((children.children_user + children.children_system) * ticks_per_s),
    )
    return found


def cpu_by_part(
    before: dict[int, tuple[str, int]], after: dict[int, tuple[str, int]], web: list[int]
) -> dict[str, int]:
    """CPU ticks spent between two `processes_cpu` samples by the web workers, the database server,
    the load generator (wrk, or this process for the threaded client) and everything else."""
    parts = {"web": 0, "database": 0, "generator": 0, "other": 0}
    # wrk has ended by the second sample: its CPU time is in this process's children's times.
    parts["generator"] = after.get(-1, ("", 0))[1] - before.get(-1, ("", 0))[1]
    for pid, (name, ticks) in after.items():
        if pid < 0:
            continue
        spent = ticks - before.get(pid, (name, 0))[1]
        if pid in web:
            part = "web"
        elif name.startswith("postgres") or name.startswith("redis"):
            part = "database"
        elif name == "wrk" or pid == os.getpid():
            part = "generator"
        else:
            part = "other"
        parts[part] += max(spent, 0)
    return parts


def worker_pids(server_pid: int) -> list[int]:
    try:
        out = subprocess.run(
            ["pgrep", "-P", str(server_pid)], capture_output=True, text=True, check=False
        ).stdout
    except FileNotFoundError:
        return []
    return [int(pid) for pid in out.split()]


def cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


def measure_throughput(
    port: int,
    server_pid: int,
    token: str,
    customers: int,
    connections: int,
    duration: int,
    generator: str,
    rounds: int,
    only: tuple[str, ...] = THROUGHPUT_CASES,
) -> dict[str, Any]:
    """Requests per second of the bare view and of ticket creation, best of `rounds` rounds each.

    Rounds alternate bare and create, each with fresh connections. gunicorn's workers share one
    listening socket and a worker takes every connection that arrives while it is accepting, so a
    burst of keep-alive connections often lands on one worker while the other idles; each round
    records how the work was shared between the workers, and the best round is the one that counts.
    Each round also records the whole machine's CPU time per request, and how it splits between the
    web workers, the database server, wrk and the rest, which says where a difference comes from when
    two cases differ.
    """
    env = dict(os.environ, HW_TOKEN=token, HW_CUSTOMERS=str(customers))
    base = f"http://127.0.0.1:{port}"
    script = common.BENCH_DIR / "wrk" / "create_ticket.lua"
    results: dict[str, Any] = {
        "generator": generator,
        "connections": connections,
        "duration_s": duration,
        "rounds": rounds,
    }
    api_headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def ticket_body(n: int, i: int) -> bytes:
        payload = {
            "customer_email": f"customer{random.randint(1, customers)}@example.com",
            "subject": f"Invoice shows the wrong amount ({n}-{i})",
            "body": "Hello,\n\nthe invoice for March shows the wrong amount. Could you check it?\n\nThanks",
        }
        return json.dumps(payload).encode()

    workers = worker_pids(server_pid)
    runs: dict[str, list[dict[str, Any]]] = {key: [] for key in only}
    cases = [
        (key, path, method)
        for key, path, method in (
            ("bare", "/bench/bare/", "GET"),
            ("create", "/api/v1/tickets", "POST"),
            ("submit", "/api/v1/tickets", "POST"),  # the same request with `Prefer: respond-async`
        )
        if key in only
    ]
    ticks_per_ms = os.sysconf("SC_CLK_TCK") / 1000
    for round_number in range(1, rounds + 1):
        for key, path, method in cases:
            env["HW_PREFER"] = "respond-async" if key == "submit" else ""
            print(
                f"  throughput {method} {path}: {connections} connections, {duration} s,"
                f" round {round_number}/{rounds} …",
                end="",
                flush=True,
            )
            if generator == "wrk":
                use_script = script if method == "POST" else None
                run_wrk(base + path, connections, 2, use_script, env)  # warm-up, not kept
                before = [cpu_ticks(pid) for pid in workers]
                machine_before = cpu_sample()
                parts_before = processes_cpu()
                result = run_wrk(base + path, connections, duration, use_script, env)
            else:
                body_for = ticket_body if method == "POST" else (lambda n, i: None)
                headers = api_headers if method == "POST" else {}
                if key == "submit":
                    headers = {**headers, "Prefer": "respond-async"}
                run_threads(port, path, connections, 2, method, body_for, headers)
                before = [cpu_ticks(pid) for pid in workers]
                machine_before = cpu_sample()
                parts_before = processes_cpu()
                result = run_threads(port, path, connections, duration, method, body_for, headers)
            parts = cpu_by_part(parts_before, processes_cpu(), workers)
            machine_after = cpu_sample()
            used = [cpu_ticks(pid) - b for pid, b in zip(workers, before, strict=True)]
            if result.get("requests") and machine_after[1] > machine_before[1]:
                busy = machine_after[0] - machine_before[0]
                result["cores_busy"] = round(
                    busy / (machine_after[1] - machine_before[1]) * (os.cpu_count() or 1), 2
                )
                result["machine_cpu_ms_per_request"] = round(busy / ticks_per_ms / result["requests"], 3)
                result["cpu_ms_per_request_by_part"] = {
                    part: round(ticks / ticks_per_ms / result["requests"], 3) for part, ticks in parts.items()
                }
            if sum(used):
                result["worker_cpu_share"] = [round(u / sum(used), 2) for u in used]
            runs[key].append(result)
            share = "/".join(f"{x:.0%}" for x in result.get("worker_cpu_share", []))
            by_part = ", ".join(
                f"{part} {ms:.2f}" for part, ms in result.get("cpu_ms_per_request_by_part", {}).items()
            )
            print(
                f" {result['rps']:,.0f} requests/s (CPU per worker {share}; cores busy"
                f" {result.get('cores_busy', 0):.2f}, {result.get('machine_cpu_ms_per_request', 0):.2f} ms"
                f" of CPU a request: {by_part})"
                if "rps" in result
                else f" {result['error']}",
                flush=True,
            )
    for key, measured in runs.items():
        good = [r for r in measured if "rps" in r]
        if not good:
            results[key] = measured[-1]
            continue
        best = dict(max(good, key=lambda r: r["rps"]))
        best["rounds_rps"] = [r["rps"] for r in good]
        best["one_worker_rounds"] = sum(1 for r in good if max(r.get("worker_cpu_share", [0])) > 0.9)
        best["requests"] = sum(r["requests"] for r in good)
        best["non_2xx"] = sum(r["non_2xx"] for r in good)
        results[key] = best
    bare_rps = results.get("bare", {}).get("rps")
    if bare_rps and "rps" in results.get("create", {}):
        results["ratio"] = round(results["create"]["rps"] / bare_rps, 3)
    if bare_rps and "rps" in results.get("submit", {}):
        results["submit_ratio"] = round(results["submit"]["rps"] / bare_rps, 3)
    return results


def drain_submissions() -> dict[str, Any]:
    """Open every ticket the async rounds queued, as `helpwell worker` does, and time it: the rate at
    which the background turns submissions into tickets (one process, the server stopped)."""
    from django.db import connection

    from helpwell.api.actions import open_submitted_tickets
    from helpwell.api.models import TicketSubmission

    waiting = TicketSubmission.objects.filter(state=TicketSubmission.State.QUEUED).count()
    started = time.perf_counter()
    opened = 0
    while True:
        done = open_submitted_tickets(limit=500)
        if not done:
            break
        opened += done
    seconds = time.perf_counter() - started
    failed = TicketSubmission.objects.filter(state=TicketSubmission.State.FAILED).count()
    connection.close()
    return {
        "waiting": waiting,
        "opened": opened,
        "failed": failed,
        "seconds": round(seconds, 2),
        "per_second": round(opened / seconds, 1) if seconds else 0,
    }


# ------------------------------------------------------------------------------------------------
# Preparation and clean-up, in this process through the ORM (Django set up for the bench database)


def prepare(db: str, tickets: int, samples: int) -> dict[str, Any]:
    from django.contrib.auth.models import User
    from django.db import connection

    from helpwell.api.actions import do_issue_api_token
    from helpwell.people.models import Customer
    from helpwell.tickets.access import tickets_for_agent
    from helpwell.tickets.models import Ticket

    user = User.objects.select_related("agent").get(username=common.AGENT_USERNAME)
    token = do_issue_api_token(user.agent, actor=None)
    max_id = Ticket.objects.order_by("-id").values_list("id", flat=True).first() or 0
    rng = random.Random(7)
    references: list[str] = []
    visible = tickets_for_agent(user)
    while len(references) < samples:
        ids = [rng.randint(1, max_id) for _ in range(samples * 3)]
        references += list(visible.filter(id__in=ids).values_list("reference", flat=True))
    rng.shuffle(references)
    info = {
        "token": token,
        "max_ticket_id": max_id,
        "references": references[:samples],
        "customers": Customer.objects.count(),
        "started": datetime.now(UTC),
    }
    connection.close()
    return info


def clean_up(prepared: dict[str, Any]) -> int:
    """Delete what the throughput run created, so every run sees the seeded database."""
    from django.db import connection, transaction

    from helpwell.api.models import TicketSubmission
    from helpwell.mail.models import OutgoingMail
    from helpwell.tickets.models import Ticket

    created = Ticket.objects.filter(id__gt=prepared["max_ticket_id"])
    count = created.count()
    with transaction.atomic():
        TicketSubmission.objects.all().delete()
        OutgoingMail.objects.filter(ticket__in=created).delete()
        created.delete()
        try:
            from django_tasks_db.models import DBTaskResult

            DBTaskResult.objects.filter(enqueued_at__gte=prepared["started"]).delete()
        except ImportError:  # another task backend
            pass
    if connection.vendor == "postgresql":
        # Tens of thousands of deleted rows would otherwise set autovacuum going during the next run's
        # measurements (seen taking a third of a core through a whole latency run).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    connection.close()
    return count


def warm_cache(db: str, tickets: int) -> float:
    """Read the whole database once so the OS page cache holds it, as on a server that has been up a
    while with enough memory; without this the first requests for old tickets wait for the disk."""
    started = time.perf_counter()
    if db == "sqlite":
        with open(common.sqlite_path(tickets), "rb") as f:
            while f.read(16 * 2**20):
                pass
    else:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            cursor.execute(
                "SELECT sum(pg_prewarm(c.oid, 'read')) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i', 't')"
            )
        connection.close()
    return time.perf_counter() - started


def machine() -> dict[str, Any]:
    import django

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "os": platform.platform(terse=True),
        "python": platform.python_version(),
        "django": django.get_version(),
    }


def database_version(db: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if db == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
        else:
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
    connection.close()
    return version


# ------------------------------------------------------------------------------------------------


def deep_queue_path(get: Any, pages: int) -> str:
    """Follow the queue's "Next" link `pages` times from the all tab; the page it ends on (or the
    last page, in a small database). `get(path)` answers (status, body).
    """
    path = QUEUE_PATHS["queue_all"]
    for page in range(pages - 1):
        status, body = get(path)
        if status != 200:
            raise LookupError(f"HTTP {status} for {path}")
        match = re.search(rb'href="(\?[^"]*)" rel="next"', body)
        if not match:
            if page == 0:
                raise LookupError(f"no next-page link on {path}")
            break
        path = "/agent/" + html.unescape(match.group(1).decode())
    return path


def latency_paths(key: str, references: list[str], count: int, get: Any = None) -> list[str]:
    if key == "ticket":
        return [f"/agent/tickets/{references[i % len(references)]}/" for i in range(count)]
    if key == "queue_deep":
        return [deep_queue_path(get, DEEP_PAGES)] * count
    return [QUEUE_PATHS[key]] * count


def run(args: argparse.Namespace) -> dict[str, Any]:
    db, tickets = args.db, args.tickets
    marker = common.read_marker(db, tickets)
    if marker is None:
        raise SystemExit(
            f"No seeded {db} database at {tickets:,} tickets; run: .venv/bin/python bench/seed.py --db {db}"
            f" --tickets {tickets}"
        )
    busy = cpu_busy(3)
    if busy > 0.15:
        print(
            f"Note: something else keeps the CPUs {busy:.0%} busy; figures will be slower than on a quiet machine."
        )
    common.setup_django(db, tickets)
    total = args.warmup + args.requests
    prepared = prepare(db, tickets, samples=total)
    generator = "wrk" if shutil.which("wrk") and not args.python_client else "python threads"
    result: dict[str, Any] = {
        "db": db,
        "database": database_version(db),
        "tickets": marker["tickets"],
        "messages": marker["messages"],
        "events": marker["events"],
        "seed_seconds": round(marker["seconds"]),
        "at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "cpu_busy_before": round(busy, 2),
        "host_loop_seconds": common.host_loop_seconds(),
        "latency": {},
    }
    if not args.cold:
        print("Reading the database into the OS page cache …", end="", flush=True)
        print(f" {warm_cache(db, tickets):.0f} s", flush=True)
    result["cache"] = "cold" if args.cold else "warm (database read once before measuring)"
    server = Server(db, tickets, args.workers, args.threads)
    result["server"] = f"{server.label} on 127.0.0.1"
    print(f"Benchmarking {db} at {marker['tickets']:,} tickets, {result['server']}")
    try:
        with server:
            try:
                client = sign_in(server.port, common.AGENT_USERNAME, common.AGENT_PASSWORD)
            except SignInFailed as e:
                print(f"  {e}; using a session made directly instead")
                result["sign_in"] = f"{e}; used a session made directly"
                client = Client(server.port)
                client.cookies["sessionid"] = session_for(common.AGENT_USERNAME)
            api_headers = {"Authorization": f"Bearer {prepared['token']}", "Accept": "application/json"}
            for key, label, _ in [] if args.skip_latency else LATENCY_CASES:
                print(f"  latency {label} …", end="", flush=True)
                try:
                    paths = latency_paths(
                        key, prepared["references"], total, lambda p: client.request("GET", p)[::2]
                    )
                except LookupError as e:
                    result["latency"][key] = {"error": str(e)}
                    print(f" {e}", flush=True)
                    continue
                if key == "api_list":
                    api_client = Client(server.port)
                    outcome = measure_latency(api_client, paths, args.warmup, headers=api_headers)
                    api_client.close()
                else:
                    outcome = measure_latency(client, paths, args.warmup)
                result["latency"][key] = outcome
                if "error" in outcome:
                    print(f" {outcome['error'][:120]}", flush=True)
                else:
                    print(f" p50 {outcome['p50_ms']} ms, p95 {outcome['p95_ms']} ms", flush=True)
            client.close()
            if not args.skip_throughput:
                assert server.process is not None
                result["throughput"] = measure_throughput(
                    server.port,
                    server.process.pid,
                    prepared["token"],
                    prepared["customers"],
                    args.connections,
                    args.duration,
                    generator,
                    args.rounds,
                    tuple(args.cases.split(",")),
                )
        if not args.skip_throughput and not args.skip_drain and "submit" in result["throughput"]:
            print("  opening the submitted tickets as the worker does …", end="", flush=True)
            drained = drain_submissions()
            result["throughput"]["drain"] = drained
            print(f" {drained['opened']:,} in {drained['seconds']} s ({drained['per_second']:,.0f}/s)")
    finally:
        removed = clean_up(prepared)
        if removed:
            print(f"  removed the {removed:,} tickets the throughput run created")
    report(result)
    common.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = common.RESULTS_DIR / f"{db}-{tickets}-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(f"Results written to {path.relative_to(common.ROOT)}")
    if args.update_docs:
        update_docs(result, args)
    return result


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("meets target" if ok else "MISSES target")


def rows(result: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(what, p50, p95, p99, against the target) for the printed table and the docs."""
    out = []
    for key, label, has_target in LATENCY_CASES:
        outcome = result["latency"].get(key)
        if outcome is None:
            continue
        if "error" in outcome:
            out.append((label, "–", "–", "–", f"not measured: {outcome['error'][:80]}"))
            continue
        ok = outcome["p95_ms"] < TARGET_P95_MS if has_target else None
        target = f"p95 < {TARGET_P95_MS:.0f} ms: {verdict(ok)}" if has_target else "no target"
        out.append((label, f"{outcome['p50_ms']}", f"{outcome['p95_ms']}", f"{outcome['p99_ms']}", target))
    return out


def throughput_rows(result: dict[str, Any]) -> list[tuple[str, str, str]]:
    t = result.get("throughput")
    if not t:
        return []
    out = []
    for key, label in (
        ("bare", "Bare Django view (`GET /bench/bare/`)"),
        ("create", "API ticket creation, answered with the ticket (`POST /api/v1/tickets`, 201)"),
        ("submit", "API ticket creation, `Prefer: respond-async` (202; the worker opens it)"),
    ):
        r = t.get(key, {})
        if "rps" in r:
            extra = f"{r['requests']:,} requests" + (f", {r['non_2xx']:,} failed" if r["non_2xx"] else "")
            if len(r.get("rounds_rps", [])) > 1:
                extra += "; rounds " + ", ".join(f"{x:,.0f}" for x in r["rounds_rps"])
                if r.get("one_worker_rounds"):
                    extra += f" ({r['one_worker_rounds']} served by one worker only)"
            if r.get("latency"):
                extra += "; best round's latency " + " / ".join(f"{k} {v}" for k, v in r["latency"].items())
            if r.get("machine_cpu_ms_per_request"):
                extra += (
                    f"; {r['machine_cpu_ms_per_request']:.2f} ms of the machine's CPU a request,"
                    f" {r['cores_busy']:.1f} of {os.cpu_count()} cores busy"
                )
            if r.get("cpu_ms_per_request_by_part"):
                extra += (
                    " ("
                    + ", ".join(f"{part} {ms:.2f}" for part, ms in r["cpu_ms_per_request_by_part"].items())
                    + ")"
                )
            out.append((label, f"{r['rps']:,.0f}", extra))
        else:
            out.append((label, "–", r.get("error", "not measured")))
    if "ratio" in t:
        ok = t["ratio"] >= TARGET_RATIO
        out.append(
            ("Creation (201) ÷ bare view", f"{t['ratio']:.2f}", f"target ≥ {TARGET_RATIO}: {verdict(ok)}")
        )
    if "submit_ratio" in t:
        ok = t["submit_ratio"] >= TARGET_RATIO
        out.append(
            (
                "Creation (202) ÷ bare view",
                f"{t['submit_ratio']:.2f}",
                f"target ≥ {TARGET_RATIO}: {verdict(ok)}",
            )
        )
    if "drain" in t:
        d = t["drain"]
        out.append(
            (
                "Worker opening the 202 submissions (one process)",
                f"{d['per_second']:,.0f}",
                f"tickets/s: {d['opened']:,} opened in {d['seconds']} s, {d['failed']} failed",
            )
        )
    return out


def report(result: dict[str, Any]) -> None:
    print()
    print(
        f"{result['database']}, {result['tickets']:,} tickets, {result['messages']:,} messages — {result['server']}"
    )
    width = max(len(r[0]) for r in rows(result)) if result["latency"] else 40
    print(f"{'latency (ms, sequential)':<{width}}  {'p50':>7} {'p95':>7} {'p99':>7}  target")
    for label, p50, p95, p99, target in rows(result):
        print(f"{label:<{width}}  {p50:>7} {p95:>7} {p99:>7}  {target}")
    t = result.get("throughput")
    if t:
        print(
            f"\nthroughput ({t['generator']}, {t['connections']} keep-alive connections,"
            f" best of {t.get('rounds', 1)} rounds of {t['duration_s']} s)"
        )
        for label, rps, extra in throughput_rows(result):
            unit = "      " if label.startswith("Creation ÷") else " req/s"
            print(f"{label:<{width}}  {rps:>9}{unit}  {extra}")
    print()


def docs_section(result: dict[str, Any], args: argparse.Namespace) -> str:
    m = result["machine"]
    flags = f" --tickets {args.tickets}" if args.tickets != common.DEFAULT_TICKETS else ""
    lines = [
        f"Measured {result['at']} with {result['database']} at {result['tickets']:,} tickets and"
        f" {result['messages']:,} messages ({result['events']:,} history events; seeded in"
        f" {result['seed_seconds']} s) on {m['cores']} × {m['cpu']}, {m['memory']} RAM, Python {m['python']},"
        f" Django {m['django']}; {result['server']}; page cache {result.get('cache', 'warm')};"
        f" CPUs {result.get('cpu_busy_before', 0):.0%} busy with other work just before the run;"
        f" host speed: a ten-million-step Python loop took {result.get('host_loop_seconds', '?')} s"
        " (`common.host_loop_seconds`: lower is a faster host; it moved over about 1.6× on 2026-12-03).",
        "",
        f"Reproduce: `.venv/bin/python bench/seed.py --db {result['db']}{flags} && "
        f".venv/bin/python bench/run.py --db {result['db']}{flags}`",
        "",
        f"| Latency, one request at a time ({args.requests} requests after {args.warmup} warm-up) | p50 ms | p95 ms"
        " | p99 ms | Target |",
        "|---|---:|---:|---:|---|",
    ]
    lines += [
        f"| {label} | {p50} | {p95} | {p99} | {target} |" for label, p50, p95, p99, target in rows(result)
    ]
    t = result.get("throughput")
    if t:
        lines += [
            "",
            f"| Throughput ({t['generator']}, {t['connections']} keep-alive connections,"
            f" best of {t.get('rounds', 1)} rounds of {t['duration_s']} s)"
            " | Requests/s | Notes |",
            "|---|---:|---|",
        ]
        lines += [f"| {label} | {rps} | {extra} |" for label, rps, extra in throughput_rows(result)]
    return "\n".join(lines)


def update_docs(result: dict[str, Any], args: argparse.Namespace) -> None:
    start, end = f"<!-- results:{result['db']} -->", f"<!-- /results:{result['db']} -->"
    text = DOCS.read_text() if DOCS.exists() else ""
    if start not in text or end not in text:
        print(f"docs/benchmarks.md has no {start} … {end} markers; not updated.")
        return
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    DOCS.write_text(f"{before}{start}\n{docs_section(result, args)}\n{end}{after}")
    print(f"Updated the {result['db']} section of docs/benchmarks.md")


# ------------------------------------------------------------------------------------------------
# --explain: what each page asks the database, and how the database answers


def explain(args: argparse.Namespace) -> None:
    common.setup_django(args.db, args.tickets)
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext

    prepared = prepare(args.db, args.tickets, samples=5)
    user = User.objects.get(username=common.AGENT_USERNAME)
    client = TestClient()
    client.force_login(user)
    for key, label, _ in LATENCY_CASES:
        get = lambda p: (lambda r: (r.status_code, r.content))(client.get(p))  # noqa: E731
        try:
            path = latency_paths(key, prepared["references"], 1, get)[0]
        except LookupError as e:
            print(f"\n== {label}: {e}")
            continue
        headers = {"Authorization": f"Bearer {prepared['token']}"} if key == "api_list" else {}
        client.get(path, headers=headers)  # warm
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(path, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
        db_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
        print(f"\n== {label}: {path}\n   HTTP {response.status_code}, {elapsed:.1f} ms in Django,"
              f" {len(ctx.captured_queries)} queries, {db_ms:.1f} ms in the database")  # fmt: skip
        slowest = sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[: args.explain_top]
        for q in slowest:
            sql = q["sql"]
            print(f"\n   {float(q['time']) * 1000:.1f} ms: {sql[:600]}{' …' if len(sql) > 600 else ''}")
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                if args.db == "sqlite":
                    cursor.execute("EXPLAIN QUERY PLAN " + sql)
                    plan = [f"{row[-1]}" for row in cursor.fetchall()]
                else:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    plan = [row[0] for row in cursor.fetchall()]
            for line in plan:
                print(f"      {line}")
    connection.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--tickets", type=int, default=common.DEFAULT_TICKETS, help="which seeded size")
    parser.add_argument("--requests", type=int, default=200, help="measured requests per latency case")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests before them")
    parser.add_argument("--connections", type=int, default=8, help="concurrent clients for throughput")
    parser.add_argument("--duration", type=int, default=8, help="seconds of each throughput round")
    parser.add_argument("--rounds", type=int, default=4, help="throughput rounds; the best counts")
    parser.add_argument("--workers", type=int, help="web processes (default: what `helpwell serve` picks)")
    parser.add_argument("--threads", type=int, help="threads per process (default: `helpwell serve`'s)")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-latency", action="store_true", help="measure throughput only")
    parser.add_argument(
        "--skip-drain", action="store_true", help="do not time the worker opening the 202 submissions"
    )
    parser.add_argument(
        "--cases",
        default=",".join(THROUGHPUT_CASES),
        help="throughput cases, comma-separated: bare (the bare view), create (201), submit (202)",
    )
    parser.add_argument(
        "--cold", action="store_true", help="do not read the database into the page cache first"
    )
    parser.add_argument(
        "--python-client", action="store_true", help="use the threaded client even if wrk exists"
    )
    parser.add_argument(
        "--update-docs", action="store_true", help="write the figures into docs/benchmarks.md"
    )
    parser.add_argument("--explain", action="store_true", help="print each page's queries and plans instead")
    parser.add_argument("--explain-top", type=int, default=3, help="with --explain: how many slowest queries")
    args = parser.parse_args(argv)
    if args.db == "both":
        # One database per process: Django is set up once, for one DATABASE_URL.
        failed = False
        for db in ("sqlite", "postgres"):
            cmd = [sys.executable, __file__, *[a for a in (argv or sys.argv[1:])], "--db", db]
            failed |= subprocess.run(cmd, check=False).returncode != 0
        raise SystemExit(1 if failed else 0)
    if args.explain:
        explain(args)
        return
    run(args)


if __name__ == "__main__":
    os.chdir(common.ROOT)
    main()
