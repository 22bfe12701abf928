"""How Helpwell talks to PostgreSQL: statements a connection runs again are prepared, not re-planned."""

import unittest

from django.db import connection
from django.test import TestCase

from helpwell.tickets.models import Priority


@unittest.skipUnless(connection.vendor == "postgresql", "PostgreSQL only")
class PreparedStatementsTest(TestCase):
    def prepared(self) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", ["%priority%"]
            )
            return [row[0] for row in cursor.fetchall()]

    def test_a_query_run_again_is_prepared_on_the_server_and_gives_the_same_rows(self):
        Priority.objects.create(key="urgent", name="Urgent", first_response_minutes=60, rank=1)
        names = [list(Priority.objects.filter(key="urgent").values_list("name", flat=True)) for _ in range(2)]
        self.assertEqual(self.prepared(), [])  # twice: not yet
        names.append(list(Priority.objects.filter(key="urgent").values_list("name", flat=True)))
        self.assertEqual(names, [["Urgent"]] * 3)
        (statement,) = self.prepared()
        self.assertIn('"tickets_priority"."key" = $1', statement)  # bound by the server, not inlined
