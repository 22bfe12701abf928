"""Writers to one SQLite file take turns on a kernel lock instead of polling SQLite's.

SQLite lets one connection write at a time, and one that finds the database locked does not wait
for the lock to be freed: its busy handler sleeps (1, 2, 5, 10 … ms) and tries again. A small
write takes a tenth of a millisecond, so under a burst of them from several processes (the API's
202 intake on every web process) a waiting writer sleeps ten times longer than it waits, and the
CPUs idle while requests queue. Writers that take `write_turn` around their transaction queue on an
exclusive `flock` of a file beside the database instead: the kernel wakes the next one the moment
the last one is done.

The turn is an optimisation for hot writes, never needed for correctness: writers that do not take
it still meet SQLite's own lock and busy handler, as before. PostgreSQL needs none (a waiting row
lock sleeps until it is released), and neither does an in-memory database, which one process owns.
"""

import contextlib
import fcntl
import logging
import os
import threading
from collections.abc import Iterator
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
    path = lock_file_for(database)
    turn = _turn_for(path) if path is not None else None
    if turn is None:
        yield
        return
    fd, threads = turn
    with threads:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
