"""The ways mail comes in: a real SMTP (and LMTP) conversation on loopback, the HTTP endpoint for
providers' webhooks, and `helpwell import-mail` for .eml files, mbox and Maildir."""

import io
import mailbox
import smtplib
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.test import TransactionTestCase, override_settings
from django.urls import reverse

from helpwell.mail.inbound.listener import InboundController
from helpwell.mail.models import BouncingAddress, InboundMail, OutgoingMail
from helpwell.people.models import Customer, Team
from helpwell.test import BaseTestCase, make_priorities
from helpwell.tickets.models import Status, Ticket

from .inbound import build_mail
from .smtp import free_port
from .test_ingest import DSN


class SmtpListenerTest(TransactionTestCase):
    """The listener stores mail from its own thread, so the data must really be committed."""

    def setUp(self) -> None:
        make_priorities()
        Team.objects.create(name="Support", slug="support")
        self.port = free_port()

    def listen(self, *, lmtp: bool = False) -> InboundController:
        controller = InboundController("127.0.0.1", self.port, lmtp=lmtp)
        controller.start()
        self.addCleanup(controller.stop)
        return controller

    def send(
        self, raw: bytes, sender: str = "carol@acme.example", to: str = "support@helpwell.localhost"
    ) -> None:
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as client:
            client.sendmail(sender, [to], raw)

    def test_a_new_request_a_reply_an_auto_reply_and_a_bounce_arrive_over_smtp(self):
        self.listen()

        self.send(build_mail(message_id="<new@client.example>"))
        ticket = Ticket.objects.get()
        self.assertEqual(ticket.customer.email, "carol@acme.example")
        ack = OutgoingMail.objects.get(kind="acknowledgement")

        self.send(
            build_mail(subject="Re: We have your request", text="Invoice 42.", in_reply_to=ack.message_id)
        )
        self.assertEqual(ticket.messages.count(), 2)

        self.send(build_mail(subject="Out of office", text="Back Monday.", in_reply_to=ack.message_id,
                             headers={"Auto-Submitted": "auto-replied"}))  # fmt: skip
        self.assertEqual(ticket.messages.filter(kind="internal").count(), 1)

        self.send(DSN.format(message_id=ack.message_id).encode(), sender="")
        self.assertTrue(BouncingAddress.objects.filter(email="carol@acme.example").exists())
        self.assertEqual(Ticket.objects.count(), 1)
        self.assertEqual(OutgoingMail.objects.filter(kind="acknowledgement").count(), 1)
        self.assertEqual(
            list(InboundMail.objects.order_by("pk").values_list("kind", flat=True)),
            ["new", "reply", "auto_reply", "bounce"],
        )

    def test_the_same_mail_delivered_twice_over_smtp_is_one_ticket(self):
        self.listen()
        raw = build_mail(message_id="<twice@client.example>")

        self.send(raw)
        self.send(raw)

        self.assertEqual(Ticket.objects.count(), 1)
        self.assertEqual(InboundMail.objects.count(), 1)

    def test_it_refuses_mail_for_addresses_that_are_not_helpwells(self):
        self.listen()

        with self.assertRaises(smtplib.SMTPRecipientsRefused):
            self.send(build_mail(), to="someone@elsewhere.example")

        self.assertEqual(InboundMail.objects.count(), 0)

    @override_settings(INBOUND_MAIL_RATE=2)
    def test_a_flood_from_one_address_is_deferred_not_lost(self):
        from django.core.cache import cache

        cache.clear()
        self.listen()
        self.send(build_mail())
        self.send(build_mail())

        with self.assertRaises(smtplib.SMTPDataError) as refused:
            self.send(build_mail())

        self.assertEqual(refused.exception.smtp_code, 421)  # temporary: the sending server retries later
        self.assertEqual(InboundMail.objects.count(), 2)

    def test_lmtp_delivery_answers_per_recipient(self):
        self.listen(lmtp=True)

        with smtplib.LMTP("127.0.0.1", self.port, timeout=10) as client:
            refused = client.sendmail("carol@acme.example", ["support@helpwell.localhost"], build_mail())

        self.assertEqual(refused, {})
        self.assertEqual(Ticket.objects.count(), 1)

    def test_two_robots_answering_each_other_stop_within_the_caps(self):
        """A robot that answers every mail with a fresh one, no automatic headers, no threading.

        Helpwell acknowledges each new ticket; the robot (a real SMTP client here) answers every
        acknowledgement the outbox produced; the exchange must die out on its own.
        """
        self.listen()
        robot = "robot@vendor.example"
        self.send(build_mail(sender=robot, subject="Your order"), sender=robot)
        answered: set[int] = set()
        for _ in range(50):  # the robot's turns; it gives up only when Helpwell goes quiet
            to_answer = OutgoingMail.objects.filter(to=robot).exclude(pk__in=answered)
            if not to_answer.exists():
                break
            for mail in to_answer:
                answered.add(mail.pk)
                self.send(build_mail(sender=robot, subject=f"Re: {mail.subject}"), sender=robot)
        else:
            self.fail("the two robots were still talking after 50 turns")
        self.assertLessEqual(OutgoingMail.objects.filter(to=robot).count(), 3)
        self.assertLessEqual(InboundMail.objects.filter(from_email=robot).count(), 4)


@override_settings(INBOUND_MAIL_TOKEN="s3cret-token")
class WebhookTest(BaseTestCase):
    url = "/mail/inbound/"

    def test_the_url_is_named(self):
        self.assertEqual(reverse("mail-inbound-webhook"), self.url)

    def test_raw_mime_with_the_token_becomes_a_ticket_once(self):
        raw = build_mail(message_id="<hook@client.example>")
        with self.captureOnCommitCallbacks(execute=True):
            first = self.client.post(self.url, raw, content_type="message/rfc822",
                                     headers={"Authorization": "Bearer s3cret-token"})  # fmt: skip
        again = self.client.post(self.url, raw, content_type="message/rfc822",
                                 headers={"Authorization": "Bearer s3cret-token"})  # fmt: skip

        self.assertEqual((first.status_code, again.status_code), (202, 200))
        self.assertTrue(again.json()["duplicate"])
        self.assertEqual(Ticket.objects.get().customer, self.carol)

    def test_a_form_upload_as_providers_send_it_works_too(self):
        upload = io.BytesIO(build_mail())
        upload.name = "message.eml"
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(f"{self.url}?token=s3cret-token", {"email": upload})

        self.assertEqual(response.status_code, 202)
        self.assertEqual(Ticket.objects.count(), 1)

    def test_a_wrong_token_is_refused_and_nothing_stored(self):
        response = self.client.post(self.url, build_mail(), content_type="message/rfc822",
                                    headers={"Authorization": "Bearer guess"})  # fmt: skip

        self.assertEqual(response.status_code, 401)
        self.assertEqual(InboundMail.objects.count(), 0)

    @override_settings(INBOUND_MAIL_RATE=2)
    def test_it_is_rate_limited(self):
        codes = [
            self.client.post(
                self.url,
                build_mail(),
                content_type="message/rfc822",
                headers={"Authorization": "Bearer s3cret-token"},
            ).status_code  # fmt: skip
            for _ in range(3)
        ]
        self.assertEqual(codes[-1], 429)

    @override_settings(INBOUND_MAIL_TOKEN="")
    def test_without_a_token_configured_the_endpoint_is_off(self):
        self.assertEqual(self.client.post(self.url, b"x", content_type="message/rfc822").status_code, 404)


class ImportMailTest(BaseTestCase):
    def run_import(self, *paths: Path) -> str:
        out = io.StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("import_mail", *map(str, paths), "--no-progress", stdout=out, stderr=io.StringIO())
        return out.getvalue()

    def test_it_imports_eml_mbox_and_maildir_and_knows_what_it_already_has(self):
        folder = Path(tempfile.mkdtemp())
        self.addCleanup(lambda: __import__("shutil").rmtree(folder))
        (folder / "one.eml").write_bytes(build_mail(message_id="<eml@x>", subject="From a file"))
        box = mailbox.mbox(str(folder / "archive.mbox"))
        box.add(build_mail(message_id="<mbox@x>", subject="From an mbox", sender="dan@globex.example"))
        box.flush()
        maildir = mailbox.Maildir(str(folder / "Maildir"))
        maildir.add(build_mail(message_id="<maildir@x>", subject="From a Maildir"))
        maildir.add(build_mail(message_id="<eml@x>", subject="From a file"))  # the same mail again

        output = self.run_import(folder / "one.eml", folder / "archive.mbox", folder / "Maildir")

        self.assertEqual(sorted(Ticket.objects.values_list("subject", flat=True)),
                         ["From a Maildir", "From a file", "From an mbox"])  # fmt: skip
        self.assertIn("Imported 3 mails", output)
        self.assertIn("1 already known", output)
        self.assertEqual(Customer.objects.get(email="dan@globex.example").tickets.get().status, Status.NEW)
