"""The outbox over a real SMTP conversation on loopback: what the customer's mail server receives."""

from datetime import timedelta
from typing import Any

import time_machine
from django.utils import timezone

from helpwell.lib.images import initials_avatar
from helpwell.mail import outbox
from helpwell.mail.models import OutgoingMail
from helpwell.people.actions import do_set_photo
from helpwell.test import BaseTestCase
from helpwell.tickets.actions import do_reply

from .smtp import SmtpSink, free_port, smtp_settings


def body_of(message: Any, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None, f"the mail has no text/{subtype} part"
    return str(part.get_content())


class OutboxTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.ticket = self.make_ticket(subject="Charged twice for March")

    def reply(self, body: str = "I have refunded the second charge.") -> OutgoingMail:
        with self.captureOnCommitCallbacks(execute=True):
            do_reply(self.ticket, user=self.alice, body=body)
        return OutgoingMail.objects.get(kind="reply")


class ReplyOverSmtpTest(OutboxTestCase):
    def test_it_sends_the_reply_from_the_agent_at_the_team_with_both_parts(self):
        with SmtpSink() as sink, sink.settings():
            mail = self.reply()

        self.assertEqual(len(sink.messages), 1)
        received = sink.messages[0]
        self.assertEqual(received["Message-ID"], mail.message_id)
        self.assertEqual(received["From"].addresses[0].display_name, "Alice Martin at Billing")
        self.assertEqual(sink.envelopes[0][1], ["carol@acme.example"])
        self.assertIn(self.ticket.reference, received["Subject"])
        self.assertIn("refunded the second charge", body_of(received, "plain"))
        self.assertIn("refunded the second charge", body_of(received, "html"))
        mail.refresh_from_db()
        self.assertEqual(mail.status, OutgoingMail.Status.SENT)
        self.assertEqual(mail.attempts, 1)

    def test_it_puts_the_agents_photo_inline_in_the_html(self):
        do_set_photo(self.alice.agent, initials_avatar("AM", "#c2410c"), actor=self.alice)

        with SmtpSink() as sink, sink.settings():
            self.reply()

        received = sink.messages[0]
        images = [p for p in received.walk() if p.get_content_maintype() == "image"]
        self.assertEqual(len(images), 1)
        self.assertEqual(images[0]["Content-ID"], "<agent-photo>")
        self.assertEqual(images[0].get_content_disposition(), "inline")
        self.assertEqual(images[0].get_content()[:3], b"\xff\xd8\xff")  # the JPEG we stored
        self.assertIn('src="cid:agent-photo"', body_of(received, "html"))

    def test_it_sends_initials_instead_of_a_photo_when_the_agent_has_none(self):
        with SmtpSink() as sink, sink.settings():
            self.reply()

        received = sink.messages[0]
        self.assertFalse([p for p in received.walk() if p.get_content_maintype() == "image"])
        self.assertEqual(received.get_content_type(), "multipart/alternative")
        self.assertNotIn("cid:", body_of(received, "html"))

    def test_a_later_reply_threads_under_the_first_mail(self):
        with SmtpSink() as sink, sink.settings():
            first = self.reply("First answer.")
            with self.captureOnCommitCallbacks(execute=True):
                do_reply(self.ticket, user=self.alice, body="Second answer.")

        self.assertEqual(len(sink.messages), 2)
        self.assertEqual(sink.messages[1]["In-Reply-To"], first.message_id)
        self.assertEqual(sink.messages[1]["X-Helpwell-Ticket"], self.ticket.reference)


class ServerDownTest(OutboxTestCase):
    def test_a_mail_stays_queued_with_a_backoff_when_the_server_is_down(self):
        port = free_port()  # nothing listens here
        with smtp_settings(port):
            mail = self.reply()

        mail.refresh_from_db()
        self.assertEqual(mail.status, OutgoingMail.Status.QUEUED)
        self.assertEqual(mail.attempts, 1)
        self.assertIn("Connection", mail.last_error)
        wait = mail.next_attempt_at - timezone.now()
        self.assertGreater(wait, timedelta(seconds=20))
        self.assertLessEqual(wait, timedelta(seconds=30))

    def test_the_sweep_sends_it_exactly_once_when_the_server_is_back(self):
        port = free_port()
        with smtp_settings(port):
            mail = self.reply()
            with SmtpSink(port) as sink:
                self.assertEqual(outbox.deliver_due(), 0, "not due yet: the backoff is respected")
                with time_machine.travel(timezone.now() + timedelta(seconds=31), tick=False):
                    self.assertEqual(outbox.deliver_due(), 1)
                    self.assertEqual(outbox.deliver_due(), 0)

        self.assertEqual(len(sink.messages), 1)
        self.assertEqual(sink.messages[0]["Message-ID"], mail.message_id)
        mail.refresh_from_db()
        self.assertEqual((mail.status, mail.attempts, mail.last_error), (OutgoingMail.Status.SENT, 2, ""))

    def test_a_hundred_replies_queued_while_down_each_arrive_once(self):
        port = free_port()
        with smtp_settings(port):
            for n in range(100):
                with self.captureOnCommitCallbacks(execute=True):
                    do_reply(self.ticket, user=self.alice, body=f"Reply number {n}.")
            self.assertEqual(OutgoingMail.objects.filter(status=OutgoingMail.Status.QUEUED).count(), 100)
            with (
                SmtpSink(port) as sink,
                time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False),
            ):
                self.assertEqual(outbox.deliver_due(), 100)
                self.assertEqual(outbox.deliver_due(), 0)

        bodies = sorted(body_of(m, "plain").splitlines()[0] for m in sink.messages)
        self.assertEqual(bodies, sorted(f"Reply number {n}." for n in range(100)))
        self.assertEqual(len({m["Message-ID"] for m in sink.messages}), 100)

    def test_it_gives_up_after_the_last_attempt(self):
        port = free_port()
        with smtp_settings(port):
            mail = self.reply()
            for _ in range(outbox.MAX_ATTEMPTS - 1):
                OutgoingMail.objects.filter(pk=mail.pk).update(next_attempt_at=timezone.now())
                outbox.deliver_due()

        mail.refresh_from_db()
        self.assertEqual((mail.status, mail.attempts), (OutgoingMail.Status.FAILED, outbox.MAX_ATTEMPTS))


class ClaimTest(OutboxTestCase):
    def queued(self) -> OutgoingMail:
        with smtp_settings(free_port()):
            mail = self.reply()
        OutgoingMail.objects.filter(pk=mail.pk).update(next_attempt_at=timezone.now(), attempts=0)
        return mail

    def test_two_deliveries_of_one_mail_send_it_once(self):
        mail = self.queued()
        with SmtpSink() as sink, sink.settings():
            self.assertEqual(outbox.deliver(mail.pk), "sent")
            self.assertEqual(outbox.deliver(mail.pk), "not-claimed")

        self.assertEqual(len(sink.messages), 1)

    def test_a_mail_claimed_by_another_worker_is_left_alone(self):
        mail = self.queued()
        self.assertIsNotNone(outbox.claim(mail.pk))  # another worker is sending it right now

        with SmtpSink() as sink, sink.settings():
            self.assertEqual(outbox.deliver(mail.pk), "not-claimed")
            self.assertEqual(outbox.deliver_due(), 0)

        self.assertEqual(sink.messages, [])

    def test_a_claim_left_by_a_dead_worker_is_retried_with_the_same_message_id(self):
        mail = self.queued()
        outbox.claim(mail.pk)  # ... and then the worker died mid-send

        with SmtpSink() as sink, sink.settings():
            later = timezone.now() + outbox.STALE_CLAIM + timedelta(seconds=1)
            with time_machine.travel(later, tick=False):
                self.assertEqual(outbox.deliver_due(), 1)
                self.assertEqual(outbox.deliver_due(), 0)

        self.assertEqual([m["Message-ID"] for m in sink.messages], [mail.message_id])
