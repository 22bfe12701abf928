"""Inbound mail ingestion from a Maildir through parse, thread and store, on one core.

    .venv/bin/python bench/mail_ingest.py --db both --messages 2000

Writes a Maildir of realistic mail (new requests in text and HTML, replies threaded by
In-Reply-To, by the reply address and by the subject reference, out-of-office replies, a few
attachments), then imports it into a fresh database exactly as `helpwell import-mail` does
(`receive_many`: many mails per transaction, each in its own savepoint): one process, one core.
Prints messages per second per database. The target (issue 3) is 200/s.
SQLite: a new file in a temp dir. PostgreSQL: the database helpwell_mail_bench on HELPWELL_BENCH_PG
(postgres://postgres@127.0.0.1:5432 by default), dropped and created again.
"""

import argparse
import json
import mailbox
import os
import random
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_SERVER = os.environ.get("HELPWELL_BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
PG_NAME = "helpwell_mail_bench"

WORDS = ["invoice", "charge", "refund", "parcel", "delivery", "account", "password", "login", "export", "report", "screen", "error", "payment", "card", "address", "order", "week", "month", "team", "please", "thanks", "again", "soon"]  # fmt: skip


def sentence(rng: random.Random, n: int = 12) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def write_maildir(folder: Path, count: int, seed: int = 7) -> None:
    """Mail as a help desk receives it; replies refer to requests written earlier in the same box."""
    rng = random.Random(seed)
    box = mailbox.Maildir(str(folder), create=True)
    requests: list[tuple[str, str, str]] = []  # (Message-ID, sender, subject)
    for i in range(count):
        msg = EmailMessage()
        kind = rng.random()
        sender = f"customer{rng.randrange(max(10, count // 4))}@example{rng.randrange(20)}.com"
        msg["Date"] = format_datetime(__import__("datetime").datetime.now(__import__("datetime").UTC))
        msg["Message-ID"] = make_msgid(domain="bench.example")
        msg["To"] = "support@helpwell.localhost"
        body = "\n\n".join(sentence(rng, rng.randrange(8, 30)) for _ in range(rng.randrange(1, 5)))
        if requests and kind < 0.35:
            mid, sender, subject = rng.choice(requests)
            msg["From"] = sender
            msg["Subject"] = f"Re: {subject}"
            msg["In-Reply-To"] = mid
            msg["References"] = mid
            body += f"\n\nOn Monday, {sender} wrote:\n> " + sentence(rng) + "\n> " + sentence(rng)
            msg.set_content(body)
        elif requests and kind < 0.42:
            mid, sender, subject = rng.choice(requests)
            msg["From"] = sender
            msg["Subject"] = f"Automatic reply: {subject}"
            msg["Auto-Submitted"] = "auto-replied"
            msg["In-Reply-To"] = mid
            msg.set_content("I am out of the office until Monday.")
        else:
            subject = sentence(rng, 5)[:60]
            msg["From"] = f"Customer {i} <{sender}>"
            msg["Subject"] = subject
            msg.set_content(body)
            if kind > 0.7:
                paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
                msg.add_alternative(f"<html><body style='font-family:Arial'>{paragraphs}</body></html>",
                                    subtype="html")  # fmt: skip
            if kind > 0.93:
                msg.add_attachment(
                    os.urandom(20_000), maintype="application", subtype="pdf", filename="scan.pdf"
                )
            requests.append((msg["Message-ID"], sender, subject))
        box.add(msg.as_bytes())
    box.flush()


def measure(maildir: str) -> dict[str, Any]:
    """Runs inside a child process whose DATABASE_URL is already set, on one core only (the
    database server, a separate process, may run on another, as it would on its own machine)."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from helpwell.mail.inbound.ingest import receive_many
    from helpwell.mail.inbound.sources import read_messages
    from helpwell.mail.models import InboundMail
    from helpwell.people.models import Team
    from helpwell.test import make_priorities

    make_priorities()
    team = Team.objects.create(name="Support", slug="support")
    messages = [raw for _, raw in read_messages([Path(maildir)])]
    from helpwell.mail.inbound.parse import parse_message

    parse_started = time.perf_counter()
    for raw in messages:
        parse_message(raw)
    parse_seconds = time.perf_counter() - parse_started
    started = time.perf_counter()
    cpu = time.process_time()
    # The same batched path as `helpwell import-mail`.
    imported = sum(1 for _ in receive_many(messages, source=InboundMail.Source.IMPORT, team=team))
    elapsed = time.perf_counter() - started
    cpu_used = time.process_time() - cpu
    statuses = {s: InboundMail.objects.filter(status=s).count() for s in InboundMail.Status.values}
    return {
        "vendor": connection.vendor,
        "messages": imported,
        "seconds": elapsed,
        "per_second": imported / elapsed,
        "cpu_seconds": cpu_used,
        "parse_per_second": len(messages) / parse_seconds,
        "statuses": statuses,
    }


def child(db: str, maildir: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPWELL_")}
    env["DJANGO_SETTINGS_MODULE"] = "helpwell.settings"
    env["HELPWELL_TASK_BACKEND"] = "database"
    env["HELPWELL_LOG_LEVEL"] = "WARNING"
    tmp = tempfile.mkdtemp(prefix="helpwell-mail-bench-")
    env["HELPWELL_VAR_DIR"] = tmp
    if db == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    else:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME}")
            conn.execute(f"CREATE DATABASE {PG_NAME}")
        env["DATABASE_URL"] = f"{PG_SERVER}/{PG_NAME}"
    # One process, one thread: one core's work (CPU seconds are printed next to the wall time, since
    # on a shared machine the wall time also counts the time other processes held the core).
    cmd = [sys.executable, __file__, "--child", maildir]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        raise SystemExit(done.stdout + done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpwell.settings")
        print(json.dumps(measure(args.child)))
        return
    folder = Path(tempfile.mkdtemp(prefix="helpwell-maildir-")) / "Maildir"
    write_maildir(folder, args.messages)
    from bench.common import host_loop_seconds

    print(f"Maildir of {args.messages} messages at {folder}; host speed: a ten-million-step Python loop"
          f" takes {host_loop_seconds()} s (lower is faster)")  # fmt: skip
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        result = child(db, str(folder))
        print(f"{result['vendor']:<10} {result['messages']} messages in {result['seconds']:.1f} s: "
              f"{result['per_second']:.0f} messages/s, {result['messages'] / result['cpu_seconds']:.0f} per CPU-second "
              f"(parse alone: {result['parse_per_second']:.0f}/s)  {result['statuses']}")  # fmt: skip


if __name__ == "__main__":
    main()
