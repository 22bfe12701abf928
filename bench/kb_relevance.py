#!/usr/bin/env python
"""The suggestions' top-3 hit rate over the relevance set, on SQLite and on PostgreSQL.

    .venv/bin/python bench/kb_relevance.py                 # both databases
    .venv/bin/python bench/kb_relevance.py --db sqlite -v  # one database, every miss printed

For each database it builds a fresh scratch database (a temporary SQLite file; a PostgreSQL database
named <HELPWELL_BENCH_NAME or helpwell_bench>_relevance), migrates it, loads the 95 Brightleaf demo
articles and their translations through the kb actions, asks the suggestion service each question of
helpwell/kb/content/relevance.txt as an anonymous visitor, and counts a hit when one of the expected
articles is among the first three suggestions. It also prints the suggestion latency in-process.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import NAME_STEM, PG_SERVER  # noqa: E402

TARGET = 0.80


def child(verbose: bool) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpwell.settings")
    django.setup()
    import random

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from helpwell.kb.demo import _articles
    from helpwell.kb.relevance import evaluate, hit_rate
    from helpwell.search.service import suggest_articles

    _articles(random.Random(1), timezone.now())
    outcomes = evaluate()
    timings = []
    for outcome in outcomes:
        started = time.perf_counter()
        suggest_articles(outcome.case.question)
        timings.append((time.perf_counter() - started) * 1000)
    rate = hit_rate(outcomes)
    p95 = statistics.quantiles(timings, n=20)[-1]
    print(
        f"{connection.vendor:>10}: top-3 hit rate {rate:.1%} ({sum(o.hit for o in outcomes)}/{len(outcomes)} "
        f"questions, target {TARGET:.0%}) · suggestion p50 {statistics.median(timings):.1f} ms, "
        f"p95 {p95:.1f} ms in-process"
    )
    if verbose:
        for o in outcomes:
            if not o.hit:
                print(f"            miss: {o.case.question!r} wanted {o.case.expected}, got {o.suggested}")
    sys.exit(0 if rate >= TARGET else 1)


def run(db: str, verbose: bool) -> int:
    env = dict(os.environ)
    env.pop("HELPWELL_TESTING", None)
    env["DJANGO_SETTINGS_MODULE"] = "helpwell.settings"
    env["HELPWELL_MAILCATCHER"] = "false"
    with tempfile.TemporaryDirectory() as tmp:
        env["HELPWELL_VAR_DIR"] = tmp
        if db == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{tmp}/relevance.sqlite3"
        else:
            import psycopg

            name = f"{NAME_STEM}_relevance"
            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as pg:
                pg.execute(f'DROP DATABASE IF EXISTS "{name}"')
                pg.execute(f'CREATE DATABASE "{name}"')
            env["DATABASE_URL"] = f"{PG_SERVER}/{name}"
        args = [sys.executable, __file__, "--child"] + (["-v"] if verbose else [])
        return subprocess.run(args, env=env, cwd=ROOT).returncode


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.verbose)
        return
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    failed = [db for db in dbs if run(db, args.verbose) != 0]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
