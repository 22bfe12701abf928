"""What every outgoing mail carries so the customer's client threads it and robots leave it alone."""

from helpwell.mail.inbound.ingest import receive
from helpwell.mail.models import InboundMail, OutgoingMail
from helpwell.test import BaseTestCase
from helpwell.tickets.actions import do_assign_ticket, do_reply

from .smtp import SmtpSink


class OutboundHeadersTest(BaseTestCase):
    def test_a_reply_over_smtp_threads_under_the_customers_mail_and_carries_the_reply_address(self):
        with self.captureOnCommitCallbacks(execute=True):
            inbound, _ = receive(b"From: Carol Chen <carol@acme.example>\r\nTo: support@helpwell.localhost\r\n"
                                 b"Subject: Invoice\r\nMessage-ID: <c1@acme.example>\r\n\r\nWrong total.",
                                 source=InboundMail.Source.IMPORT)  # fmt: skip
        inbound.refresh_from_db()
        ticket = inbound.ticket
        assert ticket is not None
        ack = OutgoingMail.objects.get(kind="acknowledgement")

        with SmtpSink() as sink, sink.settings(), self.captureOnCommitCallbacks(execute=True):
            do_reply(ticket, user=self.alice, body="Fixed it.")

        received = sink.messages[0]
        self.assertEqual(received["From"].addresses[0].display_name, "Alice Martin at Billing")
        self.assertIn(f"[{ticket.reference}]", received["Subject"])
        self.assertEqual(received["In-Reply-To"], ack.message_id)
        self.assertEqual(received["References"], f"<c1@acme.example> {ack.message_id}")
        self.assertRegex(str(received["Reply-To"]), r"^support\+[0-9a-f]{16}@helpwell\.localhost$")
        self.assertIsNone(received["Auto-Submitted"], "a person wrote this one")

    def test_every_mail_no_person_wrote_says_it_is_automatic(self):
        ticket = self.make_ticket()
        with self.captureOnCommitCallbacks(execute=True):
            do_assign_ticket(ticket, self.bob, actor=self.alice)

        assigned = OutgoingMail.objects.get(kind="assigned")
        self.assertEqual(assigned.headers["Auto-Submitted"], "auto-generated")
