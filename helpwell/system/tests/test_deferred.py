"""Rows queued by a bulk job (system.deferred) are written a table at a time, yet every query sees them."""

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from helpwell.people.models import Customer
from helpwell.system import deferred
from helpwell.system.models import AuditEntry
from helpwell.test import BaseTestCase


def customer(n: int) -> Customer:
    return Customer(name=f"Customer {n}", email=f"c{n}@queued.example")


class DeferredTest(BaseTestCase):
    def test_outside_a_batch_a_row_is_inserted_at_once(self):
        row = deferred.insert(customer(1))
        self.assertTrue(Customer.objects.filter(pk=row.pk, email="c1@queued.example").exists())

    def test_queued_rows_have_their_ids_at_once_and_go_in_with_one_insert_per_table(self):
        with CaptureQueriesContext(connection) as queries, transaction.atomic(), deferred.deferring():
            rows = [deferred.insert(customer(n)) for n in range(5)]
            ids = [r.pk for r in rows]
            self.assertTrue(all(ids))
            self.assertEqual(len(set(ids)), 5)
            with deferred.stored_rows_only():  # a look without writing first: not there yet
                self.assertEqual(Customer.objects.filter(pk__in=ids).count(), 0)
        inserts = [
            q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "people_customer"')
        ]
        self.assertEqual(len(inserts), 1)
        self.assertEqual(
            sorted(Customer.objects.filter(pk__in=ids).values_list("email", flat=True)),
            sorted(f"c{n}@queued.example" for n in range(5)),
        )

    def test_a_query_that_names_a_table_with_queued_rows_sees_them(self):
        with transaction.atomic(), deferred.deferring():
            row = deferred.insert(customer(1))
            self.assertEqual(Customer.objects.get(email="c1@queued.example").pk, row.pk)
            # A change to a queued row goes in with its INSERT; to a written one, as an UPDATE.
            row.name = "Renamed"
            deferred.save_fields(row, ["name"])
            self.assertEqual(Customer.objects.get(pk=row.pk).name, "Renamed")

    def test_a_queued_change_goes_in_with_the_insert(self):
        with transaction.atomic(), deferred.deferring():
            row = deferred.insert(customer(1))
            row.name = "Changed before writing"
            deferred.save_fields(row, ["name"])
        self.assertEqual(Customer.objects.get(pk=row.pk).name, "Changed before writing")

    def test_a_unit_that_fails_leaves_nothing_and_the_units_before_it_stay(self):
        with transaction.atomic(), deferred.deferring():
            with deferred.item():
                before = deferred.insert(customer(1))
            with self.assertRaises(RuntimeError), deferred.item():
                deferred.insert(customer(2))
                # This read writes the queue (customer 1 and 2) inside the failing unit's savepoint …
                self.assertEqual(Customer.objects.filter(email__endswith="@queued.example").count(), 2)
                raise RuntimeError("the unit fails")
            with deferred.item():
                after = deferred.insert(customer(3))
        # … and the rollback of that savepoint did not take customer 1 with it.
        self.assertEqual(
            sorted(Customer.objects.filter(email__endswith="@queued.example").values_list("pk", flat=True)),
            sorted([before.pk, after.pk]),
        )

    def test_a_failing_unit_that_ran_no_statement_leaves_the_transaction_usable(self):
        with transaction.atomic(), deferred.deferring():
            # atomic(savepoint=False) marks the transaction as the error unwinds through it.
            with self.assertRaises(ValueError), deferred.item(), transaction.atomic(savepoint=False):
                deferred.insert(customer(1))
                raise ValueError("bad input")
            deferred.insert(customer(2))
        self.assertEqual(list(Customer.objects.filter(email__endswith="@queued.example").values_list("email", flat=True)),
                         ["c2@queued.example"])  # fmt: skip

    def test_follow_ups_run_once_per_flush_with_every_argument(self):
        calls: list[list[int]] = []
        with transaction.atomic(), deferred.deferring():
            for n in (1, 2, 2, 3):
                deferred.later("k", calls.append, n)
            self.assertEqual(calls, [])
        self.assertEqual(calls, [[1, 2, 3]])
        deferred.later("k", calls.append, 4)  # outside a batch: at once
        self.assertEqual(calls[-1], [4])

    def test_ids_drawn_for_queued_rows_are_never_given_to_a_plain_insert(self):
        with transaction.atomic(), deferred.deferring():
            queued = deferred.insert(
                AuditEntry(actor_label="system", action="a", object_type="x", object_id="1")
            )
            plain = AuditEntry.objects.create(
                actor_label="system", action="b", object_type="x", object_id="2"
            )
            self.assertNotEqual(queued.pk, plain.pk)
        self.assertEqual(AuditEntry.objects.filter(pk__in=[queued.pk, plain.pk]).count(), 2)
