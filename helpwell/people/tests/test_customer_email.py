from django.db import connection

from helpwell.people.actions import do_find_or_create_customer
from helpwell.people.models import Customer
from helpwell.test import BaseTestCase


class CustomerEmailLookupTests(BaseTestCase):
    def test_an_address_is_found_in_any_letter_case(self) -> None:
        mixed = Customer.objects.create(name="Zoë Mixed", email="Zoe.Mixed@Example.org")
        self.assertEqual(list(Customer.objects.with_email("  zoe.mixed@example.ORG ")), [mixed])
        found, created = do_find_or_create_customer(email="ZOE.MIXED@example.org", via="email")
        self.assertEqual((found, created), (mixed, False))
        self.assertFalse(Customer.objects.with_email("zoe.mixed@example.net").exists())

    def test_the_lookup_reads_the_index_not_every_customer(self) -> None:
        query = Customer.objects.with_email("carol@acme.example").values("pk").query
        sql, params = query.sql_with_params()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is small enough to scan
                cursor.execute("EXPLAIN " + sql, params)
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        self.assertIn("customer_email_lower", plan)

    def test_the_exact_spelling_wins_when_two_customers_differ_only_in_case(self) -> None:
        older = Customer.objects.create(name="Old Import", email="Pat@Example.org")
        exact = Customer.objects.create(name="Pat", email="pat@example.org")
        self.assertEqual(do_find_or_create_customer(email="pat@example.org", via="web"), (exact, False))
        self.assertEqual(do_find_or_create_customer(email="Pat@example.org", via="web"), (older, False))
        self.assertEqual(do_find_or_create_customer(email="PAT@example.org", via="web")[0], older)
