from datetime import timedelta
from typing import get_args

from django.core import mail
from django.test import override_settings
from django.utils import timezone

from helpwell.api.schemas import StatusValue
from helpwell.people.models import Customer
from helpwell.tickets.actions import do_assign_ticket, do_reply, do_set_tags
from helpwell.tickets.models import Channel, Status, Ticket, TicketEvent

from .base import ApiTestCase

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


class ListTicketsTests(ApiTestCase):
    def setUp(self):
        super().setUp()
        self.carols = self.make_ticket(self.carol, "Carol's invoice")
        self.dans = self.make_ticket(self.dan, "Dan's invoice")
        self.parcel = self.make_ticket(self.carol, "Where is my parcel?", category=self.deliveries)

    def test_agents_see_their_teams_tickets_only(self):
        self.assertCountEqual(
            self.references(self.get("tickets", "alice")), [self.carols.reference, self.dans.reference]
        )
        self.assertEqual(self.references(self.get("tickets", "tom")), [self.parcel.reference])

    def test_admins_see_every_ticket(self):
        self.assertEqual(len(self.references(self.get("tickets", "ada"))), 3)

    def test_an_agent_also_sees_tickets_assigned_to_them(self):
        do_assign_ticket(self.carols, self.tom, actor=self.lena)
        self.assertIn(self.carols.reference, self.references(self.get("tickets", "tom")))

    def test_a_customer_sees_only_their_own_tickets(self):
        self.assertCountEqual(
            self.references(self.get("tickets", "carol")), [self.carols.reference, self.parcel.reference]
        )
        self.assertEqual(self.references(self.get("tickets", "dan")), [self.dans.reference])

    def test_customers_see_no_internal_fields(self):
        do_set_tags(self.carols, ["vip"], actor=self.alice)
        item = self.get("tickets", "carol").json()["items"][0]
        self.assertNotIn("tags", item)
        self.assertNotIn("team", item)
        self.assertNotIn("customer", item)
        self.assertIn("/portal/requests/", item["url"])

    def test_it_lists_the_most_recently_changed_first(self):
        do_reply(self.carols, user=self.alice, body="On it.")
        self.assertEqual(self.references(self.get("tickets", "alice"))[0], self.carols.reference)

    def test_it_filters_by_status_priority_team_assignee_and_customer(self):
        do_reply(self.dans, user=self.alice, body="Hello Dan", status=Status.PENDING)
        refs = lambda **params: self.references(self.get("tickets", "ada", params))  # noqa: E731
        self.assertEqual(refs(status="pending"), [self.dans.reference])
        self.assertCountEqual(
            refs(status="new,pending"), [self.carols.reference, self.dans.reference, self.parcel.reference]
        )
        self.assertEqual(refs(priority="urgent"), [])
        self.assertEqual(len(refs(priority="normal,high")), 3)
        self.assertEqual(refs(team="shipping"), [self.parcel.reference])
        self.assertEqual(refs(assignee=str(self.alice.agent.pk)), [self.dans.reference])
        self.assertCountEqual(refs(assignee="none"), [self.carols.reference, self.parcel.reference])
        self.assertEqual(refs(customer="DAN@globex.example"), [self.dans.reference])
        self.assertEqual(
            self.references(self.get("tickets", "alice", {"assignee": "me"})), [self.dans.reference]
        )

    def test_it_filters_by_updated_after(self):
        Ticket.objects.filter(pk=self.carols.pk).update(updated_at=timezone.now() - timedelta(days=3))
        since = (timezone.now() - timedelta(days=1)).isoformat()
        self.assertCountEqual(
            self.references(self.get("tickets", "ada", {"updated_after": since})),
            [self.dans.reference, self.parcel.reference],
        )

    def test_it_rejects_unknown_statuses_and_agent_filters_from_customers(self):
        error = self.assertError(self.get("tickets", "alice", {"status": "lost"}), 422, "validation_error")
        self.assertIn("status", error["fields"])
        error = self.assertError(self.get("tickets", "carol", {"team": "billing"}), 422, "validation_error")
        self.assertEqual(list(error["fields"]), ["team"])
        error = self.assertError(self.get("tickets", "alice", {"assignee": "bob"}), 422, "validation_error")
        self.assertIn("assignee", error["fields"])

    def test_status_values_match_the_model(self):
        self.assertEqual(set(get_args(StatusValue)), set(Status.values))


class PaginationTests(ApiTestCase):
    def setUp(self):
        super().setUp()
        start = timezone.now() - timedelta(hours=1)
        self.tickets = [self.make_ticket(subject=f"Ticket {i}") for i in range(7)]
        # Two share an updated_at, so the id must break the tie.
        for i, ticket in enumerate(self.tickets):
            Ticket.objects.filter(pk=ticket.pk).update(updated_at=start + timedelta(minutes=min(i, 5)))

    def pages(self, who: str, **params) -> list[list[str]]:
        pages, cursor = [], None
        while True:
            query = {**params, **({"cursor": cursor} if cursor else {})}
            body = self.get("tickets", who, query).json()
            pages.append([item["reference"] for item in body["items"]])
            cursor = body["next"]
            if cursor is None:
                return pages

    def test_cursors_walk_every_ticket_once_newest_first(self):
        pages = self.pages("alice", limit=3)
        self.assertEqual([len(p) for p in pages], [3, 3, 1])
        walked = [ref for page in pages for ref in page]
        expected = sorted(
            self.tickets, key=lambda t: (Ticket.objects.get(pk=t.pk).updated_at, t.pk), reverse=True
        )
        self.assertEqual(walked, [t.reference for t in expected])

    def test_ascending_order_is_for_syncing(self):
        walked = [ref for page in self.pages("alice", limit=2, sort="updated_at") for ref in page]
        newest_first = [ref for page in self.pages("alice", limit=100) for ref in page]
        self.assertEqual(walked, list(reversed(newest_first)))

    def test_a_full_last_page_has_no_next_cursor(self):
        self.assertEqual([len(p) for p in self.pages("alice", limit=7)], [7])

    def test_filters_hold_across_pages(self):
        do_reply(self.tickets[0], user=self.alice, body="x", status=Status.PENDING)
        do_reply(self.tickets[1], user=self.alice, body="x", status=Status.PENDING)
        pages = self.pages("alice", limit=1, status="pending")
        self.assertCountEqual([p[0] for p in pages], [self.tickets[0].reference, self.tickets[1].reference])

    def test_it_refuses_bad_cursors_and_limits(self):
        self.assertError(self.get("tickets", "alice", {"cursor": "not-a-cursor"}), 422, "validation_error")
        other = self.get("tickets", "alice", {"limit": 1, "sort": "updated_at"}).json()["next"]
        error = self.assertError(self.get("tickets", "alice", {"cursor": other}), 422, "validation_error")
        self.assertIn("cursor", error["fields"])
        error = self.assertError(self.get("tickets", "alice", {"limit": 101}), 422, "validation_error")
        self.assertIn("limit", error["fields"])

    def test_the_query_count_does_not_grow_with_rows(self):
        for ticket in self.tickets:
            do_set_tags(ticket, ["billing", "vip"], actor=self.alice)
            do_assign_ticket(ticket, self.bob, actor=self.alice)
        # token, the agent's teams, the page, its tags
        with self.assertNumQueries(4):
            self.assertEqual(len(self.get("tickets", "alice", {"limit": 2}).json()["items"]), 2)
        with self.assertNumQueries(4):
            self.assertEqual(len(self.get("tickets", "alice", {"limit": 100}).json()["items"]), 7)
        # a customer: token (signature, then one row), the page
        with self.assertNumQueries(2):
            self.assertEqual(len(self.get("tickets", "carol", {"limit": 100}).json()["items"]), 7)


class GetTicketTests(ApiTestCase):
    def test_it_returns_the_ticket(self):
        ticket = self.make_ticket()
        body = self.get(f"tickets/{ticket.reference.lower()}", "alice").json()
        self.assertEqual(body["reference"], ticket.reference)
        self.assertEqual(body["customer"]["email"], "carol@acme.example")
        self.assertEqual(body["priority"], {"key": "normal", "name": "Normal"})
        self.assertEqual(body["category"], {"slug": "invoices", "name": "Invoices"})

    def test_not_allowed_looks_exactly_like_not_found(self):
        ticket = self.make_ticket()
        hidden = self.get(f"tickets/{ticket.reference}", "tom")
        missing = self.get("tickets/HW-2222222", "tom")
        self.assertError(hidden, 404, "not_found")
        self.assertEqual(hidden.content, missing.content)
        self.assertEqual(self.get(f"tickets/{ticket.reference}", "dan").content, missing.content)
        self.assertEqual(self.get(f"tickets/{ticket.reference}", "carol").status_code, 200)


class CreateTicketTests(ApiTestCase):
    def test_an_agent_opens_a_ticket_for_a_new_customer(self):
        response = self.post(
            "tickets",
            "alice",
            {
                "customer_email": "erin@initech.example",
                "customer_name": "Erin Wu",
                "subject": "Refund",
                "body": "Please refund order 12.",
                "priority": "high",
                "category": "invoices",
                "tags": ["Refund", "vip"],
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        ticket = Ticket.objects.get(reference=body["reference"])
        self.assertEqual(ticket.customer.name, "Erin Wu")
        self.assertEqual(
            (ticket.priority.key, ticket.category, ticket.team), ("high", self.invoices, self.billing)
        )
        self.assertEqual(ticket.channel, Channel.API)
        self.assertEqual(body["tags"], ["refund", "vip"])
        self.assertEqual(sorted(ticket.tags.values_list("name", flat=True)), ["refund", "vip"])
        created = ticket.events.get(kind=TicketEvent.Kind.CREATED)
        self.assertEqual((created.actor_user, created.channel), (self.alice, Channel.API))
        self.assertEqual(ticket.messages.get().body_text, "Please refund order 12.")

    def test_an_agent_finds_an_existing_customer_by_email(self):
        response = self.post(
            "tickets",
            "alice",
            {
                "customer_email": "Carol@ACME.example",
                "customer_name": "Mallory",
                "subject": "Hello",
                "body": "Hi",
            },
        )
        self.assertEqual(response.json()["customer"]["id"], self.carol.pk)
        self.carol.refresh_from_db()
        self.assertEqual(self.carol.name, "Carol Chen")
        self.assertEqual(Customer.objects.count(), 2)

    @override_settings(TASKS=IMMEDIATE_TASKS)
    def test_it_acknowledges_by_mail(self):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.post(
                "tickets",
                "alice",
                {
                    "customer_email": "carol@acme.example",
                    "subject": "Hello",
                    "body": "Hi",
                    "priority": "high",
                },
            )
        reference = response.json()["reference"]
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["carol@acme.example"])
        self.assertIn(reference, mail.outbox[0].subject)
        self.assertIn(reference, mail.outbox[0].body)

    def test_it_reports_every_bad_field_at_once_and_creates_nothing(self):
        response = self.post(
            "tickets",
            "alice",
            {
                "subject": "  ",
                "body": "Hi",
                "priority": "sometime",
                "category": "nope",
                "customer_email": "carol@acme.example",
            },
        )
        self.assertError(response, 422, "validation_error")
        response = self.post(
            "tickets",
            "alice",
            {"subject": "Hi", "body": "Hi", "priority": "sometime", "category": "nope", "team": "nope"},
        )
        error = self.assertError(response, 422, "validation_error")
        self.assertEqual(set(error["fields"]), {"customer_email", "priority", "category", "team"})
        self.assertIn("urgent", error["fields"]["priority"][0])
        self.assertFalse(Ticket.objects.exists())

    def test_schema_validation_errors_use_the_same_shape(self):
        error = self.assertError(
            self.post("tickets", "alice", {"subject": "x" * 201, "tags": "vip"}), 422, "validation_error"
        )
        self.assertEqual(set(error["fields"]), {"subject", "body", "tags"})
        self.assertEqual(error["fields"]["body"], ["This field is required."])
        error = self.assertError(
            self.post("tickets", "alice", {"subject": "x", "body": "y", "customer_email": "nope"}),
            422,
            "validation_error",
        )
        self.assertEqual(error["fields"], {"customer_email": ["Enter a valid email address."]})

    def test_malformed_json_is_a_bad_request(self):
        token = self.tokens["alice"]
        response = self.client.post(
            "/api/v1/tickets", "{nope", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        self.assertError(response, 400, "bad_request")

    def test_a_customer_opens_a_ticket_for_themselves(self):
        response = self.post(
            "tickets", "carol", {"subject": "Question", "body": "How do I export?", "category": "deliveries"}
        )
        self.assertEqual(response.status_code, 201, response.content)
        ticket = Ticket.objects.get(reference=response.json()["reference"])
        self.assertEqual(
            (ticket.customer, ticket.team, ticket.channel), (self.carol, self.shipping, Channel.API)
        )
        self.assertNotIn("tags", response.json())
        created = ticket.events.get(kind=TicketEvent.Kind.CREATED)
        self.assertEqual(created.actor_customer, self.carol)

    def test_a_customer_cannot_open_tickets_for_others_or_set_internal_fields(self):
        error = self.assertError(
            self.post(
                "tickets",
                "carol",
                {
                    "subject": "x",
                    "body": "y",
                    "customer_email": "dan@globex.example",
                    "priority": "urgent",
                    "tags": ["vip"],
                    "team": "billing",
                },
            ),
            422,
            "validation_error",
        )
        self.assertEqual(set(error["fields"]), {"customer_email", "priority", "tags", "team"})
        self.assertFalse(Ticket.objects.exists())

    @override_settings(API_CUSTOMER_WRITES_PER_HOUR=2)
    def test_customer_writes_are_rate_limited(self):
        for _ in range(2):
            self.assertEqual(self.post("tickets", "carol", {"subject": "x", "body": "y"}).status_code, 201)
        response = self.post("tickets", "carol", {"subject": "x", "body": "y"})
        self.assertError(response, 429, "rate_limited")
        self.assertGreater(int(response["Retry-After"]), 0)
        self.assertEqual(Ticket.objects.count(), 2)
        # Dan has his own allowance; agents are not limited.
        self.assertEqual(self.post("tickets", "dan", {"subject": "x", "body": "y"}).status_code, 201)
        for _ in range(3):
            response = self.post(
                "tickets", "alice", {"subject": "x", "body": "y", "customer_email": "c@x.example"}
            )
            self.assertEqual(response.status_code, 201)


class UpdateTicketTests(ApiTestCase):
    def setUp(self):
        super().setUp()
        self.ticket = self.make_ticket()

    def test_an_agent_changes_a_ticket_and_each_change_is_recorded(self):
        response = self.patch(
            f"tickets/{self.ticket.reference}",
            "alice",
            {
                "status": "pending",
                "priority": "urgent",
                "assignee": self.bob.agent.pk,
                "tags": ["refund"],
            },
        )
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(
            (body["status"], body["priority"]["key"], body["tags"]), ("pending", "urgent", ["refund"])
        )
        self.assertEqual(body["assignee"]["display_name"], "Bob Okafor")
        kinds = set(self.ticket.events.filter(channel=Channel.API).values_list("kind", flat=True))
        self.assertEqual(kinds, {"status", "priority", "assigned", "tags"})
        self.assertTrue(self.ticket.events.filter(channel=Channel.API, actor_user=self.alice).exists())

    def test_it_moves_a_ticket_to_another_team_and_clears_the_category(self):
        response = self.patch(
            f"tickets/{self.ticket.reference}", "alice", {"team": "shipping", "category": None}
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.ticket.refresh_from_db()
        self.assertEqual((self.ticket.team, self.ticket.category), (self.shipping, None))
        # Alice is not on Shipping: the ticket is gone from her view, Tom has it.
        self.assertError(self.get(f"tickets/{self.ticket.reference}", "alice"), 404, "not_found")
        self.assertEqual(self.get(f"tickets/{self.ticket.reference}", "tom").status_code, 200)

    def test_assignee_null_unassigns(self):
        do_assign_ticket(self.ticket, self.bob, actor=self.alice)
        body = self.patch(f"tickets/{self.ticket.reference}", "alice", {"assignee": None}).json()
        self.assertIsNone(body["assignee"])

    def test_only_the_fields_sent_change(self):
        do_assign_ticket(self.ticket, self.bob, actor=self.alice)
        self.patch(f"tickets/{self.ticket.reference}", "alice", {"status": "open"})
        self.ticket.refresh_from_db()
        self.assertEqual((self.ticket.status, self.ticket.assignee), (Status.OPEN, self.bob))

    def test_bad_values_change_nothing(self):
        response = self.patch(
            f"tickets/{self.ticket.reference}",
            "alice",
            {"status": "open", "assignee": 9999, "priority": None, "team": "nope"},
        )
        error = self.assertError(response, 422, "validation_error")
        self.assertEqual(set(error["fields"]), {"assignee", "priority", "team"})
        self.assertError(
            self.patch(f"tickets/{self.ticket.reference}", "alice", {"status": "lost"}),
            422,
            "validation_error",
        )
        self.ticket.refresh_from_db()
        self.assertEqual(self.ticket.status, Status.NEW)

    def test_an_agent_of_another_team_cannot_change_it(self):
        self.assertError(
            self.patch(f"tickets/{self.ticket.reference}", "tom", {"status": "closed"}), 404, "not_found"
        )
        self.ticket.refresh_from_db()
        self.assertEqual(self.ticket.status, Status.NEW)

    def test_customers_cannot_change_tickets_even_their_own(self):
        for who in ("carol", "dan"):
            self.assertError(
                self.patch(f"tickets/{self.ticket.reference}", who, {"status": "closed"}), 403, "forbidden"
            )
        self.ticket.refresh_from_db()
        self.assertEqual(self.ticket.status, Status.NEW)
