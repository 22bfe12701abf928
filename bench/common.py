"""What bench/seed.py and bench/run.py share: where the benchmark databases live and how to reach them.

Each size has its own database so a quick 20,000-ticket run never throws away the 1,000,000 one:
SQLite files under bench/data/ (HELPWELL_BENCH_DIR to move them) and PostgreSQL databases on
HELPWELL_BENCH_PG (postgres://postgres@127.0.0.1:5432 by default), named helpwell_bench at
1,000,000 tickets and helpwell_bench_<tickets> otherwise. HELPWELL_BENCH_NAME replaces the
"helpwell_bench" stem, so two checkouts can keep separate benchmark databases side by side.
"""

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
DATA_DIR = Path(os.environ.get("HELPWELL_BENCH_DIR", BENCH_DIR / "data"))
RESULTS_DIR = BENCH_DIR / "results"
PG_SERVER = os.environ.get("HELPWELL_BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DEFAULT_TICKETS = 1_000_000
MARKER_TABLE = "bench_seed"
NAME_STEM = os.environ.get("HELPWELL_BENCH_NAME", "helpwell_bench")

# The people run.py signs in as. Every seeded agent has this password.
AGENT_PASSWORD = "bench-password-1"
AGENT_USERNAME = "bench.agent"  # an agent on the Technical team, the biggest one
ADMIN_USERNAME = "bench.admin"


def database_name(tickets: int) -> str:
    return NAME_STEM if tickets == DEFAULT_TICKETS else f"{NAME_STEM}_{tickets}"


def sqlite_path(tickets: int) -> Path:
    return DATA_DIR / f"{database_name(tickets)}.sqlite3"


def database_url(db: str, tickets: int) -> str:
    if db == "sqlite":
        return f"sqlite:///{sqlite_path(tickets)}"
    if db == "postgres":
        return f"{PG_SERVER}/{database_name(tickets)}"
    raise SystemExit(f"--db must be sqlite or postgres, not {db!r}")


def server_env(db: str, tickets: int) -> dict[str, str]:
    """The environment a process needs to run Helpwell (with the bench urls) on the bench database."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(db, tickets),
        DJANGO_SETTINGS_MODULE="bench.settings",
        HELPWELL_DEBUG="false",
        HELPWELL_MAILCATCHER="false",
        HELPWELL_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        HELPWELL_TASK_BACKEND=os.environ.get("HELPWELL_TASK_BACKEND", "database"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
    )
    env.pop("HELPWELL_TESTING", None)
    return env


def setup_django(db: str, tickets: int) -> None:
    os.environ.update(server_env(db, tickets))
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def read_marker(db: str, tickets: int) -> dict | None:
    """What seed.py recorded when it finished loading this database, or None if it never did."""
    if db == "sqlite":
        import sqlite3

        path = sqlite_path(tickets)
        if not path.exists():
            return None
        conn = sqlite3.connect(path)
        try:
            row = conn.execute(
                f"SELECT tickets, messages, events, seconds, seeded_at FROM {MARKER_TABLE}"
            ).fetchone()
        except sqlite3.OperationalError:
            return None
        finally:
            conn.close()
    else:
        import psycopg

        try:
            pg = psycopg.connect(database_url(db, tickets), autocommit=True)
        except psycopg.OperationalError:
            return None
        try:
            row = pg.execute(
                f"SELECT tickets, messages, events, seconds, seeded_at FROM {MARKER_TABLE}"
            ).fetchone()
        except psycopg.errors.UndefinedTable:
            return None
        finally:
            pg.close()
    if row is None:
        return None
    return dict(zip(("tickets", "messages", "events", "seconds", "seeded_at"), row, strict=True))


@contextmanager
def step(label: str) -> Iterator[None]:
    """Print what is happening and how long it took."""
    print(f"  {label} …", end="", flush=True)
    started = time.perf_counter()
    yield
    print(f" {time.perf_counter() - started:.1f} s", flush=True)


def host_loop_seconds() -> float:
    """Seconds a fixed pure-Python loop (ten million additions) takes, best of three: a rough gauge of
    how fast this shared host is right now, recorded next to each run's figures. It misses part of the
    host's slow phases (memory-heavy work slows more than this loop), so the mail benchmark also gives
    its parser's own speed."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(10_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return round(best, 2)
