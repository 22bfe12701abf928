"""New rows of a bulk job written together: one INSERT per table and batch, not one per row.

A bulk job (`helpwell import-mail`) runs each of its transactions inside `deferring()`. There,
`insert(obj)` gives the new row its primary key at once (drawn from the table's own sequence, a block
at a time) and queues the INSERT, and `later(key, run, arg)` queues a set-based follow-up (say,
re-indexing every ticket the batch touched, in one statement). The queue is written (`flush()`) before
any statement that names a table with queued rows, and at the end of the batch, so every query sees
what it would have seen had each row been written at once. Outside `deferring()`, `insert()` is a
plain INSERT and `later()` runs at once: the web, the API and the workers behave exactly as before.

`item()` marks one unit of a batch (one mail, in its own savepoint). If it fails, what it queued is
dropped; and rows of earlier units that a flush wrote inside its savepoint, which the savepoint's
rollback took away again, are queued again.
"""

import functools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connection, models, transaction
from django.db.models.fields import AutoFieldMixin

M = TypeVar("M", bound=models.Model)

# Primary keys drawn per table at a time; what a batch leaves unused is a gap in the ids, nothing more.
ID_BLOCK = 64


@dataclass
class _Entry:
    seq: int
    row: models.Model | None = None
    ignore_conflicts: bool = False
    key: str = ""
    run: Callable[[list[Any]], None] | None = None
    arg: Any = None


@dataclass
class _Item:
    start: int
    written: list[_Entry] = field(default_factory=list)
    savepoint: str | None = None


@dataclass
class _Batch:
    queue: list[_Entry] = field(default_factory=list)
    tables: set[str] = field(default_factory=set)  # tables with queued rows
    queued: set[int] = field(default_factory=set)  # id() of every queued row object
    free_ids: dict[type[models.Model], list[int]] = field(default_factory=dict)  # drawn, unused; last first
    counter: int = 0
    flushing: bool = False
    item: _Item | None = None
    id_block: int = ID_BLOCK

    def add(self, entry: _Entry) -> None:
        self.queue.append(entry)
        if entry.row is not None:
            self.tables.add(entry.row._meta.db_table)
            self.queued.add(id(entry.row))

    def clear(self) -> None:
        self.queue, self.tables, self.queued = [], set(), set()

    def names_queued_table(self, sql: str) -> bool:
        return any(table in sql and _name_of(table).search(sql) for table in self.tables)


@functools.cache
def _name_of(table: str) -> re.Pattern[str]:
    """The table's name as a whole word: `tickets_ticket` is not named by `tickets_ticketevent`."""
    return re.compile(rf"\b{re.escape(table)}\b")


_batch: ContextVar[_Batch | None] = ContextVar("helpwell_deferred_batch", default=None)


def active() -> bool:
    return _batch.get() is not None


@contextmanager
def deferring(rows_per_table: int = ID_BLOCK) -> Iterator[None]:
    """Queue new rows until a statement needs them or the block ends (then they are written).

    `rows_per_table`: about how many rows a table gets in this block; ids are drawn that many at a time."""
    if _batch.get() is not None:  # already inside one: the outer block writes
        yield
        return
    batch = _Batch(id_block=max(8, min(rows_per_table, 1000)))
    token = _batch.set(batch)
    try:
        with connection.execute_wrapper(_flush_first):
            yield
            flush()
    finally:
        _batch.reset(token)


@contextmanager
def item() -> Iterator[None]:
    """One unit of the batch, which succeeds or fails alone (see the module's note).

    Like `transaction.atomic()`, but its savepoint is set only before its first statement: a unit whose
    rows all wait in the queue costs no round trip at all. Outside `deferring()` it is `atomic()`."""
    batch = _batch.get()
    if batch is None or batch.item is not None:
        with transaction.atomic():
            yield
        return
    batch.item = _Item(start=batch.counter + 1)  # the first entry it may queue
    try:
        yield
    except BaseException:
        if batch.item.savepoint is not None:
            transaction.savepoint_rollback(batch.item.savepoint)
        # Back to the savepoint, or no statement ran at all: the transaction is as good as before the
        # unit, whatever an inner atomic(savepoint=False) block that failed marked on it.
        transaction.set_rollback(False)
        start = batch.item.start
        kept = [e for e in batch.queue if e.seq < start]
        restored = [e for e in batch.item.written if e.seq < start]
        batch.clear()
        for entry in sorted(kept + restored, key=lambda e: e.seq):
            batch.add(entry)
        # On SQLite the ids drawn inside the failed savepoint went back to the sequence with it.
        batch.free_ids.clear()
        raise
    else:
        if batch.item.savepoint is not None:
            transaction.savepoint_commit(batch.item.savepoint)
    finally:
        batch.item = None


def insert(obj: M, *, ignore_conflicts: bool = False) -> M:
    """Save `obj` as a new row: at once, or (inside `deferring()`) at the next flush, with its primary
    key set now. `ignore_conflicts`: a row that clashes with a unique index is skipped silently (such
    a row gets no primary key)."""
    batch = _batch.get()
    if batch is None:
        if ignore_conflicts:
            type(obj)._default_manager.bulk_create([obj], ignore_conflicts=True)
        else:
            obj.save(force_insert=True)
        return obj
    meta = obj._meta
    if obj.pk is None and not ignore_conflicts and isinstance(meta.pk, AutoFieldMixin):
        obj.pk = _next_id(batch, type(obj))
    obj._state.adding = False
    obj._state.db = connection.alias
    batch.counter += 1
    batch.add(_Entry(seq=batch.counter, row=obj, ignore_conflicts=ignore_conflicts))
    return obj


def save_fields(obj: models.Model, fields: list[str]) -> None:
    """`obj.save(update_fields=fields)`, unless its INSERT is still queued: then the INSERT, which takes
    the object's values when it is written, carries the change and no UPDATE is needed."""
    batch = _batch.get()
    if batch is not None and id(obj) in batch.queued:
        return
    obj.save(update_fields=fields)


def insert_many(objs: list[M]) -> list[M]:
    if _batch.get() is None:
        return type(objs[0])._default_manager.bulk_create(objs) if objs else objs
    return [insert(obj) for obj in objs]


def later(key: str, run: Callable[[list[Any]], None], arg: Any) -> None:
    """Call `run(args)` once at the next flush with every (hashable) `arg` queued under `key`, each once
    (at once outside a batch)."""
    batch = _batch.get()
    if batch is None:
        run([arg])
        return
    batch.counter += 1
    batch.add(_Entry(seq=batch.counter, key=key, run=run, arg=arg))


@contextmanager
def stored_rows_only() -> Iterator[None]:
    """For a query whose caller accounts for the queued rows itself: nothing is written first."""
    batch = _batch.get()
    if batch is None or batch.flushing:
        yield
        return
    batch.flushing = True
    try:
        yield
    finally:
        batch.flushing = False


def flush() -> None:
    batch = _batch.get()
    if batch is None or not batch.queue or batch.flushing:
        return
    queue = batch.queue
    batch.clear()
    batch.flushing = True
    try:
        groups: dict[tuple[type[models.Model], bool], list[models.Model]] = {}
        calls: dict[str, tuple[Callable[[list[Any]], None], dict[Any, None]]] = {}
        for entry in queue:
            if entry.row is not None:
                groups.setdefault((type(entry.row), entry.ignore_conflicts), []).append(entry.row)
            elif entry.run is not None:  # each argument once, in the order first queued
                calls.setdefault(entry.key, (entry.run, {}))[1][entry.arg] = None
        # Foreign keys are checked at commit, and the groups keep the order the rows were queued in.
        for (model, ignore), rows in groups.items():
            model._default_manager.bulk_create(rows, ignore_conflicts=ignore)
        for run, args in calls.values():
            run(list(args))
        if batch.item is not None:
            batch.item.written.extend(queue)
    finally:
        batch.flushing = False


def _flush_first(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
    batch = _batch.get()
    if batch is not None and not batch.flushing:
        if batch.item is not None and batch.item.savepoint is None:
            batch.flushing = True  # the SAVEPOINT statement itself passes through here
            try:
                batch.item.savepoint = transaction.savepoint()
            finally:
                batch.flushing = False
        if batch.names_queued_table(sql):
            flush()
    return execute(sql, params, many, context)


def _next_id(batch: _Batch, model: type[models.Model]) -> int:
    free = batch.free_ids.get(model)
    if not free:
        free = batch.free_ids[model] = _draw_ids(model, batch.id_block)[::-1]
    return free.pop()


def _draw_ids(model: type[models.Model], count: int) -> list[int]:
    """Take `count` ids from the table's sequence, so no other INSERT (here or elsewhere) gets them."""
    table, column = model._meta.db_table, str(model._meta.pk.column)
    batch = _batch.get()
    assert batch is not None
    was_flushing, batch.flushing = batch.flushing, True  # these statements need nothing written first
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [table, column, count],
                )
                return sorted(row[0] for row in cursor.fetchall())
            # SQLite: an AUTOINCREMENT table's sqlite_sequence row holds the largest id ever given; moving
            # it on reserves the block (the batch's transaction holds SQLite's only write lock).
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = seq + %s WHERE name = %s RETURNING seq", [count, table]
            )
            row = cursor.fetchone()
            if row is None:
                q = connection.ops.quote_name
                cursor.execute(f"SELECT coalesce(max({q(column)}), 0) FROM {q(table)}")
                top = cursor.fetchone()[0] + count
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, top])
            else:
                top = row[0]
            return list(range(top - count + 1, top + 1))
    finally:
        batch.flushing = was_flushing
