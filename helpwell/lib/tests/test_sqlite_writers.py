"""The SQLite write turn with real processes, threads and database files."""

import os
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

from django.db.utils import ConnectionHandler
from django.test import SimpleTestCase

from helpwell.lib.sqlite_backend.base import DatabaseWrapper
from helpwell.lib.sqlite_writers import lock_file_for, take_write_turn, write_turn

ROOT = Path(__file__).resolve().parents[3]

# Writes `rows` rows, one autocommitted INSERT each, taking the turn for each one, with SQLite's
# busy handler off: a write that met another process's write would fail with "database is locked".
WRITER = textwrap.dedent(
    """
    import sqlite3, sys
    from helpwell.lib.sqlite_writers import write_turn
    path, name, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
    db = sqlite3.connect(path, timeout=0, isolation_level=None)
    print("ready", flush=True)
    sys.stdin.readline()  # start together
    for i in range(rows):
        with write_turn(path):
            db.execute("INSERT INTO rows (writer, n) VALUES (?, ?)", (name, i))
    print("done", flush=True)
    """
)

# Takes the turn, says so, and leaves.
TAKER = textwrap.dedent(
    """
    import sys
    from helpwell.lib.sqlite_writers import write_turn
    with write_turn(sys.argv[1]):
        print("got the turn", flush=True)
    """
)


class DatabaseFileTestCase(SimpleTestCase):
    """A fresh SQLite file with a table of rows, and a way to run Python beside this test."""

    def setUp(self) -> None:
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.db = Path(self.dir.name) / "helpwell.sqlite3"
        with sqlite3.connect(self.db) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE rows (writer TEXT, n INTEGER)")

    def python(self, code: str, *args: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, "-c", code, *args],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.addCleanup(process.kill)
        return process

    def run_together(self, script: str, count: int) -> None:
        """Starts writers "a" and "b" running `script`, lets them go at once and waits until both
        printed "done"."""
        writers = [self.python(script, str(self.db), name, str(count)) for name in ("a", "b")]
        for w in writers:
            self.assertEqual(w.stdout.readline().strip(), "ready")  # type: ignore[union-attr]
        for w in writers:
            w.stdin.write("go\n")  # type: ignore[union-attr]
            w.stdin.flush()  # type: ignore[union-attr]
        outputs = [w.communicate(timeout=60)[0] for w in writers]
        self.assertEqual([o.strip() for o in outputs], ["done", "done"], outputs)


class WriteTurnTests(DatabaseFileTestCase):
    def test_writers_in_two_processes_take_turns_and_every_row_lands(self):
        self.run_together(WRITER, 300)
        with sqlite3.connect(self.db) as db:
            counts = dict(db.execute("SELECT writer, COUNT(*) FROM rows GROUP BY writer").fetchall())
        self.assertEqual(counts, {"a": 300, "b": 300})

    def test_another_process_gets_the_turn_only_when_it_is_released(self):
        with write_turn(self.db):
            taker = self.python(TAKER, str(self.db))
            with self.assertRaises(subprocess.TimeoutExpired):
                taker.wait(timeout=0.5)  # still waiting for us
        output, _ = taker.communicate(timeout=20)
        self.assertEqual(output.strip(), "got the turn")
        self.assertEqual(taker.returncode, 0)

    def test_threads_of_one_process_take_turns(self):
        inside: list[str] = []
        first_in, second_trying = threading.Event(), threading.Event()

        def first() -> None:
            with write_turn(self.db):
                inside.append("first in")
                first_in.set()
                second_trying.wait(5)
                time.sleep(0.2)  # room for the second to get in, were the turn not kept
                inside.append("first out")

        def second() -> None:
            first_in.wait(5)
            second_trying.set()
            with write_turn(self.db):
                inside.append("second in")

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        self.assertEqual(inside, ["first in", "first out", "second in"])

    def test_the_lock_file_sits_beside_the_database_and_in_memory_databases_have_none(self):
        self.assertEqual(lock_file_for(self.db), Path(f"{self.db}.write-turn"))
        self.assertEqual(lock_file_for(f"file:{self.db}?mode=rw"), Path(f"{self.db}.write-turn"))
        for name in (":memory:", "file:memorydb_default?mode=memory&cache=shared", ""):
            self.assertIsNone(lock_file_for(name))
            with write_turn(name):  # one process owns it: another thread gets in at once
                other = threading.Thread(target=lambda n=name: write_turn(n).__enter__(), daemon=True)
                other.start()
                other.join(5)
                self.assertFalse(other.is_alive())

    def test_without_a_lock_file_the_writer_goes_ahead_and_says_why(self):
        unwritable = Path(self.dir.name) / "read-only"
        unwritable.mkdir(mode=0o500)
        database = unwritable / "helpwell.sqlite3"
        if os.access(unwritable, os.W_OK):  # root writes anywhere: make the lock file a directory instead
            Path(f"{database}.write-turn").mkdir()
        writes = 0
        with self.assertLogs("helpwell.lib.sqlite_writers", "WARNING") as logs:
            for _ in range(3):  # every write goes ahead; the reason is given once
                with write_turn(database):
                    writes += 1
        self.assertEqual(writes, 3)
        self.assertEqual(len(logs.output), 1)
        self.assertIn("No SQLite write turn", logs.output[0])


# Opens Helpwell's SQLite backend on a database file, with SQLite's busy handler off (PRAGMA
# busy_timeout=0 after connecting): a transaction that met another's would fail at once with
# "database is locked". Then commits `rows` transactions of one INSERT each.
TRANSACTIONS = textwrap.dedent(
    """
    import sys
    import django
    from django.conf import settings
    path, name, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
    settings.configure(DATABASES={"default": {
        "ENGINE": "helpwell.lib.sqlite_backend", "NAME": path,
        "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA busy_timeout=0;"},
    }})
    django.setup()
    from django.db import connection, transaction
    connection.ensure_connection()
    print("ready", flush=True)
    sys.stdin.readline()  # start together
    for i in range(rows):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM rows WHERE writer = %s", [name])
                (before,) = cursor.fetchone()
                cursor.execute("INSERT INTO rows (writer, n) VALUES (%s, %s)", [name, before])
    print("done", flush=True)
    """
)


class TransactionTurnTests(DatabaseFileTestCase):
    """Helpwell's SQLite backend takes the turn for each transaction and always gives it back."""

    databases = {"default"}  # let pytest-django open connections at all; these tests use their own

    def connection(self, timeout: float = 20) -> Any:
        settings = ConnectionHandler(  # only to fill in the settings Django defaults
            {
                "default": {
                    "ENGINE": "helpwell.lib.sqlite_backend",
                    "NAME": str(self.db),
                    "OPTIONS": {"timeout": timeout, "transaction_mode": "IMMEDIATE"},
                }
            }
        ).settings["default"]
        connection = DatabaseWrapper(settings, alias="turns")  # not one of the test run's databases
        self.addCleanup(connection.close)
        return connection

    def turn_is_free(self) -> bool:
        """From another thread (this one's own turn would not be free to it either)."""
        taken: list[bool] = []

        def take() -> None:
            give_back = take_write_turn(self.db, wait=0)
            taken.append(give_back is not None)
            if give_back is not None:
                give_back()

        thread = threading.Thread(target=take)
        thread.start()
        thread.join(5)
        return taken == [True]

    def test_transactions_in_two_processes_take_turns_and_every_row_lands(self):
        self.run_together(TRANSACTIONS, 200)
        with sqlite3.connect(self.db) as db:
            rows = db.execute(
                "SELECT writer, COUNT(*), COUNT(DISTINCT n) FROM rows GROUP BY writer"
            ).fetchall()
        self.assertEqual(rows, [("a", 200, 200), ("b", 200, 200)])

    def test_commit_rollback_and_close_each_give_the_turn_back(self):
        connection = self.connection()
        for end in ("commit", "rollback", "close"):
            with self.subTest(end=end):
                connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
                with connection.cursor() as cursor:
                    cursor.execute("INSERT INTO rows (writer, n) VALUES ('t', 1)")
                self.assertFalse(self.turn_is_free())
                getattr(connection, end)()
                self.assertTrue(self.turn_is_free())
                if end != "close":
                    connection.set_autocommit(True)

    def test_a_transaction_waits_for_the_turn_only_as_long_as_the_busy_timeout(self):
        with write_turn(self.db):  # held by this thread, as another process's transaction would
            started = time.monotonic()
            released = take_write_turn(self.db, wait=0.3)
            waited = time.monotonic() - started
        self.assertIsNone(released)
        self.assertGreaterEqual(waited, 0.3)
        self.assertLess(waited, 3)
        # Given up waiting, the transaction goes on under SQLite's own lock, which is free here.
        connection = self.connection(timeout=0.3)
        with write_turn(self.db):
            connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO rows (writer, n) VALUES ('late', 1)")
            connection.commit()
            connection.set_autocommit(True)
        with sqlite3.connect(self.db) as db:
            self.assertEqual(db.execute("SELECT COUNT(*) FROM rows WHERE writer = 'late'").fetchone(), (1,))

    def test_another_process_gets_the_turn_when_the_transaction_ends(self):
        connection = self.connection()
        connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        taker = self.python(TAKER, str(self.db))
        with self.assertRaises(subprocess.TimeoutExpired):
            taker.wait(timeout=0.5)
        connection.rollback()
        output, _ = taker.communicate(timeout=20)
        self.assertEqual(output.strip(), "got the turn")
