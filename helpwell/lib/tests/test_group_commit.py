"""GroupCommit with real threads: a write under way gathers the items handed in meanwhile."""

import threading
import time
from collections.abc import Callable

from django.test import SimpleTestCase

from helpwell.lib.group_commit import GroupCommit


def wait_until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.001)


class Writer:
    """Records each batch and the thread that wrote it; the first write waits until released."""

    def __init__(self, fail_on: str = "") -> None:
        self.batches: list[list[str]] = []
        self.writers: list[str] = []
        self.first_started = threading.Event()
        self.release_first = threading.Event()
        self.fail_on = fail_on

    def __call__(self, items: list[str]) -> list[str]:
        if not self.batches:
            self.first_started.set()
            self.release_first.wait(5)
        self.batches.append(list(items))
        self.writers.append(threading.current_thread().name)
        if self.fail_on in items:
            raise ValueError(f"cannot store {self.fail_on}")
        return [item.upper() for item in items]


class GroupCommitTests(SimpleTestCase):
    def run_threads(self, group: GroupCommit[str, str], items: list[str], writer: Writer):
        results: dict[str, object] = {}

        def submit(item: str) -> None:
            try:
                results[item] = group(item)
            except Exception as error:  # the caller's own error, as it would reach the view
                results[item] = error

        first = threading.Thread(target=submit, args=(items[0],), name=items[0])
        first.start()
        writer.first_started.wait(5)
        others = [threading.Thread(target=submit, args=(item,), name=item) for item in items[1:]]
        for thread in others:
            thread.start()
        wait_until(lambda: group.waiting == len(others))
        writer.release_first.set()
        for thread in [first, *others]:
            thread.join(5)
        return results

    def test_a_lone_item_is_written_at_once_by_its_own_thread(self):
        writer = Writer()
        writer.release_first.set()
        group: GroupCommit[str, str] = GroupCommit(writer)
        self.assertEqual(group("a"), "A")
        self.assertEqual(writer.batches, [["a"]])
        self.assertEqual(writer.writers, [threading.current_thread().name])

    def test_items_handed_in_during_a_write_are_written_together_by_one_of_them(self):
        writer = Writer()
        group: GroupCommit[str, str] = GroupCommit(writer)
        results = self.run_threads(group, ["a", "b", "c", "d"], writer)
        self.assertEqual(results, {"a": "A", "b": "B", "c": "C", "d": "D"})
        self.assertEqual(writer.batches, [["a"], ["b", "c", "d"]])
        self.assertEqual(writer.writers[0], "a")
        self.assertEqual(writer.writers[1], "b")  # the first that waited leads the next batch
        self.assertEqual((group.batches, group.items), (2, 4))

    def test_a_batch_is_at_most_max_batch_items(self):
        writer = Writer()
        group: GroupCommit[str, str] = GroupCommit(writer, max_batch=2)
        results = self.run_threads(group, ["a", "b", "c", "d", "e"], writer)
        self.assertEqual(sorted(results.values()), ["A", "B", "C", "D", "E"])  # type: ignore[type-var]
        self.assertEqual([len(batch) for batch in writer.batches], [1, 2, 2])

    def test_an_item_that_fails_fails_only_its_own_thread(self):
        writer = Writer(fail_on="c")
        group: GroupCommit[str, str] = GroupCommit(writer)
        results = self.run_threads(group, ["a", "b", "c", "d"], writer)
        self.assertEqual(results["a"], "A")
        self.assertEqual(results["b"], "B")
        self.assertEqual(results["d"], "D")
        self.assertIsInstance(results["c"], ValueError)
        # The batch failed, then each of its items was tried alone.
        self.assertEqual(writer.batches, [["a"], ["b", "c", "d"], ["b"], ["c"], ["d"]])
        # And the group goes on: the next item is written at once.
        self.assertEqual(group("e"), "E")

    def test_a_write_that_returns_the_wrong_number_of_results_is_an_error_for_each(self):
        group: GroupCommit[str, str] = GroupCommit(lambda items: [])
        with self.assertRaisesRegex(RuntimeError, "0 results for 1 items"):
            group("a")
