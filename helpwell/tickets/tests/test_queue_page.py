"""The queue page over HTTP: who may see it, what it lists, reference jumps, bulk actions, query counts."""

from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helpwell.test import PASSWORD, BaseTestCase
from helpwell.tickets.actions import do_assign_ticket, do_set_tags
from helpwell.tickets.models import Status, TicketEvent

QUEUE = "/agent/"


class QueueAccessTests(BaseTestCase):
    def test_anonymous_visitors_are_sent_to_sign_in(self):
        response = self.client.get(QUEUE)
        self.assertRedirects(response, f"{reverse('login')}?next={QUEUE}", fetch_redirect_response=False)

    def test_a_signed_in_customer_of_the_portal_is_sent_to_sign_in(self):
        session = self.client.session
        session["portal_customer_id"] = self.carol.pk
        session.save()
        response = self.client.get(QUEUE)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))

    def test_an_account_that_is_not_an_agent_gets_not_found(self):
        User.objects.create_user("mallory", "m@example.com", PASSWORD)
        self.client.login(username="mallory", password=PASSWORD)
        self.assertEqual(self.client.get(QUEUE).status_code, 404)


class QueuePageTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.invoice = self.make_ticket(subject="Invoice shows the wrong VAT")
        self.parcel = self.make_ticket(
            subject="Parcel never arrived", customer=self.dan, category=self.deliveries
        )

    def test_it_lists_tickets_with_customer_organisation_and_due_time(self):
        self.client.login(username="alice", password=PASSWORD)
        response = self.client.get(QUEUE, {"tab": "unassigned"})
        self.assertContains(response, "Invoice shows the wrong VAT")
        self.assertContains(response, "Carol Chen")
        self.assertContains(response, "Acme")
        self.assertContains(response, "in 23 h")  # normal priority: 24 hours to a first response
        self.assertContains(response, "Showing 1 ticket")

    def test_a_row_escapes_what_people_typed_and_shows_tags_assignee_and_deadline(self):
        # The rows are rendered in Python (tickets.queue_rows), not by the template's autoescaping.
        self.carol.name = 'Carol <b>"Chen"</b> & Co'
        self.carol.save()
        hostile = self.make_ticket(subject="<script>alert(1)</script> refund")
        do_set_tags(hostile, ["vip", "<i>x</i>"], actor=self.lena)
        do_assign_ticket(hostile, self.alice, actor=self.lena)
        self.client.login(username="alice", password=PASSWORD)
        html = self.client.get(QUEUE, {"tab": "mine"}).content.decode()
        self.assertNotIn("<script>alert(1)</script>", html)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; refund", html)
        self.assertIn("Carol &lt;b&gt;&quot;Chen&quot;&lt;/b&gt; &amp; Co", html)
        self.assertIn('<span class="ws-tag">vip</span>', html)
        self.assertIn('<span class="ws-tag">&lt;i&gt;x&lt;/i&gt;</span>', html)
        url = f"/agent/tickets/{hostile.reference}/"
        self.assertIn(f'<tr data-row data-href="{url}">', html)
        self.assertIn(f'href="{url}" data-row-link>', html)
        self.assertIn(f'src="/people/photo/{self.alice.agent.pk}/?v=', html)
        self.assertIn("Alice Martin</span>", html)
        self.assertIn('<span class="due due-ok" title="Due ', html)

    def test_tom_cannot_see_billing_tickets_in_any_tab(self):
        self.client.login(username="tom", password=PASSWORD)
        for tab in ("mine", "unassigned", "teams", "all"):
            with self.subTest(tab=tab):
                response = self.client.get(QUEUE, {"tab": tab, "status": "any"})
                self.assertNotContains(response, "Invoice shows the wrong VAT")
        self.assertContains(self.client.get(QUEUE, {"tab": "all"}), "Parcel never arrived")

    def test_ada_sees_every_team(self):
        self.client.login(username="ada", password=PASSWORD)
        response = self.client.get(QUEUE, {"tab": "all"})
        self.assertContains(response, "Invoice shows the wrong VAT")
        self.assertContains(response, "Parcel never arrived")

    def test_a_reference_in_the_search_box_opens_the_ticket(self):
        self.client.login(username="alice", password=PASSWORD)
        response = self.client.get(QUEUE, {"q": self.invoice.reference.lower()})
        self.assertRedirects(
            response, f"/agent/tickets/{self.invoice.reference}/", fetch_redirect_response=False
        )

    def test_a_reference_the_agent_may_not_see_is_not_found(self):
        self.client.login(username="tom", password=PASSWORD)
        response = self.client.get(QUEUE, {"q": self.invoice.reference})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f"No ticket {self.invoice.reference}")
        self.assertNotContains(response, "Invoice shows the wrong VAT")
        self.assertNotContains(response, "Parcel never arrived")

    def test_filters_narrow_the_list(self):
        self.client.login(username="ada", password=PASSWORD)
        response = self.client.get(QUEUE, {"tab": "all", "category": "deliveries"})
        self.assertContains(response, "Parcel never arrived")
        self.assertNotContains(response, "Invoice shows the wrong VAT")

    def test_next_and_previous_links_carry_an_opaque_cursor(self):
        for i in range(30):
            self.make_ticket(subject=f"Question {i}")
        self.client.login(username="ada", password=PASSWORD)
        first = self.client.get(QUEUE, {"tab": "all"})
        self.assertContains(first, "Showing 25 tickets")
        next_url = first.context["next_url"]
        self.assertIn("cursor=", next_url)
        second = self.client.get(f"{QUEUE}?{next_url}")
        self.assertContains(second, "Showing 7 tickets")
        shown = {t.pk for t in first.context["page"].tickets} | {t.pk for t in second.context["page"].tickets}
        self.assertEqual(len(shown), 32)
        self.assertTrue(second.context["prev_url"])

    def test_its_query_count_does_not_grow_with_the_number_of_tickets(self):
        self.client.login(username="alice", password=PASSWORD)
        views = [{"tab": "mine"}, {"tab": "teams", "status": "any"}, {"tab": "all"}, {"tab": "unassigned"}]

        def fill(n):
            for i in range(n):
                ticket = self.make_ticket(subject=f"Row {i}", customer=self.carol if i % 2 else self.dan)
                if i % 4:
                    do_assign_ticket(ticket, self.alice if i % 3 else self.bob, actor=self.lena)

        def count(view):
            self.client.get(QUEUE, view)  # the first visit remembers the view in the session
            with CaptureQueriesContext(connection) as queries:
                self.client.get(QUEUE, view)
            return len(queries.captured_queries)

        fill(20)
        counts = [count(view) for view in views]
        self.assertLess(max(counts), 16)
        fill(40)
        for view, expected in zip(views, counts, strict=True):
            with self.subTest(**view):
                self.client.get(QUEUE, view)
                with self.assertNumQueries(expected):
                    response = self.client.get(QUEUE, view)
                self.assertEqual(
                    len(response.context["page"].tickets), 16 if view["tab"] == "unassigned" else 25
                )

    def test_priority_sort_reads_at_most_one_range_per_priority(self):
        self.client.login(username="ada", password=PASSWORD)
        view = {"tab": "all", "sort": "priority"}
        for i in range(30):
            self.make_ticket(subject=f"Row {i}", priority=self.priorities["urgent" if i % 2 else "low"])
        self.client.get(QUEUE, view)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(QUEUE, view)
        ranges = [q for q in queries.captured_queries if 'FROM "tickets_ticket"' in q["sql"]]
        self.assertLessEqual(len(ranges), 4)
        self.assertEqual(
            [t.priority.key for t in response.context["page"].tickets],
            ["urgent"] * 15 + ["normal"] * 2 + ["low"] * 8,
        )


class BulkTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.tickets = [self.make_ticket(subject=f"Billing {i}") for i in range(3)]
        self.parcel = self.make_ticket(subject="Parcel", category=self.deliveries)
        self.client.login(username="alice", password=PASSWORD)

    def bulk(self, action, tickets=None, follow=True, **extra):
        data = {
            "action": action,
            "ticket": [t.pk for t in (self.tickets if tickets is None else tickets)],
            "next": "/agent/?tab=all",
        }
        return self.client.post(reverse("tickets-bulk"), {**data, **extra}, follow=follow)

    def test_it_assigns_the_selection_to_me_and_says_how_many(self):
        response = self.bulk("assign_me")
        self.assertContains(response, "3 tickets updated")
        self.assertEqual(response.redirect_chain[-1][0], "/agent/?tab=all")
        for t in self.tickets:
            t.refresh_from_db()
            self.assertEqual(t.assignee, self.alice)
        self.assertEqual(TicketEvent.objects.filter(kind="assigned").count(), 3)

    def test_it_assigns_to_a_colleague_and_unassigns(self):
        self.bulk("assign", assignee=self.bob.pk)
        self.assertEqual(
            set(self.bob.assigned_tickets.values_list("pk", flat=True)), {t.pk for t in self.tickets}
        )
        self.bulk("unassign")
        self.assertFalse(self.bob.assigned_tickets.exists())

    def test_it_sets_status_priority_and_adds_a_tag(self):
        self.bulk("status", status=Status.PENDING)
        self.bulk("priority", priority=self.priorities["high"].pk)
        self.bulk("tag", tag="Refund Request")
        for t in self.tickets:
            t.refresh_from_db()
            self.assertEqual((t.status, t.priority.key), (Status.PENDING, "high"))
            self.assertEqual(list(t.tags.values_list("name", flat=True)), ["refund-request"])

    def test_tickets_the_agent_may_not_change_are_left_alone(self):
        response = self.bulk("status", tickets=[self.parcel, self.tickets[0]], status=Status.SOLVED)
        self.assertContains(response, "1 ticket updated")
        self.parcel.refresh_from_db()
        self.assertEqual(self.parcel.status, Status.NEW)

    def test_it_asks_for_a_selection_and_a_value(self):
        self.assertContains(self.bulk("assign_me", tickets=[]), "Select at least one ticket")
        self.assertContains(self.bulk("status"), "Choose what to set status")

    def test_it_does_not_redirect_elsewhere(self):
        response = self.client.post(
            reverse("tickets-bulk"),
            {"action": "assign_me", "ticket": [self.tickets[0].pk], "next": "https://evil.example/"},
        )
        self.assertEqual(response["Location"], "/agent/")
