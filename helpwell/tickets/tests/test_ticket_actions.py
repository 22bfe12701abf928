from unittest import mock

from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from helpwell.mail.models import OutgoingMail
from helpwell.test import BaseTestCase
from helpwell.tickets.actions import (
    do_assign_ticket,
    do_change_status,
    do_create_ticket,
    do_customer_reply,
    do_reply,
    do_set_tags,
)
from helpwell.tickets.models import Status, Ticket, TicketEvent


class CreateTicketTests(BaseTestCase):
    def test_it_gives_a_non_sequential_reference_and_a_due_time(self):
        first = self.make_ticket()
        second = self.make_ticket()
        self.assertRegex(first.reference, r"^HW-[2-9A-HJKMNP-Z]{7}$")
        self.assertNotEqual(first.reference, second.reference)
        self.assertEqual(
            first.first_response_due - first.created_at, self.priorities["normal"].first_response_delta
        )

    def test_it_draws_a_new_reference_when_the_random_one_is_taken(self):
        taken = self.make_ticket()
        field = Ticket._meta.get_field("reference")
        with mock.patch.object(field, "default", lambda: taken.reference):
            ticket = self.make_ticket(subject="Second")
        self.assertNotEqual(ticket.reference, taken.reference)
        self.assertEqual(Ticket.objects.get(reference=ticket.reference).subject, "Second")

    def test_it_routes_to_the_categorys_team(self):
        ticket = self.make_ticket(category=self.deliveries)
        self.assertEqual(ticket.team, self.shipping)

    def test_it_acknowledges_by_mail_with_reference_and_local_due_time(self):
        with self.captureOnCommitCallbacks(execute=True):
            ticket = self.make_ticket(notify=True, priority=self.priorities["high"])
        self.assertEqual(len(mail.outbox), 1)
        sent = mail.outbox[0]
        self.assertIn(ticket.reference, sent.subject)
        self.assertIn("your time (Europe/Berlin)", sent.body)
        self.assertEqual(sent.extra_headers["Auto-Submitted"], "auto-replied")
        self.assertEqual(OutgoingMail.objects.get().status, OutgoingMail.Status.SENT)

    def test_it_refuses_unsupported_attachments_and_creates_nothing(self):
        exe = SimpleUploadedFile("setup.exe", b"MZ...", content_type="application/x-msdownload")
        with self.assertRaisesMessage(ValidationError, "setup.exe"):
            do_create_ticket(customer=self.carol, subject="Hi", body="x", attachments=[exe], notify=False)
        self.assertFalse(self.carol.tickets.exists())


class ReplyTests(BaseTestCase):
    def test_first_public_reply_sets_first_response_assigns_and_opens(self):
        ticket = self.make_ticket()
        with self.captureOnCommitCallbacks(execute=True):
            do_reply(ticket, user=self.alice, body="Hello Carol, thanks for writing.")
        ticket.refresh_from_db()
        self.assertIsNotNone(ticket.first_response_at)
        self.assertEqual(ticket.assignee, self.alice)
        self.assertEqual(ticket.status, Status.OPEN)
        reply = mail.outbox[-1]
        assert isinstance(reply, mail.EmailMultiAlternatives)
        self.assertIn("Alice Martin at Billing", reply.from_email)
        self.assertTrue(any(ct == "text/html" for _, ct in reply.alternatives))

    def test_internal_note_is_not_emailed_and_is_not_a_first_response(self):
        ticket = self.make_ticket()
        with self.captureOnCommitCallbacks(execute=True):
            do_reply(ticket, user=self.alice, body="Check the ledger", internal=True)
        ticket.refresh_from_db()
        self.assertIsNone(ticket.first_response_at)
        self.assertEqual(len(mail.outbox), 0)

    def test_customer_reply_reopens_a_solved_ticket(self):
        ticket = self.make_ticket()
        do_change_status(ticket, Status.SOLVED, user=self.alice, notify=False)
        do_customer_reply(ticket, customer=self.carol, body="Still broken")
        ticket.refresh_from_db()
        self.assertEqual(ticket.status, Status.OPEN)
        self.assertIsNone(ticket.solved_at)

    def test_every_change_is_in_the_history(self):
        ticket = self.make_ticket()
        do_assign_ticket(ticket, self.bob, actor=self.lena)
        do_set_tags(ticket, ["Refund", " vip "], actor=self.lena)
        do_change_status(ticket, Status.PENDING, user=self.bob)
        kinds = list(ticket.events.values_list("kind", "actor_user__username"))
        self.assertEqual(
            kinds,
            [
                (TicketEvent.Kind.CREATED, None),
                (TicketEvent.Kind.ASSIGNED, "lena"),
                (TicketEvent.Kind.TAGS, "lena"),
                (TicketEvent.Kind.STATUS, "bob"),
            ],
        )
        self.assertEqual(sorted(ticket.tags.values_list("name", flat=True)), ["refund", "vip"])
