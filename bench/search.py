#!/usr/bin/env python
"""Search benchmarks over HTTP on a database seeded by bench/seed.py (which also builds the search
index and 10,000 articles through seed_search() below).

    .venv/bin/python bench/search.py --db sqlite             # the 1,000,000-ticket database
    .venv/bin/python bench/search.py --db both
    HELPWELL_BENCH_NAME=kb .venv/bin/python bench/search.py --db both --tickets 20000 --requests 100

It starts Helpwell's web server (bench/run.py's Server) on 127.0.0.1 and measures, one request at a
time after a warm-up, p50/p95/p99 of:
- the agent's ticket search, `/agent/search/?q=…` (signed in as an agent on the biggest team, so the
  results go through the permission filter), with queries made of the words tickets really contain;
- the article suggestions of the request form, `/help/suggest/?subject=…&description=…`, with the
  questions of the relevance set (helpwell/kb/content/relevance.txt) typed as customers type them.
Targets: tickets p95 < 50 ms, suggestions p95 < 20 ms.

`--seed-only` builds the index and the articles on a database seeded before this step existed.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

ARTICLES = 10_000
MARKER = "bench_search_seed"
TICKET_TARGET_MS, SUGGEST_TARGET_MS = 50.0, 20.0
# What agents type: words of the seeded subjects and threads (bench/seed.py), one to three at a time.
TICKET_QUERIES = [
    "refund", "invoice", "password reset", "webhook", "parcel does not arrive", "charged twice",
    "export cannot be downloaded", "mobile app", "credit note", "return label", "subscription cancelled",
    "duplicate charge", "warehouse", "screenshot error", "api key", "payment stuck", "report slow",
    "account", "delivery", "refund started", "finance team", "order", "cache browser", "engineers fix",
    "payment provider", "premium plan", "escalated", "wrong amount", "stopped working", "invoice missing",
]  # fmt: skip
PRODUCTS = ["Smart Thermostat", "Smart Thermostat Pro", "Light Strip", "Light Strip Outdoor", "Hub",
            "Hub Mini", "Room Sensor", "Radiator Valve", "Plug", "Bulb E27", "Bulb GU10", "Door Sensor"]  # fmt: skip


def seed_search(db: str, tickets: int) -> None:
    """Build the search index over the seeded tickets, messages and people, and 10,000 articles."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from bench.common import step

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER} (articles integer, tickets integer)")
        cursor.execute(f"SELECT articles, tickets FROM {MARKER}")
        if cursor.fetchone():
            print("  search index: already built")
            return
    from tqdm import tqdm

    from helpwell.search import index
    from helpwell.tickets.models import Ticket

    with step(f"{ARTICLES:,} articles"), transaction.atomic():
        make_articles(ARTICLES)
    with tqdm(total=Ticket.objects.count(), desc="  index tickets", unit=" tickets", mininterval=2) as bar:
        index.reindex_tickets(bar.update, bulk=True)
    with step("index customers and organisations"):
        index.reindex_people()
    with step("optimise and analyse"):
        index.optimise()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {MARKER} VALUES ({ARTICLES}, {tickets})")
    if connection.vendor == "postgresql" and not connection.get_autocommit():
        connection.commit()


def make_articles(count: int) -> None:
    """The 95 Brightleaf articles, then variants of them per product, as a large help centre has."""
    from helpwell.kb import content
    from helpwell.kb.markdown import plain_text, render_markdown, summarise
    from helpwell.kb.models import Article, ArticleCategory, ArticleStatus
    from helpwell.search.models import ArticleDoc

    categories = {}
    for position, spec in enumerate(content.categories()):
        categories[spec.slug], _ = ArticleCategory.objects.get_or_create(
            slug=spec.slug, defaults={"name": spec.name, "icon": spec.icon, "position": position}
        )
    specs = content.articles()
    html = {s.slug: render_markdown(s.body) for s in specs}
    rows = []
    for i in range(count):
        spec = specs[i % len(specs)]
        product = "" if i < len(specs) else PRODUCTS[(i // len(specs)) % len(PRODUCTS)]
        title = spec.title if not product else f"{spec.title} ({product}, model {i // len(specs)})"
        body = spec.body if not product else f"{spec.body}\nThis applies to the Brightleaf {product}.\n"
        rows.append(
            Article(
                slug=spec.slug if not product else f"{spec.slug}-{i}", category=categories[spec.category],
                title=title[:200], summary=summarise(body), body=body, body_html=html[spec.slug],
                visibility=spec.visibility, status=ArticleStatus.PUBLISHED, is_faq=spec.is_faq and not product,
            )
        )  # fmt: skip
    Article.objects.bulk_create(rows, batch_size=1000)
    by_slug = dict(Article.objects.values_list("slug", "pk"))
    docs = [
        ArticleDoc(article_id=by_slug[a.slug], language="en", title=a.title, body=plain_text(a.summary + "\n" + a.body),
                   visibility=a.visibility, published=True)
        for a in rows
    ]  # fmt: skip
    ArticleDoc.objects.bulk_create(docs, batch_size=1000)


def questions() -> list[str]:
    from helpwell.kb.relevance import cases

    return [c.question for c in cases()]


def measure(db: str, tickets: int, requests: int, warmup: int) -> dict[str, Any]:
    from bench import run as bench_run

    os.environ["HELPWELL_SUGGEST_RATE"] = "100000000"  # the bench client is one address asking fast
    rng = random.Random(7)
    ticket_paths = [
        "/agent/search/?" + urlencode({"q": rng.choice(TICKET_QUERIES)}) for _ in range(warmup + requests)
    ]
    asked = questions()
    suggest_paths = []
    for _ in range(warmup + requests):
        question = rng.choice(asked)
        cut = rng.randint(max(8, len(question) // 2), len(question))  # a pause while typing
        suggest_paths.append("/help/suggest/?" + urlencode({"subject": question[:cut], "description": ""}))
    results: dict[str, Any] = {}
    with bench_run.Server(db, tickets, None, None) as server:
        agent = bench_run.sign_in(server.port, common.AGENT_USERNAME, common.AGENT_PASSWORD)
        results["tickets"] = bench_run.measure_latency(agent, ticket_paths, warmup)
        visitor = bench_run.Client(server.port)
        results["suggestions"] = bench_run.measure_latency(
            visitor, suggest_paths, warmup, {"HX-Request": "true"}
        )
        results["server"] = server.label
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--tickets", type=int, default=common.DEFAULT_TICKETS)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--seed-only", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if len(dbs) > 1:
        import subprocess

        for db in dbs:  # one database per process: Django is set up once
            cmd = [sys.executable, __file__, "--db", db, "--tickets", str(args.tickets),
                   "--requests", str(args.requests), "--warmup", str(args.warmup)]  # fmt: skip
            subprocess.run(cmd + (["--seed-only"] if args.seed_only else []), check=True)
        return
    db = dbs[0]
    if not common.read_marker(db, args.tickets):
        raise SystemExit(
            f"{db} at {args.tickets:,} tickets is not seeded: run bench/seed.py --db {db} --tickets {args.tickets}"
        )
    common.setup_django(db, args.tickets)
    started = time.perf_counter()
    seed_search(db, args.tickets)
    print(f"  search index ready in {time.perf_counter() - started:.0f} s")
    if args.seed_only:
        return
    from django.db import connection

    connection.close()
    results = measure(db, args.tickets, args.requests, args.warmup)
    print(f"\n{db} at {args.tickets:,} tickets, {ARTICLES:,} articles · {results['server']}")
    for key, label, target in (("tickets", "Ticket search /agent/search/?q=", TICKET_TARGET_MS),
                               ("suggestions", "Article suggestions /help/suggest/", SUGGEST_TARGET_MS)):  # fmt: skip
        r = results[key]
        if "error" in r:
            print(f"  {label:<40} ERROR {r['error']}")
            continue
        verdict = "met" if r["p95_ms"] < target else "NOT met"
        print(f"  {label:<40} p50 {r['p50_ms']:>6} ms  p95 {r['p95_ms']:>6} ms  p99 {r['p99_ms']:>6} ms"
              f"  (target p95 < {target:.0f} ms: {verdict}; {r['requests']} requests)")  # fmt: skip


if __name__ == "__main__":
    os.chdir(common.ROOT)
    main()
