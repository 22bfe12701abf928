# mypy: disable-error-code="union-attr,arg-type"
# (rows read back in tests are known to have their ticket and message set; a None fails the test anyway)
"""Inbound mail through the one ingest action: stored first, threaded right, robots and bounces tamed."""

from email import message_from_bytes, policy

from django.test import override_settings
from django.urls import reverse

from helpwell.mail.inbound.corpus import corpus_dir
from helpwell.mail.inbound.ingest import ACK_SENDER_CAP, TICKET_AUTO_CAP, receive
from helpwell.mail.models import BouncingAddress, InboundMail, MailMessageId, MailParticipant, OutgoingMail
from helpwell.system.models import AuditEntry
from helpwell.test import BaseTestCase
from helpwell.tickets.actions import do_change_status, do_reply
from helpwell.tickets.models import Channel, Message, Status, Ticket

from .inbound import build_mail

ZAMMAD = corpus_dir()


class IngestTestCase(BaseTestCase):
    def receive(self, raw: bytes, **kwargs) -> InboundMail:
        with self.captureOnCommitCallbacks(execute=True):
            inbound, _ = receive(raw, source=InboundMail.Source.IMPORT, **kwargs)
        inbound.refresh_from_db()
        return inbound

    def sign_in_to_portal(self, customer) -> None:
        from helpwell.portal.access import SESSION_CUSTOMER, SESSION_SALT

        self.client.logout()
        session = self.client.session
        session[SESSION_CUSTOMER] = customer.pk
        session[SESSION_SALT] = customer.access_salt
        session.save()

    def outgoing_to(self, address: str, kind: str = "acknowledgement") -> list[OutgoingMail]:
        return list(OutgoingMail.objects.filter(to=address, kind=kind))


class NewRequestTest(IngestTestCase):
    def test_it_creates_an_email_ticket_and_acknowledges_it_in_the_same_thread(self):
        raw = build_mail(message_id="<first@client.example>")

        inbound = self.receive(raw)

        self.assertEqual(inbound.status, InboundMail.Status.PROCESSED)
        ticket = inbound.ticket
        self.assertEqual(
            (ticket.customer, ticket.channel, ticket.subject),
            (self.carol, Channel.EMAIL, "My invoice is wrong"),
        )
        self.assertIn("charged twice", ticket.messages.get().body_text)
        ack = self.outgoing_to("carol@acme.example")[0]
        self.assertEqual(ack.headers["In-Reply-To"], "<first@client.example>")
        self.assertIn(ticket.reference, ack.subject)
        self.assertEqual(ack.headers["Auto-Submitted"], "auto-replied")
        self.assertRegex(ack.headers["Reply-To"], r"^support\+[0-9a-f]{16}@helpwell\.localhost$")

    def test_a_new_sender_becomes_a_customer_named_as_in_their_mail(self):
        inbound = self.receive(build_mail(sender='"Erin Wu" <erin@initech.example>'))

        self.assertEqual(inbound.ticket.customer.name, "Erin Wu")
        self.assertEqual(inbound.ticket.customer.email, "erin@initech.example")

    def test_redelivery_of_the_same_message_id_creates_nothing_new(self):
        raw = build_mail(message_id="<same@client.example>")
        first = self.receive(raw)

        again, created = receive(raw, source=InboundMail.Source.SMTP)

        self.assertFalse(created)
        self.assertEqual(again.pk, first.pk)
        self.assertEqual(Ticket.objects.count(), 1)
        self.assertEqual(InboundMail.objects.count(), 1)

    def test_html_only_mail_is_sanitised_and_its_text_readable(self):
        raw = build_mail(
            text="", html='<p>Hi <b>team</b></p><script>alert(1)</script><img src="https://t.example/p.gif">'
        )

        message = self.receive(raw).ticket.messages.get()

        self.assertIn("<b>team</b>", message.body_html)
        self.assertNotIn("script", message.body_html)
        self.assertNotIn("t.example", message.body_html)
        self.assertIn("Hi team", message.body_text)

    def test_an_inline_image_shows_in_the_agents_view_from_helpwell_itself(self):
        from email.message import EmailMessage

        from helpwell.lib.images import initials_avatar

        png = initials_avatar("CC", "#0f766e")
        msg = EmailMessage()
        msg["From"] = "Carol Chen <carol@acme.example>"
        msg["To"] = "support@helpwell.localhost"
        msg["Subject"] = "Screenshot of the error"
        msg.set_content("See the screenshot.")
        msg.add_alternative('<p>See the screenshot:</p><img src="cid:shot@acme" alt="error">', subtype="html")
        html_part = msg.get_body(preferencelist=("html",))
        assert html_part is not None
        html_part.add_related(png, maintype="image", subtype="png", cid="<shot@acme>")

        inbound = self.receive(msg.as_bytes())

        html = inbound.ticket_message.body_html
        url = f"/mail/inline/{inbound.pk}/?cid=shot%40acme"
        self.assertIn(f'src="{url}"', html)
        self.client.force_login(self.alice)
        image = self.client.get(url)
        self.assertEqual((image.status_code, image["Content-Type"], image.content), (200, "image/png", png))
        self.client.force_login(self.tom)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(url).status_code, 404)  # nobody signed in
        self.sign_in_to_portal(self.dan)
        self.assertEqual(self.client.get(url).status_code, 404)  # another customer
        self.sign_in_to_portal(self.carol)
        self.assertEqual(self.client.get(url).content, png)  # her own mail, in her portal

    def test_cc_people_become_participants_who_receive_the_agents_reply(self):
        inbound = self.receive(build_mail(cc="Frank <frank@acme.example>, support@helpwell.localhost"))
        ticket = inbound.ticket

        self.assertEqual(list(MailParticipant.objects.filter(ticket=ticket).values_list("email", flat=True)),
                         ["frank@acme.example"])  # fmt: skip
        with self.captureOnCommitCallbacks(execute=True):
            do_reply(ticket, user=self.alice, body="Refunded.")
        reply = OutgoingMail.objects.get(kind="reply")
        self.assertEqual(reply.headers["Cc"], "frank@acme.example")
        self.assertEqual(
            reply.headers["In-Reply-To"],
            f"<{MailMessageId.objects.filter(ticket=ticket).order_by('pk')[1].message_id}>",
        )

    def test_an_attachment_over_the_limit_is_refused_politely_and_the_ticket_still_created(self):
        with override_settings(ATTACHMENT_MAX_BYTES=1000):
            inbound = self.receive(build_mail(attachments=[("big.pdf", b"x" * 5000, "application/pdf"),
                                                           ("small.txt", b"fine", "text/plain")]))  # fmt: skip

        self.assertEqual([a.filename for a in inbound.ticket.messages.get().attachments.all()], ["small.txt"])
        notice = OutgoingMail.objects.get(kind="attachment-refused")
        self.assertIn("big.pdf", notice.body_text)
        self.assertEqual(notice.to, "carol@acme.example")


class ThreadingTest(IngestTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.first = self.receive(build_mail(message_id="<first@client.example>"))
        self.ticket = self.first.ticket
        self.ack = OutgoingMail.objects.get(kind="acknowledgement")

    def test_a_reply_to_the_acknowledgement_lands_on_the_ticket(self):
        raw = build_mail(subject="Re: something else entirely", text="Here is the invoice number: 42.",
                         in_reply_to=self.ack.message_id, references=self.ack.message_id)  # fmt: skip

        inbound = self.receive(raw)

        self.assertEqual(inbound.ticket, self.ticket)
        self.assertEqual(inbound.kind, InboundMail.Kind.REPLY)
        self.assertEqual(self.ticket.messages.count(), 2)
        self.assertEqual(Ticket.objects.count(), 1)

    def test_a_reply_to_the_per_ticket_address_lands_on_the_ticket_without_any_headers(self):
        raw = build_mail(to=self.ack.headers["Reply-To"], subject="new words", text="One more thing.")

        self.assertEqual(self.receive(raw).ticket, self.ticket)

    def test_the_quoted_history_is_folded_and_the_original_kept(self):
        text = "Found it: invoice 42.\n\nOn Tue, 3 Mar 2026 at 10:00, Support <support@helpwell.localhost> wrote:\n> We have your request"
        inbound = self.receive(build_mail(text=text, in_reply_to=self.ack.message_id))

        self.assertEqual(inbound.ticket_message.body_text, "Found it: invoice 42.")
        self.assertIn("We have your request", inbound.full_text)

    def test_the_agent_can_unfold_the_full_mail_and_download_the_original(self):
        text = "Found it.\n\nOn Tue, 3 Mar 2026 at 10:00, Support <support@helpwell.localhost> wrote:\n> Earlier words"
        inbound = self.receive(build_mail(text=text, in_reply_to=self.ack.message_id))
        self.ticket.refresh_from_db()
        self.client.force_login(self.alice)

        page = self.client.get(reverse("tickets-detail", args=[self.ticket.reference]))
        self.assertContains(page, "Show the quoted history and signature")
        self.assertContains(page, "&gt; Earlier words")
        raw = self.client.get(reverse("mail-inbound-raw", args=[inbound.pk]))
        self.assertEqual(raw.content, bytes(inbound.raw))
        self.assertEqual(raw["Content-Type"], "message/rfc822")

        self.client.force_login(self.tom)  # Shipping: not his team's ticket
        self.assertEqual(self.client.get(reverse("mail-inbound-raw", args=[inbound.pk])).status_code, 404)

    def test_the_reference_in_the_subject_threads_a_participants_mail(self):
        raw = build_mail(subject=f"Re: [{self.ticket.reference}] My invoice is wrong", text="Still wrong.")

        self.assertEqual(self.receive(raw).ticket, self.ticket)

    def test_an_old_subject_forwarded_by_another_customer_starts_a_ticket_of_its_own(self):
        raw = build_mail(
            sender="dan@globex.example", subject=f"Fwd: [{self.ticket.reference}] My invoice is wrong"
        )

        inbound = self.receive(raw)

        self.assertNotEqual(inbound.ticket, self.ticket)
        self.assertEqual(inbound.ticket.customer, self.dan)
        self.assertEqual(self.ticket.messages.count(), 1)

    def test_a_reply_from_someone_not_on_the_ticket_is_held_for_review(self):
        raw = build_mail(sender="dan@globex.example", in_reply_to=self.ack.message_id, text="Let me in")

        inbound = self.receive(raw)

        self.assertEqual(inbound.status, InboundMail.Status.HELD)
        self.assertEqual(self.ticket.messages.count(), 1)
        self.assertIn("not on this ticket", inbound.note)

    def test_an_agent_accepts_a_held_mail_from_the_ticket_page_and_the_sender_joins(self):
        held = self.receive(build_mail(sender="Dan Brown <dan@globex.example>", in_reply_to=self.ack.message_id,
                                       text="I am Carol's accountant."))  # fmt: skip
        self.client.force_login(self.alice)
        page = self.client.get(reverse("tickets-detail", args=[self.ticket.reference]))
        self.assertContains(page, "1 mail held for review")

        self.client.post(reverse("mail-held-decide", args=[held.pk]), {"decision": "accept"})

        held.refresh_from_db()
        self.assertEqual(held.status, InboundMail.Status.PROCESSED)
        self.assertIn("accountant", self.ticket.messages.last().body_text)
        self.assertTrue(
            MailParticipant.objects.filter(ticket=self.ticket, email="dan@globex.example").exists()
        )
        self.assertTrue(AuditEntry.objects.filter(action="mail.inbound_retried").exists())

    def test_a_discarded_held_mail_stays_stored_and_off_the_ticket(self):
        held = self.receive(build_mail(sender="dan@globex.example", in_reply_to=self.ack.message_id))
        self.client.force_login(self.tom)  # Shipping: cannot act on a Billing ticket
        self.assertEqual(
            self.client.post(
                reverse("mail-held-decide", args=[held.pk]), {"decision": "discard"}
            ).status_code,
            404,
        )

        self.client.force_login(self.alice)
        self.client.post(reverse("mail-held-decide", args=[held.pk]), {"decision": "discard"})

        held.refresh_from_db()
        self.assertEqual(held.status, InboundMail.Status.IGNORED)
        self.assertIn("discarded by Alice Martin", held.note)
        self.assertEqual(self.ticket.messages.count(), 1)

    def test_a_reply_to_a_closed_ticket_opens_a_new_one(self):
        do_change_status(self.ticket, Status.CLOSED, user=self.alice)

        inbound = self.receive(build_mail(in_reply_to=self.ack.message_id, text="It happened again."))

        self.assertNotEqual(inbound.ticket, self.ticket)
        self.assertEqual(Ticket.objects.count(), 2)


class AutomaticMailTest(IngestTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.ticket = self.receive(build_mail()).ticket
        self.ack = OutgoingMail.objects.get(kind="acknowledgement")
        do_change_status(self.ticket, Status.PENDING, user=self.alice)

    def test_an_out_of_office_reply_is_recorded_without_reopening_or_answering(self):
        raw = build_mail(subject="Automatic reply: My invoice is wrong", text="I am away until Monday.",
                         in_reply_to=self.ack.message_id, headers={"Auto-Submitted": "auto-replied"})  # fmt: skip

        self.ticket.refresh_from_db()
        clocks_before = (self.ticket.first_response_due, self.ticket.next_due, self.ticket.first_response_at)

        inbound = self.receive(raw)

        self.ticket.refresh_from_db()
        self.assertEqual(inbound.kind, InboundMail.Kind.AUTO_REPLY)
        self.assertEqual(self.ticket.status, Status.PENDING)
        self.assertEqual((self.ticket.first_response_due, self.ticket.next_due, self.ticket.first_response_at),
                         clocks_before)  # fmt: skip
        note = self.ticket.messages.last()
        self.assertEqual(note.kind, Message.Kind.INTERNAL)
        self.assertIn("away until Monday", note.body_text)
        self.assertEqual(OutgoingMail.objects.count(), 1)

    def test_list_bulk_and_noreply_mail_is_never_acknowledged(self):
        for i, headers in enumerate([{"Precedence": "bulk"}, {"List-Id": "<news.shop.example>"},
                                     {"X-Auto-Response-Suppress": "All"}]):  # fmt: skip
            self.receive(build_mail(sender=f"robot{i}@shop.example", headers=headers))
        self.receive(build_mail(sender="no-reply@shop.example"))

        self.assertEqual(OutgoingMail.objects.filter(kind="acknowledgement").count(), 1)  # only Carol's
        self.assertEqual(Ticket.objects.count(), 5)

    def test_helpwells_own_mail_coming_back_is_ignored(self):
        inbound = self.receive(build_mail(sender="support@helpwell.localhost", subject="[HW-2222222] Loop"))

        self.assertEqual(inbound.status, InboundMail.Status.IGNORED)

    def test_a_robot_that_answers_every_mail_gets_no_more_than_the_acknowledgement_cap(self):
        # The robot sets no automatic headers and answers each acknowledgement with a new mail.
        for i in range(12):
            self.receive(build_mail(sender="robot@vendor.example", subject=f"Ticket received #{i}"))

        acks = OutgoingMail.objects.filter(kind="acknowledgement", to="robot@vendor.example").count()
        self.assertEqual(acks, ACK_SENDER_CAP)

    def test_automatic_mail_on_one_ticket_stops_being_recorded_at_the_cap(self):
        for i in range(TICKET_AUTO_CAP + 3):
            self.receive(build_mail(subject=f"Out of office {i}", in_reply_to=self.ack.message_id,
                                    headers={"Auto-Submitted": "auto-replied"}))  # fmt: skip

        recorded = InboundMail.objects.filter(ticket=self.ticket, kind=InboundMail.Kind.AUTO_REPLY).count()
        self.assertEqual(recorded, TICKET_AUTO_CAP)
        self.assertEqual(InboundMail.objects.filter(kind=InboundMail.Kind.LOOP).count(), 3)


DSN = """From: MAILER-DAEMON@mx.acme.example (Mail Delivery System)
To: support@helpwell.localhost
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-1@mx.acme.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

I'm sorry to have to inform you that your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.acme.example

Final-Recipient: rfc822; carol@acme.example
Original-Recipient: rfc822;carol@acme.example
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <carol@acme.example>: Recipient address rejected: User unknown

--B
Content-Type: text/rfc822-headers

From: support@helpwell.localhost
To: carol@acme.example
Subject: [HW-XXXXXXX] We have your request
Message-ID: {message_id}

--B--
"""


class BounceTest(IngestTestCase):
    def test_a_delivery_status_notification_flags_the_address_and_notes_the_ticket(self):
        ticket = self.receive(build_mail()).ticket
        ack = OutgoingMail.objects.get(kind="acknowledgement")

        inbound = self.receive(DSN.format(message_id=ack.message_id).encode())

        self.assertEqual((inbound.kind, inbound.ticket), (InboundMail.Kind.BOUNCE, ticket))
        flagged = BouncingAddress.objects.get(email="carol@acme.example")
        self.assertEqual(flagged.status, "5.1.1")
        self.assertIn("User unknown", flagged.diagnostic)
        note = ticket.messages.last()
        self.assertTrue(note.is_internal)
        self.assertIn("could not be delivered to carol@acme.example", note.body_text)
        self.assertEqual(OutgoingMail.objects.count(), 1)  # nothing sent back to the mailer daemon

    def test_the_agent_sees_on_the_ticket_that_the_customers_address_bounces(self):
        ticket = self.receive(build_mail(cc="Frank <frank@acme.example>")).ticket
        ack = OutgoingMail.objects.get(kind="acknowledgement")
        self.receive(DSN.format(message_id=ack.message_id).encode())
        self.client.force_login(self.alice)

        page = self.client.get(reverse("tickets-detail", args=[ticket.reference]))

        self.assertContains(page, "Mail to this address bounces.")
        self.assertContains(page, "Status 5.1.1")
        self.assertContains(page, "Also on the mail (CC):")
        self.assertContains(page, "Frank")

    def test_zammads_real_bounces_are_recognised(self):
        for name in ("mail052", "mail053", "mail055", "mail063"):
            inbound = self.receive((ZAMMAD / f"{name}.box").read_bytes())
            self.assertEqual(inbound.kind, InboundMail.Kind.BOUNCE, name)


class BrokenMailTest(IngestTestCase):
    def test_a_mail_that_cannot_be_processed_is_kept_and_can_be_retried(self):
        inbound = self.receive(b"Subject: no sender at all\r\n\r\nHello")

        self.assertEqual(inbound.status, InboundMail.Status.FAILED)
        self.assertIn("no sender address", inbound.failure_reason)
        self.assertEqual(bytes(inbound.raw), b"Subject: no sender at all\r\n\r\nHello")

    def test_every_zammad_mail_is_ingested_or_kept_with_a_reason(self):
        for box in sorted(ZAMMAD.glob("*.box")):
            inbound = self.receive(box.read_bytes())
            self.assertIn(inbound.status, (InboundMail.Status.PROCESSED, InboundMail.Status.IGNORED,
                                           InboundMail.Status.HELD), f"{box.name}: {inbound.failure_reason}")  # fmt: skip

    def test_the_parsed_message_round_trips_through_the_standard_parser(self):
        raw = build_mail(subject="Grüße – naïve café", text="Ünïcödé body")
        inbound = self.receive(raw)

        self.assertEqual(inbound.ticket.subject, "Grüße – naïve café")
        self.assertEqual(
            message_from_bytes(bytes(inbound.raw), policy=policy.default)["Subject"], "Grüße – naïve café"
        )
