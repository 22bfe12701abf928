"""Django's SQLite backend, with each transaction taken in the write turn (helpwell.lib.sqlite_writers).

With `transaction_mode = "IMMEDIATE"` every transaction takes SQLite's write lock at BEGIN, and a
connection that finds it taken sleeps in SQLite's busy handler (1, 2, 5 … 100 ms) between tries.
Under concurrent writes from the web processes and the worker, the lock was free most of the time
while the writers slept: 110 tickets a second through the API on two cores with one of them idle,
and a p99 of 3 s. Here a transaction first takes the write turn, so writers queue and each starts
within a millisecond of the last one's end; the turn is given back at commit, rollback or close.

A turn is waited for no longer than the busy timeout; a transaction that does not get it goes on
under SQLite's own lock as before. Without IMMEDIATE transactions (a read may not write) nothing
changes.
"""

from collections.abc import Callable
from typing import Any

from django.db.backends.sqlite3 import base

from helpwell.lib.sqlite_writers import take_write_turn

WRITING_MODES = {"IMMEDIATE", "EXCLUSIVE"}


class DatabaseWrapper(base.DatabaseWrapper):
    _give_back_turn: Callable[[], None] | None = None

    def _start_transaction_under_autocommit(self) -> None:
        mode = self.transaction_mode  # type: ignore[attr-defined]  # Django 5.1+, not in django-stubs
        if mode in WRITING_MODES and self._give_back_turn is None:
            wait = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
            self._give_back_turn = take_write_turn(self.settings_dict["NAME"], wait=wait)
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private, not in django-stubs
        except BaseException:
            self._end_turn()
            raise

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]  # private, not in django-stubs
        finally:
            self._end_turn()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]  # private, not in django-stubs
        finally:
            self._end_turn()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]  # private, not in django-stubs
        finally:
            self._end_turn()

    def _end_turn(self) -> None:
        give_back, self._give_back_turn = self._give_back_turn, None
        if give_back is not None:
            give_back()
