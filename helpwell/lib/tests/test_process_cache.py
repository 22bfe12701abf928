"""The select boxes' options and the site settings, kept per process (helpwell.lib.process_cache).

Real commits (TransactionTestCase): inside a test's transaction nothing is cached at all.
"""

import time
from unittest import mock

from django.db import connection, transaction
from django.test import TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext

from helpwell.people.models import Customer, Team
from helpwell.system.actions import do_update_site_settings
from helpwell.system.models import SiteSettings
from helpwell.test import PASSWORD, make_agent, make_priorities
from helpwell.tickets import options
from helpwell.tickets.actions import do_create_ticket
from helpwell.tickets.models import Category, Priority

CACHED_TABLES = ("tickets_priority", "people_team", "tickets_category", "system_sitesettings")


@override_settings(REFERENCE_CACHE_SECONDS=30)
class ProcessCacheTest(TransactionTestCase):
    def setUp(self) -> None:
        caches = (options.PRIORITIES, options.TEAMS, options.CATEGORIES, options.AGENTS_ON_TEAMS)
        for cache in caches:
            cache.clear()  # what an earlier test's flushed database left behind
        self.caches = caches
        from helpwell.system.context import SITE_SETTINGS

        SITE_SETTINGS.clear()
        SiteSettings.load()  # an installed site has its row
        make_priorities()
        self.billing = Team.objects.create(name="Billing", slug="billing")
        self.alice = make_agent("alice", "Alice Martin", teams=(self.billing,))
        carol = Customer.objects.create(name="Carol Chen", email="carol@acme.example")
        self.ticket = do_create_ticket(
            customer=carol, subject="My invoice is wrong", body="Off by 10.", notify=False
        )
        self.client.login(username="alice", password=PASSWORD)
        self.url = f"/agent/tickets/{self.ticket.reference}/"

    def page(self) -> tuple[str, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        return response.content.decode(), [q["sql"] for q in queries.captured_queries]

    def read_tables(self, sqls: list[str]) -> set[str]:
        """Which of the cached tables the page read (not counting the signed-in agent's own teams)."""
        options = [sql for sql in sqls if "people_agent_teams" not in sql]
        return {table for table in CACHED_TABLES if any(f'FROM "{table}"' in sql for sql in options)}

    def test_the_ticket_page_reads_its_options_once_and_shows_a_change_made_here_at_once(self):
        _, first = self.page()
        self.assertEqual(self.read_tables(first), set(CACHED_TABLES))
        html, second = self.page()
        self.assertEqual(self.read_tables(second), set())
        self.assertEqual(len(first) - len(second), 5)  # the four tables and the team's agents
        self.assertIn("Alice Martin", html)

        Category.objects.create(name="Refunds", slug="refunds", team=self.billing)
        urgent = Priority.objects.get(key="urgent")
        urgent.name = "Critical"
        urgent.save()
        bob = make_agent("bob", "Bob Okafor")
        bob.agent.teams.add(self.billing)  # joins the team: a link row, not a save of the agent
        do_update_site_settings(SiteSettings.load(), actor=None, site_name="Initech Care")
        html, _ = self.page()
        for shown in ("Refunds", "Critical", "Bob Okafor", "Initech Care"):
            self.assertIn(shown, html)

    def test_a_change_made_by_another_process_shows_within_the_seconds_set(self):
        self.page()
        # A queryset update sends no signal: to this process it looks like another process's change.
        Priority.objects.filter(key="urgent").update(name="Critical")
        html, _ = self.page()
        self.assertNotIn("Critical", html)
        later = time.monotonic() + 31
        with mock.patch("helpwell.lib.process_cache.time.monotonic", return_value=later):
            html, _ = self.page()
        self.assertIn("Critical", html)

    def test_rows_read_in_a_transaction_that_is_rolled_back_are_not_kept(self):
        self.assertEqual([c.name for c in options.categories()], [])

        class Undo(Exception):
            pass

        with self.assertRaises(Undo), transaction.atomic():
            Category.objects.create(name="Ghost", slug="ghost", team=self.billing)
            self.assertEqual([c.name for c in options.categories()], ["Ghost"])
            raise Undo
        self.assertEqual([c.name for c in options.categories()], [])

    def test_the_assignee_box_still_offers_the_assignee_from_another_team(self):
        shipping = Team.objects.create(name="Shipping", slug="shipping")
        tom = make_agent("tom", "Tom Reyes", teams=(shipping,))
        self.ticket.assignee = tom
        self.ticket.save()
        html, _ = self.page()
        self.assertIn("Tom Reyes", html)
        self.assertEqual([u.username for u in options.assignable(self.billing.pk, (None,))], ["alice"])

    def queue(self) -> tuple[str, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get("/agent/", {"tab": "all"})
        self.assertEqual(response.status_code, 200)
        return response.content.decode(), [q["sql"] for q in queries.captured_queries]

    def test_the_queue_reads_its_filters_and_bulk_options_once_and_shows_a_change_at_once(self):
        self.queue()  # the first visit also remembers the view in the session
        for cache in self.caches:
            cache.clear()
        _, first = self.queue()
        self.assertTrue({"tickets_priority", "people_team", "tickets_category"} <= self.read_tables(first))
        html, second = self.queue()
        self.assertEqual(self.read_tables(second), set())
        # The three filters (the bulk box shares the priorities) and the agents of the agent's teams.
        self.assertEqual(len(first) - len(second), 4)
        self.assertIn('<option value="3">Alice Martin</option>'.replace("3", str(self.alice.pk)), html)

        Category.objects.create(name="Refunds", slug="refunds", team=self.billing)
        Team.objects.create(name="Shipping", slug="shipping")
        bob = make_agent("bob", "Bob Okafor")
        bob.agent.teams.add(self.billing)
        html, _ = self.queue()
        for shown in ("Refunds", "Shipping", "Bob Okafor"):
            self.assertIn(shown, html)
        eve = make_agent("eve", "Eve Stone", teams=(Team.objects.get(slug="shipping"),))
        html, _ = self.queue()
        self.assertNotIn("Eve Stone", html)  # not on Alice's teams: not offered for her bulk changes
        self.assertEqual(eve.username, "eve")
