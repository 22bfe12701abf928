from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from helpwell.mail.models import OutgoingMail
from helpwell.tickets.actions import do_customer_reply, do_reply
from helpwell.tickets.models import Channel, Message, Status

from .base import ApiTestCase


class ListMessagesTests(ApiTestCase):
    def setUp(self):
        super().setUp()
        self.ticket = self.make_ticket()
        do_reply(self.ticket, user=self.alice, body="Looking into it, Carol.")
        do_reply(self.ticket, user=self.alice, body="Carol was billed twice; refund pending.", internal=True)

    def bodies(self, response) -> list[str]:
        self.assertEqual(response.status_code, 200, response.content)
        return [m["body_text"] for m in response.json()["items"]]

    def test_agents_see_the_whole_thread_oldest_first(self):
        self.assertEqual(
            self.bodies(self.get(f"tickets/{self.ticket.reference}/messages", "alice")),
            [
                "The total is off by 10 EUR.",
                "Looking into it, Carol.",
                "Carol was billed twice; refund pending.",
            ],
        )

    def test_customers_never_see_internal_notes(self):
        bodies = self.bodies(self.get(f"tickets/{self.ticket.reference}/messages", "carol"))
        self.assertEqual(bodies, ["The total is off by 10 EUR.", "Looking into it, Carol."])

    def test_it_names_and_pictures_the_authors(self):
        items = self.get(f"tickets/{self.ticket.reference}/messages", "carol").json()["items"]
        self.assertEqual(
            items[0]["author"],
            {"type": "customer", "id": self.carol.pk, "name": "Carol Chen", "photo_url": None},
        )
        agent = items[1]["author"]
        self.assertEqual((agent["type"], agent["name"]), ("agent", "Alice Martin"))
        self.assertTrue(agent["photo_url"].endswith(f"/people/photo/{self.alice.agent.pk}/"))
        self.assertEqual(items[1]["body_html"], "<p>Looking into it, Carol.</p>")

    def test_other_customers_and_teams_get_not_found(self):
        missing = self.get("tickets/HW-2222222/messages", "dan")
        self.assertError(missing, 404, "not_found")
        self.assertEqual(
            self.get(f"tickets/{self.ticket.reference}/messages", "dan").content, missing.content
        )
        self.assertEqual(
            self.get(f"tickets/{self.ticket.reference}/messages", "tom").content, missing.content
        )

    def test_it_pages_through_long_threads(self):
        for i in range(4):
            do_customer_reply(self.ticket, customer=self.carol, body=f"Any news? ({i})")
        first = self.get(f"tickets/{self.ticket.reference}/messages", "carol", {"limit": 4}).json()
        second = self.get(
            f"tickets/{self.ticket.reference}/messages", "carol", {"limit": 4, "cursor": first["next"]}
        ).json()
        bodies = [m["body_text"] for m in first["items"] + second["items"]]
        self.assertEqual(len(bodies), 6)
        self.assertEqual(bodies[-1], "Any news? (3)")
        self.assertIsNone(second["next"])

    def test_the_query_count_does_not_grow_with_messages(self):
        for i in range(10):
            do_reply(
                self.ticket,
                user=self.bob,
                body=f"Update {i}",
                attachments=[SimpleUploadedFile(f"r{i}.txt", b"hi", content_type="text/plain")],
            )
            do_customer_reply(self.ticket, customer=self.carol, body=f"Thanks {i}")
        # token, teams, ticket, messages, attachments
        with self.assertNumQueries(5):
            items = self.get(f"tickets/{self.ticket.reference}/messages", "alice", {"limit": 3}).json()[
                "items"
            ]
        self.assertEqual(len(items), 3)
        with self.assertNumQueries(5):
            items = self.get(f"tickets/{self.ticket.reference}/messages", "alice", {"limit": 100}).json()[
                "items"
            ]
        self.assertEqual(len(items), 23)
        self.assertTrue(any(m["attachments"] for m in items))
        # customer: token, ticket, messages, attachments
        with self.assertNumQueries(4):
            items = self.get(f"tickets/{self.ticket.reference}/messages", "carol", {"limit": 100}).json()[
                "items"
            ]
        attachment = next(a for m in items for a in m["attachments"])
        self.assertIn("/portal/attachments/", attachment["url"])


class CreateMessageTests(ApiTestCase):
    def setUp(self):
        super().setUp()
        self.ticket = self.make_ticket()

    def test_an_agent_replies_and_the_customer_is_mailed(self):
        response = self.post(
            f"tickets/{self.ticket.reference}/messages",
            "alice",
            {"body": "Refund sent.", "status": "pending"},
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual(
            (body["kind"], body["author"]["name"], body["channel"]), ("public", "Alice Martin", "api")
        )
        self.ticket.refresh_from_db()
        self.assertEqual((self.ticket.status, self.ticket.assignee), (Status.PENDING, self.alice))
        self.assertTrue(OutgoingMail.objects.filter(kind="reply", to="carol@acme.example").exists())

    def test_an_internal_note_is_not_mailed_nor_shown_to_the_customer(self):
        response = self.post(
            f"tickets/{self.ticket.reference}/messages", "alice", {"body": "VIP", "internal": True}
        )
        self.assertEqual(response.json()["kind"], "internal")
        self.assertFalse(OutgoingMail.objects.filter(kind="reply").exists())
        items = self.get(f"tickets/{self.ticket.reference}/messages", "carol").json()["items"]
        self.assertNotIn("VIP", [m["body_text"] for m in items])

    def test_a_customer_replies_on_their_own_ticket(self):
        do_reply(self.ticket, user=self.alice, body="Which invoice?", status=Status.PENDING)
        response = self.post(f"tickets/{self.ticket.reference}/messages", "carol", {"body": "Invoice 42."})
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["author"]["type"], "customer")
        message = Message.objects.get(pk=response.json()["id"])
        self.assertEqual((message.author_customer, message.channel), (self.carol, Channel.API))
        self.ticket.refresh_from_db()
        self.assertEqual(self.ticket.status, Status.OPEN)

    def test_customers_cannot_write_notes_or_change_status(self):
        error = self.assertError(
            self.post(
                f"tickets/{self.ticket.reference}/messages",
                "carol",
                {"body": "x", "internal": True, "status": "solved"},
            ),
            422,
            "validation_error",
        )
        self.assertEqual(set(error["fields"]), {"internal", "status"})
        self.assertEqual(self.ticket.messages.count(), 1)

    def test_nobody_else_can_reply(self):
        missing = self.post("tickets/HW-2222222/messages", "dan", {"body": "Ha"})
        self.assertError(missing, 404, "not_found")
        self.assertEqual(
            self.post(f"tickets/{self.ticket.reference}/messages", "dan", {"body": "Ha"}).content,
            missing.content,
        )
        self.assertError(
            self.post(f"tickets/{self.ticket.reference}/messages", "tom", {"body": "Ha"}), 404, "not_found"
        )
        self.assertEqual(self.ticket.messages.count(), 1)

    def test_a_closed_ticket_refuses_customer_replies_clearly(self):
        self.patch(f"tickets/{self.ticket.reference}", "alice", {"status": "closed"})
        error = self.assertError(
            self.post(f"tickets/{self.ticket.reference}/messages", "carol", {"body": "Hi"}),
            422,
            "validation_error",
        )
        self.assertIn("closed", error["message"])

    def test_an_empty_reply_is_a_validation_error(self):
        error = self.assertError(
            self.post(f"tickets/{self.ticket.reference}/messages", "alice", {"body": "  "}),
            422,
            "validation_error",
        )
        self.assertEqual(list(error["fields"]), ["body"])

    @override_settings(API_CUSTOMER_WRITES_PER_HOUR=1)
    def test_customer_replies_are_rate_limited(self):
        path = f"tickets/{self.ticket.reference}/messages"
        self.assertEqual(self.post(path, "carol", {"body": "One"}).status_code, 201)
        self.assertError(self.post(path, "carol", {"body": "Two"}), 429, "rate_limited")
