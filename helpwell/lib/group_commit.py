"""Group commit: concurrent threads of one process share one statement and one commit.

A web process serves several requests at once on its threads. When each of them stores one small
row, most of what a row costs is not the row: it is the round trip to the database, the statement,
the commit and its flush, and waking the threads on both sides. `GroupCommit` lets the rows that
arrive together be written together, the way databases group the flushes of concurrent commits:

- a thread that hands in an item while no write is under way becomes the leader and writes at once,
  so a lone request waits for nothing;
- items handed in while a write is under way wait; when it ends, the leader wakes the first of them
  to write all that have gathered, in one call of `write`, and so on;
- every thread returns only after its own item was written (committed), with that item's result,
  or raises the error that writing it raised. A batch that fails is written again item by item, so
  one bad item fails only its own thread.

It is per process and holds nothing between writes: a process that dies loses only the items of
requests that have not been answered yet.
"""

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class _Waiter(Generic[Item, Result]):
    __slots__ = ("item", "result", "error", "done", "leads", "woken")

    def __init__(self, item: Item) -> None:
        self.item = item
        self.result: Result | None = None
        self.error: BaseException | None = None
        self.done = False  # written, or failed with `error`
        self.leads = False  # set when this thread is woken to write the next batch
        self.woken = threading.Event()

    def succeed(self, result: Result) -> None:
        self.result, self.done = result, True

    def fail(self, error: BaseException) -> None:
        self.error, self.done = error, True

    def outcome(self) -> Result:
        if not self.done:  # the leader's thread was interrupted (its process is stopping)
            raise RuntimeError("the write of this item was interrupted")
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]


class GroupCommit(Generic[Item, Result]):
    """Calls `write(items)` for items handed in by concurrent threads, several at a time.

    `write` gets a list of items and returns one result per item, in order; it runs in the thread
    of one of the callers (so with that thread's database connection) and must commit before it
    returns. `max_batch` bounds one call.
    """

    def __init__(self, write: Callable[[list[Item]], Sequence[Result]], *, max_batch: int = 64) -> None:
        self.write = write
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._waiting: list[_Waiter[Item, Result]] = []
        self._writing = False
        self.batches = 0  # how many calls of `write` so far, and the items they held: for tests
        self.items = 0

    def __call__(self, item: Item) -> Result:
        waiter: _Waiter[Item, Result] = _Waiter(item)
        with self._lock:
            self._waiting.append(waiter)
            leads = not self._writing
            self._writing = True
        if not leads:
            waiter.woken.wait()
            if not waiter.leads:
                return waiter.outcome()
        self._write_batch()
        return waiter.outcome()

    @property
    def waiting(self) -> int:
        """Items handed in and not yet taken into a batch."""
        with self._lock:
            return len(self._waiting)

    def _write_batch(self) -> None:
        # The leader's own item is first in line: it was either alone or woken as the first waiting.
        with self._lock:
            batch = self._waiting[: self.max_batch]
            del self._waiting[: self.max_batch]
            self.batches += 1
            self.items += len(batch)
        try:
            self._write_into(batch)
        finally:
            with self._lock:
                if self._waiting:
                    following = self._waiting[0]
                    following.leads = True
                    following.woken.set()
                else:
                    self._writing = False
            for waiter in batch:
                waiter.woken.set()

    def _write_into(self, batch: list[_Waiter[Item, Result]]) -> None:
        try:
            results = self.write([w.item for w in batch])
        except Exception as error:
            if len(batch) == 1:
                batch[0].fail(error)
                return
            for waiter in batch:  # which item was it? Each is tried alone and keeps its own outcome.
                self._write_into([waiter])
            return
        if len(results) != len(batch):
            for waiter in batch:
                waiter.fail(RuntimeError(f"write returned {len(results)} results for {len(batch)} items"))
            return
        for waiter, result in zip(batch, results, strict=True):
            waiter.succeed(result)
