"""Polling real IMAP mailboxes: a private Dovecot on 127.0.0.1, two mailboxes tied to two teams,
TLS and STARTTLS, a password and an OAuth2 token (XOAUTH2)."""

import unittest

from helpwell.mail.inbound.imap import poll, poll_all
from helpwell.mail.models import BouncingAddress, InboundMail, Mailbox, OutgoingMail
from helpwell.test import BaseTestCase
from helpwell.tickets.models import Ticket

from . import dovecot
from .inbound import build_mail
from .test_ingest import DSN


@unittest.skipUnless(dovecot.available(), "needs Debian's dovecot-imapd and root (make dovecot)")
class ImapPollingTest(BaseTestCase):
    server: dovecot.Dovecot

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.server = dovecot.Dovecot(users=("support", "shipping", "carol"))
        cls.server.start()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.stop()
        super().tearDownClass()

    def setUp(self) -> None:
        super().setUp()
        self.billing_box = Mailbox.objects.create(
            name="Billing inbox", team=self.billing, host="127.0.0.1", port=self.server.tls_port,
            security=Mailbox.Security.SSL, verify_certificate=False, username="support",
            secret=dovecot.PASSWORD,
        )  # fmt: skip
        self.shipping_box = Mailbox.objects.create(
            name="Shipping inbox", team=self.shipping, host="127.0.0.1", port=self.server.port,
            security=Mailbox.Security.STARTTLS, verify_certificate=False, username="shipping",
            auth=Mailbox.Auth.XOAUTH2, secret="good-oauth-token",
        )  # fmt: skip
        # Each test starts where the mailbox's earlier mail was already read.
        for box in (self.billing_box, self.shipping_box):
            poll(box)
        InboundMail.objects.all().delete()
        Ticket.objects.all().delete()

    def poll(self) -> int:
        with self.captureOnCommitCallbacks(execute=True):
            return poll_all()

    def test_new_requests_land_in_the_team_of_their_mailbox(self):
        self.server.append("support", build_mail(subject="Charged twice"))
        self.server.append("shipping", build_mail(subject="Parcel lost", sender="dan@globex.example"))

        self.assertEqual(self.poll(), 2)

        self.assertEqual(Ticket.objects.get(subject="Charged twice").team, self.billing)
        self.assertEqual(Ticket.objects.get(subject="Parcel lost").team, self.shipping)
        self.assertEqual(self.server.unseen("support"), 0)
        self.assertEqual(self.poll(), 0)  # nothing new the second time
        self.billing_box.refresh_from_db()
        self.assertEqual(self.billing_box.last_error, "")

    def test_a_reply_an_auto_reply_and_a_bounce_arrive_by_imap(self):
        self.server.append("support", build_mail(message_id="<imap-first@client.example>"))
        self.poll()
        ticket = Ticket.objects.get()
        ack = OutgoingMail.objects.get(kind="acknowledgement")

        self.server.append(
            "support", build_mail(subject="Re: request", text="Invoice 42.", in_reply_to=ack.message_id)
        )
        self.server.append("support", build_mail(subject="Automatic reply", in_reply_to=ack.message_id,
                                                 headers={"Auto-Submitted": "auto-replied"}))  # fmt: skip
        self.server.append("support", DSN.format(message_id=ack.message_id).encode())
        self.assertEqual(self.poll(), 3)

        self.assertEqual(Ticket.objects.count(), 1)
        self.assertEqual(
            list(InboundMail.objects.order_by("pk").values_list("kind", flat=True)),
            ["new", "reply", "auto_reply", "bounce"],
        )
        self.assertEqual(ticket.messages.count(), 4)
        self.assertTrue(BouncingAddress.objects.filter(email="carol@acme.example").exists())
        self.assertEqual(OutgoingMail.objects.count(), 1)

    def test_a_robot_answering_every_mail_through_the_mailbox_stops_within_the_caps(self):
        robot = "robot@vendor.example"
        self.server.append("support", build_mail(sender=robot, subject="Order confirmation"))
        answered: set[int] = set()
        for _turn in range(30):
            self.poll()
            to_answer = list(OutgoingMail.objects.filter(to=robot).exclude(pk__in=answered))
            if not to_answer:
                break
            for mail in to_answer:  # the robot answers each mail with a fresh one, no headers to thread by
                answered.add(mail.pk)
                self.server.append("support", build_mail(sender=robot, subject=f"Re: {mail.subject}"))
        else:
            self.fail("still talking after 30 turns")
        self.assertLessEqual(OutgoingMail.objects.filter(to=robot).count(), 3)

    def test_a_wrong_password_is_reported_on_the_mailbox_and_loses_nothing(self):
        self.server.append("support", build_mail(subject="Waiting for a fix"))
        self.billing_box.secret = "wrong"
        self.billing_box.save()

        self.assertEqual(poll(self.billing_box), 0)
        self.billing_box.refresh_from_db()
        self.assertIn("AUTHENTICATIONFAILED", self.billing_box.last_error.upper().replace(" ", ""))

        self.billing_box.secret = dovecot.PASSWORD
        self.billing_box.save()
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(poll(self.billing_box), 1)
        self.assertTrue(Ticket.objects.filter(subject="Waiting for a fix").exists())

    def test_a_rejected_oauth_token_is_reported(self):
        self.shipping_box.secret = "expired-token"
        self.shipping_box.save()

        self.assertEqual(poll(self.shipping_box), 0)
        self.shipping_box.refresh_from_db()
        self.assertNotEqual(self.shipping_box.last_error, "")
