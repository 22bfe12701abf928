"""Capped counts in one statement (helpwell.lib.counts), against the real database."""

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from helpwell.lib.counts import capped_counts
from helpwell.people.models import Customer, Organisation


class CappedCountsTest(TestCase):
    big: Organisation
    small: Organisation

    @classmethod
    def setUpTestData(cls) -> None:
        cls.big = Organisation.objects.create(name="Big")
        cls.small = Organisation.objects.create(name="Small")
        Customer.objects.bulk_create(
            [Customer(name=f"B{i}", email=f"b{i}@big.example", organisation=cls.big) for i in range(7)]
            + [Customer(name="S", email="s@small.example", organisation=cls.small)]
        )

    def test_each_count_is_exact_up_to_the_cap_and_stops_one_past_it(self):
        counts = capped_counts(
            {
                "big": Customer.objects.filter(organisation=self.big),
                "small": Customer.objects.filter(organisation=self.small),
                "none": Customer.objects.filter(email__endswith="@nowhere.example"),
                "everyone": Customer.objects.all(),
            },
            cap=5,
        )
        self.assertEqual(counts, {"big": 6, "small": 1, "none": 0, "everyone": 6})
        self.assertEqual(
            capped_counts({"big": Customer.objects.filter(organisation=self.big)}, cap=10), {"big": 7}
        )

    def test_all_counts_take_one_statement(self):
        with CaptureQueriesContext(connection) as queries:
            capped_counts(
                {"a": Customer.objects.all(), "b": Organisation.objects.all(), "c": Customer.objects.none()},
                cap=100,
            )
        self.assertEqual(len(queries), 1)

    def test_orderings_and_joins_do_not_change_a_count(self):
        ordered = (
            Customer.objects.filter(organisation__name="Big").order_by("-name").select_related("organisation")
        )
        self.assertEqual(capped_counts({"big": ordered}, cap=100), {"big": 7})
