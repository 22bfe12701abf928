#!/usr/bin/env python
"""Seed a benchmark database: 1,000,000 tickets and 3,000,000 messages, in minutes.

    .venv/bin/python bench/seed.py --db sqlite                  # bench/data/helpwell_bench.sqlite3
    .venv/bin/python bench/seed.py --db postgres                # database helpwell_bench
    .venv/bin/python bench/seed.py --db both --tickets 20000    # a quick run
    .venv/bin/python bench/seed.py --db sqlite --force          # throw it away and load again

It creates a separate database (never the development one) with Django's migrations, makes the
small tables (teams, agents, priorities, categories, tags, organisations) through the ORM, then
bulk-loads customers, tickets, messages, history events, tags and ratings with the secondary indexes
dropped: SQLite through executemany in large transactions with journalling and syncing off,
PostgreSQL through COPY with foreign-key triggers off. The indexes are built afterwards, then the
statistics (ANALYZE; VACUUM on PostgreSQL so index-only scans work as in a settled database).

A database that finished loading at the requested size is left alone, so `make bench` can call
this every time. Distributions (fixed random seed, so every run loads the same data):
- tickets created evenly over two years, ids in creation order;
- 92 % solved or closed, 8 % new, open, pending or on hold, the unresolved ones touched recently;
- priorities urgent 3 %, high 17 %, normal 60 %, low 20 %; three teams of different sizes;
- customers 1 per 20 tickets, a few of them with many tickets; 70 % in one of 500 organisations;
- 3 messages per ticket on average (1 to 6), exactly 3 × tickets in all, 12 % of agent messages
  internal notes; one history event per change (created, assigned, replies, status changes);
- 30 % of tickets tagged, 15 % of resolved tickets rated.
"""

import argparse
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402
from bench.common import step  # noqa: E402

DAY = 86400.0
HOUR = 3600.0
CHUNK = 25_000  # tickets generated and written at a time

# (value, weight)
STATUSES = [("closed", 64), ("solved", 28), ("open", 4), ("pending", 2), ("new", 1), ("on_hold", 1)]
STATUS_LABELS = {
    "new": "New",
    "open": "Open",
    "pending": "Pending customer",
    "on_hold": "On hold",
    "solved": "Solved",
    "closed": "Closed",
}
PRIORITIES = [
    # key, name, rank, minutes, colour, weight, definition
    ("urgent", "Urgent", 1, 60, "#dc2626", 3, "Your business is stopped and there is no workaround."),
    ("high", "High", 2, 4 * 60, "#ea580c", 17, "Something important is broken; a workaround is painful."),
    ("normal", "Normal", 3, 24 * 60, "#2563eb", 60, "A question or a problem that does not stop your work."),
    ("low", "Low", 4, 3 * 24 * 60, "#64748b", 20, "A suggestion or a question with no deadline."),
]
TEAMS = [
    # name, slug, weight of tickets, categories
    ("Billing", "billing", 35, ["Invoices", "Payments", "Refunds"]),
    ("Shipping", "shipping", 25, ["Delivery", "Returns", "Tracking"]),
    ("Technical", "technical", 40, ["Sign-in", "Integrations", "Bugs"]),
]
AGENTS = [
    # username, display name, role, teams
    (common.ADMIN_USERNAME, "Ada Okafor", "admin", ["billing", "shipping", "technical"]),
    ("bench.lead", "Lena Fischer", "lead", ["technical"]),
    (common.AGENT_USERNAME, "Sam Rivera", "agent", ["technical"]),
    ("bench.priya", "Priya Natarajan", "agent", ["technical"]),
    ("bench.jonas", "Jonas Berg", "agent", ["technical", "billing"]),
    ("bench.alice", "Alice Moreau", "agent", ["billing"]),
    ("bench.bob", "Bob Mensah", "agent", ["billing"]),
    ("bench.kenji", "Kenji Sato", "lead", ["billing", "shipping"]),
    ("bench.tom", "Tom Walsh", "agent", ["shipping"]),
    ("bench.maria", "Maria Costa", "agent", ["shipping"]),
]
CHANNELS = [("web", 50), ("email", 35), ("api", 5), ("phone", 5), ("chat", 5)]
TAGS = [
    "vip", "bug", "feature-request", "refund", "chargeback", "invoice", "vat", "login", "sso", "2fa",
    "api", "webhook", "slow", "outage", "mobile", "export", "import", "delivery-late", "damaged",
    "lost-parcel", "address-change", "cancellation", "upgrade", "downgrade", "feedback",
]  # fmt: skip
EXTRA_MESSAGES = [(0, 15), (1, 25), (2, 25), (3, 20), (4, 10), (5, 5)]  # mean 2: 3 messages a ticket
SCORES = [(5, 55), (4, 25), (3, 10), (2, 5), (1, 5)]
TIME_ZONES = [
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "UTC",
]
LANGUAGES = [("en", 70), ("de", 10), ("fr", 8), ("es", 6), ("nl", 3), ("it", 2), ("pt", 1)]

FIRST = ["Anna", "Ben", "Chloe", "David", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jamal", "Katja", "Liam",
         "Mei", "Noah", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wen", "Yusuf", "Zoe"]  # fmt: skip
LAST = ["Andersen", "Brown", "Chen", "Dubois", "Evans", "Fernandes", "García", "Hansen", "Ivanova", "Jones",
        "Kowalski", "López", "Müller", "Nakamura", "O'Brien", "Patel", "Rossi", "Schmidt", "Tanaka", "Usman",
        "Visser", "Wójcik", "Yılmaz", "Zimmermann"]  # fmt: skip
THINGS = ["invoice", "payment", "refund", "order", "parcel", "account", "password reset", "export", "API key",
          "webhook", "subscription", "credit note", "delivery", "return label", "mobile app", "report"]  # fmt: skip
PROBLEMS = ["is missing", "was charged twice", "does not arrive", "shows the wrong amount", "fails with an error",
            "is stuck", "was cancelled by mistake", "cannot be downloaded", "is very slow", "looks wrong",
            "needs to be changed", "stopped working yesterday"]  # fmt: skip
OPENERS = ["Hello,", "Hi there,", "Good morning,", "Dear support team,", "Hi,"]
CUSTOMER_LINES = [
    "I have been trying to sort this out since last week and I am running out of ideas.",
    "Our finance team needs this before the end of the month, so any help is appreciated.",
    "I attached a screenshot in my previous message, it shows the same error again.",
    "It worked fine until the update on Tuesday, nothing changed on our side.",
    "Could you please check what happened and let me know what I should do next?",
    "This affects about twenty people in our office, so we would be grateful for a quick answer.",
    "I already cleared the cache and tried another browser, same result.",
    "The reference from the confirmation email is in the subject line.",
    "Thanks for the quick reply earlier, unfortunately the problem came back this morning.",
    "See https://status.example.com/incidents for what we saw on our end.",
]
AGENT_LINES = [
    "Thank you for the details, that made it much easier to find what went wrong.",
    "I checked your account and can see the duplicate charge; I have started the refund today.",
    "It usually takes three to five working days for the money to show up on your statement.",
    "Our engineers rolled out a fix this morning, could you try once more and tell me how it goes?",
    "I have updated the address on the order, the parcel will leave our warehouse tomorrow.",
    "Could you send me the exact error message you see, or a screenshot of the page?",
    "You can download the corrected invoice from your account page under Billing.",
    "I have passed this to our technical team and will come back to you as soon as I hear from them.",
    "The guide at https://help.example.com/articles/export explains each step with pictures.",
    "I am sorry for the trouble this caused, and thank you for your patience while we looked into it.",
]
NOTE_LINES = [
    "Checked the payment provider logs: two captures, one voided too late.",
    "Same root cause as last week's export issue, linked in the engineering tracker.",
    "Customer is on the premium plan, keep the response time tight.",
    "Escalated to the warehouse lead by phone.",
]
COMMENTS = [
    "Quick and friendly, thank you!",
    "Solved my problem on the first reply.",
    "Took a while, but the answer was clear.",
    "Very patient with my questions.",
    "I had to explain the problem twice.",
]


def weighted(rng: random.Random, pairs: Sequence[tuple[Any, int]]) -> Callable[[], Any]:
    """A fast picker for (value, weight) pairs: one random number and a table lookup."""
    table: list[Any] = []
    for value, weight in pairs:
        table.extend([value] * weight)
    size = len(table)
    rand = rng.random
    return lambda: table[int(rand() * size)]


# ----------------------------------------------------------------------------------------------
# Loading: the same calls for both databases, so the generator does not care which one it feeds.


class Table:
    """A table to bulk-load: the columns the generator gives, plus the model's defaults for the rest.

    Taking the rest from the model keeps the seed working when someone adds a column with a default.
    """

    def __init__(self, model: Any, columns: Sequence[str], connection: Any) -> None:
        fields = {f.column: f for f in model._meta.concrete_fields}
        unknown = [c for c in columns if c not in fields]
        if unknown:
            raise SystemExit(f"{model._meta.db_table} has no column(s) {unknown}; update bench/seed.py")
        extras: list[tuple[str, Any]] = []
        for column, field in fields.items():
            if column in columns:
                continue
            if field.has_default():
                value = field.get_default()
            elif field.null:
                value = None
            elif field.get_internal_type() in {"CharField", "TextField", "SlugField", "EmailField"}:
                value = ""
            else:
                raise SystemExit(f"{model._meta.db_table}.{column} needs a value; update bench/seed.py")
            extras.append((column, field.get_db_prep_save(value, connection)))
        self.name = model._meta.db_table
        self.columns = [*columns, *(c for c, _ in extras)]
        self.extras = tuple(v for _, v in extras)

    def rows(self, rows: Iterable[tuple]) -> Iterable[tuple]:
        extras = self.extras
        if not extras:
            return rows
        return (row + extras for row in rows)


class SQLiteLoader:
    vendor = "sqlite"

    def __init__(self, path: Path) -> None:
        import sqlite3

        self.conn = sqlite3.connect(path, isolation_level=None)
        for pragma in (
            "journal_mode=OFF",
            "synchronous=OFF",
            "locking_mode=EXCLUSIVE",
            "temp_store=MEMORY",
            "cache_size=-1000000",  # 1 GB for building the indexes
            "foreign_keys=OFF",
        ):
            self.conn.execute(f"PRAGMA {pragma}")
        self.conn.execute("BEGIN")

    @staticmethod
    def timestamp(epoch: float) -> Any:
        # What Django's SQLite backend stores for an aware datetime: naive UTC text.
        return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None).isoformat(" ")

    def drop_indexes(self, tables: Sequence[str]) -> list[str]:
        marks = ",".join("?" * len(tables))
        rows = self.conn.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            f" AND tbl_name IN ({marks})",
            list(tables),
        ).fetchall()
        for name, _ in rows:
            self.conn.execute(f'DROP INDEX "{name}"')
        return [sql for _, sql in rows]

    def write(self, table: Table, rows: Iterable[tuple]) -> None:
        columns = ", ".join(f'"{c}"' for c in table.columns)
        marks = ", ".join("?" * len(table.columns))
        self.conn.executemany(f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})', table.rows(rows))

    def commit(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.execute("BEGIN")

    def create_indexes(self, statements: Sequence[str]) -> None:
        for sql in statements:
            self.conn.execute(sql)

    def finish(self, tables: Sequence[str]) -> None:
        self.conn.execute("COMMIT")
        with step("ANALYZE"):
            self.conn.execute("ANALYZE")
        # Back to what Helpwell runs with (settings.py sets WAL on every connection as well).
        self.conn.execute("PRAGMA locking_mode=NORMAL")
        self.conn.execute("PRAGMA journal_mode=WAL")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.conn.execute(sql, params)

    def close(self) -> None:
        self.conn.close()


class PostgresLoader:
    vendor = "postgresql"

    def __init__(self, url: str) -> None:
        import psycopg

        self.conn = psycopg.connect(url)
        for setting in (
            "session_replication_role = replica",  # no foreign-key triggers while loading generated rows
            "synchronous_commit = off",
            "maintenance_work_mem = '1GB'",
            "max_parallel_maintenance_workers = 2",
        ):
            self.conn.execute(f"SET {setting}")

    @staticmethod
    def timestamp(epoch: float) -> Any:
        return datetime.fromtimestamp(epoch, UTC)

    def drop_indexes(self, tables: Sequence[str]) -> list[str]:
        # Plain indexes only: the primary keys and unique constraints stay and keep the data honest.
        rows = self.conn.execute(
            """
            SELECT ci.relname, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            JOIN pg_class ci ON ci.oid = i.indexrelid
            JOIN pg_class ct ON ct.oid = i.indrelid
            WHERE ct.relname = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            [list(tables)],
        ).fetchall()
        for name, _ in rows:
            self.conn.execute(f'DROP INDEX "{name}"')
        self.conn.commit()
        return [sql for _, sql in rows]

    def write(self, table: Table, rows: Iterable[tuple]) -> None:
        columns = ", ".join(f'"{c}"' for c in table.columns)
        with self.conn.cursor() as cur, cur.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
            for row in table.rows(rows):
                copy.write_row(row)

    def commit(self) -> None:
        self.conn.commit()

    def create_indexes(self, statements: Sequence[str]) -> None:
        for sql in statements:
            self.conn.execute(sql)
        self.conn.commit()

    def finish(self, tables: Sequence[str]) -> None:
        self.conn.commit()
        for table in tables:
            self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'),"
                f' (SELECT coalesce(max(id), 0) + 1 FROM "{table}"), false)'
            )
        self.conn.commit()
        self.conn.autocommit = True
        with step("VACUUM ANALYZE"):
            self.conn.execute("VACUUM ANALYZE")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.conn.execute(sql, params)  # type: ignore[arg-type]

    def close(self) -> None:
        self.conn.close()


# ----------------------------------------------------------------------------------------------


def recreate_database(db: str, tickets: int) -> None:
    if db == "sqlite":
        path = common.sqlite_path(tickets)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    name = common.database_name(tickets)
    with psycopg.connect(f"{common.PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def small_tables(rng: random.Random, n_orgs: int) -> dict[str, Any]:
    """Teams, agents, priorities, categories, tags and organisations, through the ORM."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    from helpwell.people.models import Agent, Organisation, Team
    from helpwell.system.models import SiteSettings
    from helpwell.tickets.models import Category, Priority, Tag

    SiteSettings.load()
    teams = {slug: Team.objects.create(name=name, slug=slug) for name, slug, _, _ in TEAMS}
    priorities = {
        key: Priority.objects.create(
            key=key,
            name=name,
            rank=rank,
            first_response_minutes=minutes,
            colour=colour,
            definition=definition,
        )
        for key, name, rank, minutes, colour, _, definition in PRIORITIES
    }
    categories = []
    for _, slug, _, category_names in TEAMS:
        for name in category_names:
            categories.append(Category.objects.create(name=name, slug=name.lower(), team=teams[slug]))
    tags = [Tag.objects.create(name=name) for name in TAGS]
    Organisation.objects.bulk_create(
        Organisation(name=f"{rng.choice(LAST)} {kind} {i}", domain=f"org{i}.example", tier=tier)
        for i in range(1, n_orgs + 1)
        for kind, tier in [rng.choice([("GmbH", "standard"), ("Ltd", "standard"), ("Inc", "premium")])]
    )
    password = make_password(common.AGENT_PASSWORD)
    agents_by_team: dict[int, list[int]] = {team.pk: [] for team in teams.values()}
    names: dict[int, str] = {}
    for username, display_name, role, team_slugs in AGENTS:
        first, last = display_name.split(" ", 1)
        user = User.objects.create(
            username=username,
            email=f"{username}@helpwell.example",
            first_name=first,
            last_name=last,
            password=password,
            is_staff=role == "admin",
            is_superuser=role == "admin",
        )
        agent = Agent.objects.create(
            user=user,
            display_name=display_name,
            role=role,
            job_title="Support specialist",
            time_zone="Europe/Berlin",
        )
        agent.teams.set([teams[slug] for slug in team_slugs])
        if role != "admin":  # the admin sees everything but is not on the rota
            for slug in team_slugs:
                agents_by_team[teams[slug].pk].append(user.pk)
        names[user.pk] = display_name
    return {
        "teams": teams,
        "priorities": priorities,
        "categories": categories,
        "tags": [t.pk for t in tags],
        "org_ids": list(Organisation.objects.values_list("pk", flat=True)),
        "agents_by_team": agents_by_team,
        "agent_names": names,
    }


def text_pools(rng: random.Random) -> dict[str, list]:
    from helpwell.lib.html import text_to_html

    def body(lines: list[str], opener: bool, sign: str) -> str:
        picked = rng.sample(lines, rng.randint(1, 3))
        paragraphs = ([rng.choice(OPENERS)] if opener else []) + [" ".join(picked)]
        if sign:
            paragraphs.append(sign)
        return "\n\n".join(paragraphs)

    customer = [body(CUSTOMER_LINES, True, "Best regards") for _ in range(300)]
    agent = [body(AGENT_LINES, True, "Kind regards") for _ in range(300)]
    notes = [body(NOTE_LINES, False, "") for _ in range(40)]
    subjects = sorted({f"{rng.choice(THINGS).capitalize()} {rng.choice(PROBLEMS)}" for _ in range(1000)})
    subjects += [f"{s} (order {rng.randint(10000, 99999)})" for s in subjects]
    return {
        "customer": [(t, text_to_html(t)) for t in customer],
        "agent": [(t, text_to_html(t)) for t in agent],
        "note": [(t, text_to_html(t)) for t in notes],
        "subjects": subjects,
    }


def load(db: str, tickets: int, customers: int, seed: int) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from helpwell.feedback.models import Rating
    from helpwell.people.models import Customer
    from helpwell.tickets.models import REFERENCE_ALPHABET, REFERENCE_LENGTH, Message, Ticket, TicketEvent

    rng = random.Random(seed)
    with step("migrate"):
        call_command("migrate", interactive=False, verbosity=0)
    with step("teams, agents, priorities, categories, tags, organisations"):
        small = small_tables(rng, n_orgs=max(10, min(500, customers // 100)))
        pools = text_pools(rng)

    ticket_table = Table(
        Ticket,
        ["id", "reference", "subject", "status", "is_open", "priority_id", "category_id", "channel",
         "customer_id", "assignee_id", "team_id", "created_at", "updated_at", "first_response_due",
         "first_response_at", "solved_at", "closed_at"],
        connection,
    )  # fmt: skip
    message_table = Table(
        Message,
        ["id", "ticket_id", "kind", "author_user_id", "author_customer_id", "body_text", "body_html", "channel",
         "created_at"],
        connection,
    )  # fmt: skip
    event_table = Table(
        TicketEvent,
        ["id", "ticket_id", "kind", "actor_user_id", "actor_customer_id", "channel", "old_value", "new_value",
         "created_at"],
        connection,
    )  # fmt: skip
    tag_table = Table(Ticket.tags.through, ["id", "ticket_id", "tag_id"], connection)
    rating_table = Table(
        Rating,
        ["id", "ticket_id", "customer_id", "agent_id", "score", "comment", "created_at", "updated_at"],
        connection,
    )
    customer_table = Table(
        Customer, ["id", "name", "email", "organisation_id", "language", "time_zone", "access_salt", "created_at"],
        connection,
    )  # fmt: skip
    big_tables = [
        t.name for t in (ticket_table, message_table, event_table, tag_table, rating_table, customer_table)
    ]
    connection.close()

    loader: SQLiteLoader | PostgresLoader
    if db == "sqlite":
        loader = SQLiteLoader(common.sqlite_path(tickets))
    else:
        loader = PostgresLoader(common.database_url(db, tickets))
    ts = loader.timestamp

    with step("drop secondary indexes"):
        index_sql = loader.drop_indexes(big_tables)

    now = time.time()
    start = now - 730 * DAY
    rand = rng.random
    expo = rng.expovariate

    with step(f"{customers:,} customers"):
        orgs = small["org_ids"]
        pick_language = weighted(rng, LANGUAGES)
        rows = []
        for i in range(1, customers + 1):
            first, last = FIRST[int(rand() * len(FIRST))], LAST[int(rand() * len(LAST))]
            rows.append(
                (
                    i,
                    f"{first} {last}",
                    f"customer{i}@example.com",
                    orgs[int(rand() * len(orgs))] if rand() < 0.7 else None,
                    pick_language(),
                    TIME_ZONES[int(rand() * len(TIME_ZONES))],
                    f"{rng.getrandbits(128):032x}",
                    ts(start - 30 * DAY + rand() * 700 * DAY),
                )
            )
        loader.write(customer_table, rows)
        loader.commit()

    with step("plan tickets (creation times, message counts, references)"):
        created = sorted(start + rand() * 730 * DAY for _ in range(tickets))
        pick_extra = weighted(rng, EXTRA_MESSAGES)
        counts = [1 + pick_extra() for _ in range(tickets)]
        diff = sum(counts) - 3 * tickets  # exactly three messages a ticket in all
        while diff:
            i = int(rand() * tickets)
            if diff > 0 and counts[i] > 1:
                counts[i] -= 1
                diff -= 1
            elif diff < 0 and counts[i] < 6:
                counts[i] += 1
                diff += 1
        references: set[str] = set()
        alphabet = REFERENCE_ALPHABET
        size = len(alphabet)
        while len(references) < tickets:
            references.add("HW-" + "".join(alphabet[int(rand() * size)] for _ in range(REFERENCE_LENGTH)))
        reference_list = list(references)
        rng.shuffle(reference_list)

    pick_status = weighted(rng, STATUSES)
    pick_channel = weighted(rng, CHANNELS)
    pick_score = weighted(rng, SCORES)
    priority_pick = weighted(rng, [(small["priorities"][row[0]].pk, row[5]) for row in PRIORITIES])
    priority_minutes = {p.pk: p.first_response_minutes for p in small["priorities"].values()}
    priority_names = {p.pk: p.name for p in small["priorities"].values()}
    team_weights = {small["teams"][slug].pk: weight for _, slug, weight, _ in TEAMS}
    categories_by_team: dict[int, list[int]] = {}
    for category in small["categories"]:
        categories_by_team.setdefault(category.team_id, []).append(category.pk)
    pick_team = weighted(rng, list(team_weights.items()))
    agents_by_team = small["agents_by_team"]
    agent_names = small["agent_names"]
    tag_ids = small["tags"]
    customer_pool, agent_pool, note_pool = pools["customer"], pools["agent"], pools["note"]
    subjects = pools["subjects"]
    n_cp, n_ap, n_np, n_sub = len(customer_pool), len(agent_pool), len(note_pool), len(subjects)

    message_id = event_id = tag_row_id = rating_id = 0
    totals = {"tickets": 0, "messages": 0, "events": 0, "tags": 0, "ratings": 0}
    started = time.perf_counter()
    print(f"  tickets, messages, events, tags, ratings in chunks of {CHUNK:,} …", flush=True)
    for chunk_start in range(0, tickets, CHUNK):
        t_rows: list[tuple] = []
        m_rows: list[tuple] = []
        e_rows: list[tuple] = []
        g_rows: list[tuple] = []
        r_rows: list[tuple] = []
        for idx in range(chunk_start, min(tickets, chunk_start + CHUNK)):
            ticket_id = idx + 1
            c = created[idx]
            status = pick_status()
            is_open = status not in ("solved", "closed")
            team_id = pick_team()
            category_id = categories_by_team[team_id][int(rand() * 3)] if rand() < 0.9 else None
            priority_id = priority_pick()
            channel = pick_channel()
            # A few customers write a lot: skew towards the low ids.
            customer_id = int(customers * rand() ** 1.8) + 1
            team_agents = agents_by_team[team_id]
            if status == "new" or (is_open and rand() < 0.25):
                assignee = None
            else:
                assignee = team_agents[int(rand() * len(team_agents))]
            n_messages = counts[idx]

            solved_at = closed_at = None
            if is_open:
                # Unresolved tickets were touched recently, whenever they were opened.
                updated = max(c + 60, now - expo(1 / (12 * DAY)))
                if updated > now:
                    updated = c + (now - c) * rand()
            else:
                solved_at = min(c + 600 + expo(1 / (30 * HOUR)), now - 60)
                updated = solved_at
                if status == "closed":
                    closed_at = solved_at + 4 * DAY
                    if closed_at > now:
                        status, closed_at = "solved", None
                    else:
                        updated = closed_at
            last_message = solved_at if solved_at else updated
            # Message times between creation and the last change, in order.
            times = sorted(c + (last_message - c) * rand() for _ in range(n_messages - 1))
            first_response_at = None

            # The customer's first message, then replies back and forth.
            body = customer_pool[int(rand() * n_cp)]
            m_rows.append(
                (
                    message_id := message_id + 1,
                    ticket_id,
                    "public",
                    None,
                    customer_id,
                    body[0],
                    body[1],
                    channel,
                    ts(c),
                )
            )
            event_id += 1
            e_rows.append(
                (event_id, ticket_id, "created", assignee if channel == "phone" else None,
                 None if channel == "phone" else customer_id, channel, "", priority_names[priority_id], ts(c))
            )  # fmt: skip
            if assignee is not None:
                event_id += 1
                e_rows.append(
                    (event_id, ticket_id, "assigned", assignee, None, "web", "", agent_names[assignee],
                     ts(c + 60 + (times[0] - c if times else 600) * rand()))
                )  # fmt: skip
            for j, at in enumerate(times, start=1):
                from_agent = j % 2 == 1 and status != "new"
                message_id += 1
                event_id += 1
                if from_agent:
                    author = assignee or team_agents[int(rand() * len(team_agents))]
                    if rand() < 0.12:
                        body = note_pool[int(rand() * n_np)]
                        m_rows.append(
                            (message_id, ticket_id, "internal", author, None, body[0], body[1], "web", ts(at))
                        )
                        e_rows.append((event_id, ticket_id, "noted", author, None, "web", "", "", ts(at)))
                    else:
                        body = agent_pool[int(rand() * n_ap)]
                        m_rows.append(
                            (message_id, ticket_id, "public", author, None, body[0], body[1], "web", ts(at))
                        )
                        e_rows.append((event_id, ticket_id, "replied", author, None, "web", "", "", ts(at)))
                        if first_response_at is None:
                            first_response_at = at
                else:
                    body = customer_pool[int(rand() * n_cp)]
                    m_rows.append(
                        (
                            message_id,
                            ticket_id,
                            "public",
                            None,
                            customer_id,
                            body[0],
                            body[1],
                            channel,
                            ts(at),
                        )
                    )
                    e_rows.append(
                        (event_id, ticket_id, "customer_replied", None, customer_id, channel, "", "", ts(at))
                    )
            if solved_at is not None:
                event_id += 1
                e_rows.append(
                    (event_id, ticket_id, "status", assignee, None, "web", "Open", "Solved", ts(solved_at))
                )
                if closed_at is not None:
                    event_id += 1
                    e_rows.append(
                        (event_id, ticket_id, "status", None, None, "web", "Solved", "Closed", ts(closed_at))
                    )
                if assignee is not None and rand() < 0.15:
                    rating_id += 1
                    rated = ts(solved_at + 600 + rand() * DAY)
                    comment = COMMENTS[int(rand() * len(COMMENTS))] if rand() < 0.3 else ""
                    r_rows.append(
                        (rating_id, ticket_id, customer_id, assignee, pick_score(), comment, rated, rated)
                    )
            elif status != "open" and status != "new":
                event_id += 1
                e_rows.append(
                    (event_id, ticket_id, "status", assignee, None, "web", "Open", STATUS_LABELS[status],
                     ts(updated))
                )  # fmt: skip
            if rand() < 0.3:
                first_tag = tag_ids[int(rand() * len(tag_ids))]
                tag_row_id += 1
                g_rows.append((tag_row_id, ticket_id, first_tag))
                if rand() < 0.3:
                    second = tag_ids[int(rand() * len(tag_ids))]
                    if second != first_tag:
                        tag_row_id += 1
                        g_rows.append((tag_row_id, ticket_id, second))
            t_rows.append(
                (ticket_id, reference_list[idx], subjects[int(rand() * n_sub)], status, is_open, priority_id,
                 category_id, channel, customer_id, assignee, team_id, ts(c), ts(updated),
                 ts(c + priority_minutes[priority_id] * 60),
                 ts(first_response_at) if first_response_at else None,
                 ts(solved_at) if solved_at else None, ts(closed_at) if closed_at else None)
            )  # fmt: skip
        loader.write(ticket_table, t_rows)
        loader.write(message_table, m_rows)
        loader.write(event_table, e_rows)
        loader.write(tag_table, g_rows)
        loader.write(rating_table, r_rows)
        loader.commit()
        totals["tickets"] += len(t_rows)
        totals["messages"] += len(m_rows)
        totals["events"] += len(e_rows)
        totals["tags"] += len(g_rows)
        totals["ratings"] += len(r_rows)
        elapsed = time.perf_counter() - started
        done = totals["tickets"]
        print(
            f"\r    {done:>9,} / {tickets:,} tickets  {totals['messages']:>10,} messages"
            f"  {totals['events']:>10,} events  {elapsed:6.1f} s"
            f"  ({done / elapsed:,.0f} tickets/s)",
            end="",
            flush=True,
        )
    print(flush=True)

    with step(f"rebuild {len(index_sql)} indexes"):
        loader.create_indexes(index_sql)
    loader.finish(big_tables)
    return {**totals, "loader": loader}


def seed(db: str, tickets: int, customers: int, force: bool, random_seed: int) -> None:
    label = f"{db} at {tickets:,} tickets ({common.database_url(db, tickets)})"
    marker = common.read_marker(db, tickets)
    if marker and marker["tickets"] == tickets and not force:
        print(
            f"{label}: already seeded on {marker['seeded_at']} in {marker['seconds']:.0f} s"
            f" ({marker['tickets']:,} tickets, {marker['messages']:,} messages); use --force to reload."
        )
        return
    print(f"Seeding {label}")
    started = time.perf_counter()
    with step("create an empty database"):
        recreate_database(db, tickets)
    common.setup_django(db, tickets)
    result = load(db, tickets, customers, random_seed)
    from bench.search import seed_search

    seed_search(db, tickets)  # the search index over it all, and 10,000 help articles
    seconds = time.perf_counter() - started
    loader = result.pop("loader")
    loader.execute(
        f"CREATE TABLE {common.MARKER_TABLE} (tickets integer, messages integer, events integer,"
        " seconds real, seeded_at varchar(40))"
    )
    loader.execute(
        f"INSERT INTO {common.MARKER_TABLE} VALUES (%s, %s, %s, %s, %s)".replace(
            "%s", "?" if db == "sqlite" else "%s"
        ),
        [
            tickets,
            result["messages"],
            result["events"],
            seconds,
            datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        ],
    )
    if db == "postgres":
        loader.commit()
    loader.close()
    size = ""
    if db == "sqlite":
        size = f", {common.sqlite_path(tickets).stat().st_size / 2**30:.1f} GiB on disk"
    print(
        f"Seeded {db}: {result['tickets']:,} tickets, {result['messages']:,} messages, {result['events']:,} events,"
        f" {result['tags']:,} tags, {result['ratings']:,} ratings in {seconds:.0f} s{size}."
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--tickets", type=int, default=common.DEFAULT_TICKETS)
    parser.add_argument("--customers", type=int, help="default: one for every 20 tickets")
    parser.add_argument("--force", action="store_true", help="reload even if this size is already seeded")
    parser.add_argument("--seed", type=int, default=2024, help="random seed")
    args = parser.parse_args(argv)
    if args.db == "both":
        # One database per process: Django is set up once, for one DATABASE_URL.
        for db in ("sqlite", "postgres"):
            cmd = [
                sys.executable,
                __file__,
                "--db",
                db,
                "--tickets",
                str(args.tickets),
                "--seed",
                str(args.seed),
            ]
            if args.customers:
                cmd += ["--customers", str(args.customers)]
            if args.force:
                cmd.append("--force")
            subprocess.run(cmd, check=True)
        return
    customers = args.customers or max(100, args.tickets // 20)
    seed(args.db, args.tickets, customers, args.force, args.seed)


if __name__ == "__main__":
    os.chdir(common.ROOT)
    main()
