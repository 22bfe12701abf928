"""Writers to one SQLite file take turns on a kernel lock instead of polling SQLite's.

SQLite lets one connection write at a time, and one that finds the database locked does not wait
for the lock to be freed: its busy handler sleeps (1, 2, 5, 10 … ms) and tries again. A small
write takes a tenth of a millisecond, so under a burst of them from several processes (the API's
202 intake on every web process) a waiting writer sleeps ten times longer than it waits, and the
CPUs idle while requests queue. Writers that take `write_turn` around their transaction queue on an
exclusive `flock` of a file beside the database instead: the kernel wakes the next one the moment
the last one is done.

The API's 202 intake takes it around each INSERT (`write_turn`), and Helpwell's SQLite backend
(`helpwell.lib.sqlite_backend`) around every transaction (`take_write_turn`, waiting no longer than
the busy timeout would). The turn is an optimisation, never needed for correctness: writers that do
not take it, or give up waiting for it, still meet SQLite's own lock and busy handler, as before.
PostgreSQL needs none (a waiting row lock sleeps until it is released), and neither does an
in-memory database, which one process owns.
"""

import contextlib
import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from django.db.backends.sqlite3.creation import DatabaseCreation

LOCK_SUFFIX = ".write-turn"

logger = logging.getLogger(__name__)

_guard = threading.Lock()
# Per process and database: the open lock file, and a lock for this process's threads. A flock
# belongs to the open file, which all threads share, so it cannot keep them apart by itself; and
# a file opened before a fork would be shared with the child, so each process opens its own.
# None: the file could not be opened, said once, and not tried again on every write.
_turns: dict[tuple[int, str], tuple[int, threading.Lock] | None] = {}


def lock_file_for(database: str | Path) -> Path | None:
    """The lock file of an SQLite database given by its NAME setting, or None when it has none (an
    in-memory database)."""
    if not database or DatabaseCreation.is_in_memory_db(database):
        return None
    name = str(database)
    if name.startswith("file:"):  # a URI filename: the path up to its query
        name = name[len("file:") :].split("?", 1)[0]
    return Path(name + LOCK_SUFFIX)


def _turn_for(path: Path) -> tuple[int, threading.Lock] | None:
    key = (os.getpid(), str(path))
    with _guard:
        if key not in _turns:
            try:
                _turns[key] = (os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600), threading.Lock())
            except OSError as e:  # the writers fall back on SQLite's own lock: slower, still correct
                logger.warning("No SQLite write turn at %s (%s); writers poll SQLite's lock instead", path, e)
                _turns[key] = None
        return _turns[key]


@contextlib.contextmanager
def write_turn(database: str | Path) -> Iterator[None]:
    """Hold the write turn of `database` (its NAME setting) for the block; a no-op for an in-memory
    database. Waits as long as it takes: every holder only runs one short transaction."""
    give_back = take_write_turn(database)
    try:
        yield
    finally:
        if give_back is not None:
            give_back()


# Polling a taken flock: first after 0.1 ms, doubling to at most 1 ms (SQLite's busy handler sleeps
# 1, 2, 5 … 100 ms). A blocking flock would wake sooner but cannot give up after a while.
_FIRST_PAUSE = 0.0001
_LONGEST_PAUSE = 0.001


def take_write_turn(database: str | Path, *, wait: float | None = None) -> Callable[[], None] | None:
    """Take the write turn of `database` for a transaction that ends later; returns the function
    that gives it back. Waits at most `wait` seconds (None: as long as it takes); None when there is
    no turn to take (an in-memory database, a lock file that cannot be opened) or the wait ran out,
    and the caller then goes on under SQLite's own lock, like a writer that takes no turn."""
    path = lock_file_for(database)
    turn = _turn_for(path) if path is not None else None
    if turn is None:
        return None
    fd, threads = turn
    if wait is None:
        threads.acquire()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            threads.release()
            raise
    elif not _take_within(fd, threads, wait):
        return None

    def give_back() -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        threads.release()

    return give_back


def _take_within(fd: int, threads: threading.Lock, wait: float) -> bool:
    deadline = time.monotonic() + wait
    if not threads.acquire(timeout=max(wait, 0)):
        return False
    pause = _FIRST_PAUSE
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                threads.release()
                return False
            time.sleep(min(pause, remaining))
            pause = min(pause * 2, _LONGEST_PAUSE)
