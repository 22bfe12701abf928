"""Rows of small, rarely edited tables, kept in each process for a few seconds.

Priorities, teams, categories, the agents a ticket can be assigned to and the site settings are read
on every ticket page and change a few times a year; on PostgreSQL each read is a round trip and a
compiled query. A `ProcessCache` keeps what it loaded for `settings.REFERENCE_CACHE_SECONDS`
(HELPWELL_REFERENCE_CACHE_SECONDS, default 30; 0 turns caching off).

A save or delete of a model it depends on, in this process, empties it at once and again when the
transaction commits; while a transaction is open nothing read is kept, so rows of a transaction
that is rolled back never stay. Other processes see such a change within those seconds. What a
cache returns is shared between requests and threads: read it, never change it.
"""

import threading
import time
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ProcessCache(Generic[K, V]):
    def __init__(self, load: Callable[[K], V], depends_on: Sequence[type[models.Model]]) -> None:
        self._load = load
        self._entries: dict[K, tuple[V, float]] = {}
        # Bumped by every clear: a load that started before a change must not store what it read.
        self._generation = 0
        self._lock = threading.Lock()
        for model in depends_on:
            post_save.connect(self._changed, sender=model, weak=False)
            post_delete.connect(self._changed, sender=model, weak=False)
            if model._meta.auto_created:  # a many-to-many link table
                m2m_changed.connect(self._changed, sender=model, weak=False)

    def get(self, key: K) -> V:
        ttl = settings.REFERENCE_CACHE_SECONDS
        entry = self._entries.get(key)
        now = time.monotonic()
        if entry is not None and now - entry[1] < ttl:
            return entry[0]
        generation = self._generation
        value = self._load(key)
        if ttl > 0 and not connection.in_atomic_block:
            with self._lock:
                if generation == self._generation:
                    self._entries[key] = (value, now)
        return value

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries = {}

    def _changed(self, *args: Any, **kwargs: Any) -> None:
        self.clear()
        if connection.in_atomic_block:
            transaction.on_commit(self.clear)
