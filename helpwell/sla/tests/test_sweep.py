from unittest import mock

import time_machine
from django.db import connection

from helpwell.sla import breaches
from helpwell.sla.breaches import sweep_due
from helpwell.sla.models import Breach
from helpwell.tickets.models import Ticket

from .cast import SlaTestCase, berlin


class SweepTests(SlaTestCase):
    def test_finding_nothing_due_is_one_query(self):
        with time_machine.travel(berlin(2026, 11, 30, 9), tick=False):
            self.make_ticket(priority=self.priorities["high"])
            with self.assertNumQueries(1):
                self.assertEqual(sweep_due(), 0)

    def test_the_due_query_reads_the_sla_check_index(self):
        if connection.vendor != "sqlite":
            self.skipTest("the plan of a tiny PostgreSQL table is a sequential scan by design")
        sql, params = (
            Ticket.objects.filter(sla_check_at__lte=berlin(2026, 1, 1))
            .order_by("sla_check_at")
            .values_list("pk", "sla_check_at")[:1000]
            .query.sql_with_params()
        )
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row) for row in cursor.fetchall())
        self.assertIn("sla_check_at", plan)
        self.assertNotIn("SCAN tickets_ticket ", plan + " ")

    def test_a_second_worker_arriving_mid_sweep_records_nothing_twice(self):
        with time_machine.travel(berlin(2026, 11, 30, 9), tick=False):
            self.make_ticket(priority=self.priorities["high"])
        second_worker = []
        real = breaches.process_ticket

        def interleaved(pk, now):
            second_worker.append(sweep_due(now=now))  # another worker sweeps after our claim
            return real(pk, now)

        with (
            time_machine.travel(berlin(2026, 11, 30, 13, 1), tick=False),
            mock.patch.object(breaches, "process_ticket", side_effect=interleaved),
        ):
            handled = sweep_due()
        self.assertEqual((handled, second_worker), (1, [0]))
        self.assertEqual(Breach.objects.count(), 1)


class EscalationLevelTests(SlaTestCase):
    def test_an_hour_after_breach_tier_2_takes_the_ticket(self):
        with time_machine.travel(berlin(2026, 11, 30, 9), tick=False):
            ticket = self.make_ticket(priority=self.priorities["high"])
        for hour in (12, 13, 14):
            with time_machine.travel(berlin(2026, 11, 30, hour), tick=False):
                sweep_due()
        ticket.refresh_from_db()
        self.assertEqual(ticket.team, self.shipping)
        self.assertEqual(
            list(ticket.sla_escalations.order_by("created_at").values_list("level_name", flat=True)),
            ["Assignee", "Team lead", "Tier 2"],
        )
        # On Shipping's 24/7 calendar the first response is now simply overdue; nothing is left to fire.
        self.assertLess(ticket.next_due, berlin(2026, 11, 30, 14))
        self.assertGreater(ticket.resolution_due, ticket.next_due)


class PublicPagesTests(SlaTestCase):
    def test_the_priorities_page_lists_targets_and_business_hours(self):
        response = self.client.get("/priorities/")
        self.assertContains(response, "4 business hours")
        self.assertContains(response, "16 business hours")
        self.assertContains(response, "09:00-17:00")
        self.assertContains(response, "Open around the clock")

    def test_the_confirmation_page_says_when_the_team_is_closed(self):
        with time_machine.travel(berlin(2026, 12, 24, 16), tick=False):
            response = self.client.post("/portal/new/", {
                "name": "Carol Chen", "email": "carol@acme.example", "subject": "Invoice twice",
                "description": "Charged twice.", "category": self.invoices.pk, "impact": "me",
                "urgency": "blocked", "time_zone": "Europe/Berlin",
            }, follow=True)  # fmt: skip
        self.assertContains(response, "We are closed for Christmas Day on Friday 25 December.")
        self.assertContains(response, "your time (Europe/Berlin)")
