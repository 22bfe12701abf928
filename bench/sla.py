#!/usr/bin/env python
"""SLA benchmarks on a seeded database (bench/seed.py), for must-show 4 of the SLA issue.

    .venv/bin/python bench/sla.py --db sqlite                   # the 1,000,000-ticket database
    .venv/bin/python bench/sla.py --db postgres
    HELPWELL_BENCH_NAME=sla .venv/bin/python bench/sla.py --db both --tickets 20000 --recompute 2000

1. The sweep. Every ticket gets an SLA check time (Ticket.sla_check_at) spread evenly over the next
   30 days, so the index holds one entry per ticket (1,000,000 at full size), as if every ticket were
   open with a running clock. The tickets whose check falls in the coming minute get real running
   clocks past their due time. Then `sweep_due` runs at "now + 1 minute": one index range finds them,
   each is claimed with a conditional UPDATE and its breach recorded (Breach row, ticket event).
   Printed: rows in the index, tickets due, breaches recorded, seconds (best of --repeat runs).
2. The recompute. A business-hours calendar is created for the team with the most open tickets and
   --recompute of them get running clocks (first response and resolution); then the background
   job (helpwell.sla.recompute.run, the one `recompute_due_times` runs in the worker) recomputes them,
   printing its progress. Printed: tickets, seconds, tickets per second, and the time 100,000 take.

Everything happens inside one transaction that is rolled back at the end: the shared benchmark
database is left exactly as seed.py made it, so the queue benchmarks are not disturbed.
"""

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402


class Rollback(Exception):
    pass


def run(db: str, tickets: int, recompute: int, repeat: int) -> dict[str, float]:
    marker = common.read_marker(db, tickets)
    if not marker:
        raise SystemExit(
            f"{db} at {tickets:,} tickets is not seeded: run bench/seed.py --db {db} --tickets {tickets}"
        )
    common.setup_django(db, tickets)
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count
    from django.utils import timezone

    call_command("migrate", verbosity=0)  # adds the SLA columns to a database seeded before them
    from helpwell.sla.breaches import sweep_due
    from helpwell.sla.models import Breach, BusinessCalendar, Clock, RecomputeJob
    from helpwell.sla.recompute import run as run_job
    from helpwell.tickets.models import Ticket

    figures: dict[str, float] = {}
    now = timezone.now().replace(microsecond=0)
    try:
        with transaction.atomic():
            with common.step("give every ticket a check time over the next 30 days"):
                minutes = 30 * 24 * 60
                epoch = int(now.timestamp())
                if db == "sqlite":
                    sql = (
                        "UPDATE tickets_ticket SET sla_check_at = "
                        "datetime(%s + (id %% %s) * 60, 'unixepoch') , next_due = NULL"
                    )
                else:
                    sql = (
                        "UPDATE tickets_ticket SET sla_check_at = "
                        "to_timestamp(%s + (id %% %s) * 60), next_due = NULL"
                    )
                with connection.cursor() as cursor:
                    cursor.execute(sql, [epoch + 120, minutes])
                    if db == "postgres":
                        cursor.execute("ANALYZE tickets_ticket")
            horizon = now + timedelta(minutes=3)
            due_ids = list(Ticket.objects.filter(sla_check_at__lte=horizon).values_list("pk", "sla_check_at"))
            with common.step(
                f"running, overdue clocks for the {len(due_ids)} tickets due in the next minute"
            ):
                Clock.objects.filter(ticket_id__in=[pk for pk, _ in due_ids]).delete()
                Clock.objects.bulk_create(
                    Clock(
                        ticket_id=pk,
                        kind=Clock.Kind.FIRST_RESPONSE,
                        policy_name="Bench",
                        target_minutes=60,
                        business_hours=False,
                        started_at=at - timedelta(hours=1),
                        running_since=at - timedelta(hours=1),
                        due_at=at,
                    )  # fmt: skip
                    for pk, at in due_ids
                )
            indexed = Ticket.objects.filter(sla_check_at__isnull=False).count()
            best = None
            recorded = 0
            for attempt in range(repeat):
                sid = transaction.savepoint()
                breaches_before = Breach.objects.count()
                started = time.perf_counter()
                handled = sweep_due(now=horizon)
                seconds = time.perf_counter() - started
                recorded = Breach.objects.count() - breaches_before
                transaction.savepoint_rollback(sid)
                best = seconds if best is None else min(best, seconds)
                print(
                    f"  sweep run {attempt + 1}: {handled} tickets handled, {recorded} breaches recorded in {seconds * 1000:.0f} ms"
                )
            figures.update(indexed=indexed, due=len(due_ids), recorded=recorded, sweep_s=best or 0.0)

            # --- recompute after a calendar change ---
            team_id, open_count = (
                Ticket.objects.filter(is_open__in=[True]).values("team_id").annotate(n=Count("pk")).order_by("-n")
                .values_list("team_id", "n").first()
            )  # fmt: skip
            size = min(recompute, open_count)
            ids = list(
                Ticket.objects.filter(team_id=team_id, is_open__in=[True])
                .order_by("pk")
                .values_list("pk", "created_at")[:size]
            )
            with common.step(f"running clocks for {size:,} open tickets of team {team_id}"):
                Clock.objects.filter(ticket_id__in=[pk for pk, _ in ids]).delete()
                clocks = []
                for pk, created in ids:
                    for kind, minutes in ((Clock.Kind.FIRST_RESPONSE, 240), (Clock.Kind.RESOLUTION, 960)):
                        clocks.append(Clock(ticket_id=pk, kind=kind, policy_name="Bench", target_minutes=minutes,
                                            started_at=created, running_since=created, due_at=created + timedelta(minutes=minutes)))  # fmt: skip
                Clock.objects.bulk_create(clocks, batch_size=5000)
                if size < open_count:  # only these are "affected": the team's other open tickets step aside
                    others = Ticket.objects.filter(team_id=team_id, is_open__in=[True], pk__gt=ids[-1][0])
                    others.update(is_open=False)
            calendar = BusinessCalendar.objects.create(
                name="Bench office hours", team_id=team_id, time_zone="Europe/Berlin",
                weekly_hours={str(d): "09:00-17:00" for d in range(5)}, holiday_country="DE", holiday_subdivision="BE",
            )  # fmt: skip
            job = RecomputeJob.objects.create(calendar=calendar, reason="bench")
            last = [0.0]

            def progress(done: int, total: int) -> None:
                if time.perf_counter() - last[0] > 5 or done == total:
                    last[0] = time.perf_counter()
                    print(
                        f"    progress: {done:,} of {total:,} ({100 * done // max(total, 1)} %)", flush=True
                    )

            started = time.perf_counter()
            done = run_job(job.pk, progress=progress)
            seconds = time.perf_counter() - started
            figures.update(recomputed=done, recompute_s=seconds)
            raise Rollback
    except Rollback:
        pass
    return figures


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--tickets", type=int, default=common.DEFAULT_TICKETS)
    parser.add_argument(
        "--recompute", type=int, default=100_000, help="open tickets whose due times are recomputed"
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if len(dbs) > 1:  # one Django setup per process: run each database in its own
        import subprocess

        for db in dbs:
            subprocess.run([sys.executable, __file__, "--db", db, "--tickets", str(args.tickets),
                            "--recompute", str(args.recompute), "--repeat", str(args.repeat)], check=True)  # fmt: skip
        return
    db = dbs[0]
    print(f"SLA benchmark on {db} at {args.tickets:,} tickets")
    f = run(db, args.tickets, args.recompute, args.repeat)
    rate = f["recomputed"] / f["recompute_s"] if f["recompute_s"] else 0
    print(
        f"{db}: sweep over {int(f['indexed']):,} tickets with a check time: {int(f['due'])} due in the next minute, "
        f"{int(f['recorded'])} breaches recorded in {f['sweep_s'] * 1000:.0f} ms (best of {args.repeat})"
    )
    print(
        f"{db}: recompute job: {int(f['recomputed']):,} tickets in {f['recompute_s']:.1f} s "
        f"({rate:,.0f} tickets/s; 100,000 would take {100_000 / rate if rate else 0:,.0f} s)"
    )


if __name__ == "__main__":
    main()
