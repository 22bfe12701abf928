"""The local mail catcher over a real SMTP conversation, and the dev mailbox that shows what it caught."""

import smtplib
import time
from email.message import EmailMessage

from django.test import TransactionTestCase, override_settings
from django.urls import reverse

from helpwell.lib.images import initials_avatar
from helpwell.mail.catcher import make_controller, read_caught_mail, store_caught_mail
from helpwell.mail.models import CaughtMail, OutgoingMail
from helpwell.mail.outbox import build_message
from helpwell.people.actions import do_set_photo
from helpwell.test import PASSWORD, BaseTestCase
from helpwell.tickets.actions import do_reply

from .smtp import free_port, smtp_settings


def hostile_mail() -> bytes:
    msg = EmailMessage()
    msg["From"] = "Mallory <mallory@evil.example>"
    msg["To"] = "support@helpwell.localhost"
    msg["Subject"] = "Totally normal invoice"
    msg.set_content("Plain words. See https://evil.example/track")
    msg.add_alternative(
        "<html><head><title>Page title</title><style>body{display:none}</style></head><body>"
        '<p onclick="steal()">Hello</p><script>alert(1)</script>'
        '<img src="https://evil.example/pixel.gif" onerror="steal()">'
        '<a href="javascript:alert(2)">click</a><form action="https://evil.example"><input name=x></form>'
        '<svg><script>alert(3)</script></svg><div style="position:fixed;color:red">styled</div>',
        subtype="html",
    )
    return msg.as_bytes()


class CatcherOverSmtpTest(TransactionTestCase):
    def test_it_keeps_what_a_real_smtp_client_sends(self):
        port = free_port()
        controller = make_controller("127.0.0.1", port)
        controller.start()
        try:
            msg = EmailMessage()
            msg["From"] = "Helpwell <support@helpwell.localhost>"
            msg["To"] = "carol@acme.example"
            msg["Subject"] = "=?utf-8?q?Your_request_HW-ABC2345_=E2=9C=93?="
            msg.set_content("We have your request.")
            with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
                client.send_message(msg)
            deadline = time.monotonic() + 5
            while not CaughtMail.objects.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            controller.stop()

        caught = CaughtMail.objects.get()
        self.assertEqual(caught.rcpt_to, "carol@acme.example")
        self.assertEqual(caught.mail_from, "support@helpwell.localhost")
        self.assertEqual(caught.subject, "Your request HW-ABC2345 ✓")
        self.assertIn(b"We have your request.", bytes(caught.raw))


class CatcherStoreTest(BaseTestCase):
    def test_it_prunes_old_mail_beyond_what_it_keeps(self):
        from helpwell.mail import catcher

        with self.settings():
            old_keep = catcher.KEEP
            catcher.KEEP = 5
            try:
                for n in range(1, 201):
                    store_caught_mail("a@example.com", ["b@example.com"], f"Subject: {n}\r\n\r\nx".encode())
            finally:
                catcher.KEEP = old_keep
        self.assertLessEqual(CaughtMail.objects.count(), 100 + 5)
        self.assertTrue(CaughtMail.objects.filter(subject="200").exists())
        self.assertFalse(CaughtMail.objects.filter(subject="1").exists())


class ReadCaughtMailTest(BaseTestCase):
    def test_hostile_html_loses_everything_active(self):
        read = read_caught_mail(hostile_mail())

        for bad in (
            "<script",
            "onclick",
            "onerror",
            "javascript:",
            "<form",
            "<svg",
            "position:fixed",
            "steal()",
        ):
            self.assertNotIn(bad, read.html)
        self.assertNotIn("Page title", read.html)
        self.assertNotIn("display:none", read.html)
        self.assertIn("Hello", read.html)
        self.assertIn("color:red", read.html)
        self.assertIn(
            "default-src 'none'; img-src data:", read.html, "remote images are blocked by the frame's CSP"
        )
        self.assertIn("Plain words.", read.text)

    def test_a_broken_message_is_still_shown(self):
        read = read_caught_mail(b"\xff\xfe not really mail")
        self.assertEqual(read.error, "")
        self.assertIn("not really mail", read.text + "".join(v for _, v in read.headers))


class MailboxPageTest(BaseTestCase):
    def catch_a_reply(self) -> CaughtMail:
        do_set_photo(self.alice.agent, initials_avatar("AM", "#0f766e"), actor=self.alice)
        ticket = self.make_ticket(subject="Refund for order 1042")
        with smtp_settings(free_port()), self.captureOnCommitCallbacks(execute=True):
            do_reply(ticket, user=self.alice, body="Your refund is on its way: https://bank.example/r/1")
        self.ticket = ticket
        outgoing = OutgoingMail.objects.get(kind="reply")
        raw = build_message(outgoing).message().as_bytes()
        return store_caught_mail("support@helpwell.localhost", ["carol@acme.example"], raw)

    def sign_in(self, username: str) -> None:
        self.assertTrue(self.client.login(username=username, password=PASSWORD))

    def test_an_admin_sees_the_caught_mail_listed(self):
        self.catch_a_reply()
        self.sign_in("ada")

        response = self.client.get(reverse("mail-mailbox"))

        self.assertContains(response, "carol@acme.example")
        self.assertContains(response, "Refund for order 1042")
        self.assertContains(response, 'aria-current="page">Mailbox')

    def test_the_list_refreshes_itself_as_a_partial(self):
        self.catch_a_reply()
        self.sign_in("ada")

        response = self.client.get(reverse("mail-mailbox"), HTTP_HX_REQUEST="true")

        self.assertContains(response, 'id="mailbox-live"')
        self.assertNotContains(response, "<html")

    def test_the_detail_shows_headers_text_and_the_html_in_a_sandbox(self):
        caught = self.catch_a_reply()
        self.sign_in("ada")

        response = self.client.get(reverse("mail-mailbox-detail", args=[caught.pk]))

        self.assertContains(response, 'sandbox="allow-popups allow-popups-to-escape-sandbox"')
        self.assertContains(response, "Alice Martin at Billing")
        self.assertContains(response, "Message-ID")
        self.assertContains(response, '<a href="https://bank.example/r/1"')  # the text part, with live links
        self.assertContains(response, "data:image/jpeg;base64,")  # the agent's photo, inlined from its cid
        self.assertContains(response, f"Open ticket {self.ticket.reference}")
        self.assertNotContains(response, "<script>alert")

    def test_hostile_html_is_never_part_of_the_page(self):
        caught = store_caught_mail("mallory@evil.example", ["support@helpwell.localhost"], hostile_mail())
        self.sign_in("ada")

        response = self.client.get(reverse("mail-mailbox-detail", args=[caught.pk]))

        body = response.content.decode()
        self.assertNotIn("<script>alert", body)
        self.assertNotIn("steal()", body)
        self.assertIn('srcdoc="&lt;meta', body, "the mail's HTML only exists as an escaped srcdoc")

    def test_the_raw_message_downloads_and_is_never_rendered(self):
        caught = self.catch_a_reply()
        self.sign_in("ada")

        response = self.client.get(reverse("mail-mailbox-raw", args=[caught.pk]))

        self.assertEqual(
            response["Content-Disposition"], f'attachment; filename="helpwell-mail-{caught.pk}.eml"'
        )
        self.assertEqual(response.content, bytes(caught.raw))

    def test_an_agent_who_is_not_an_admin_is_refused(self):
        caught = self.catch_a_reply()
        self.sign_in("alice")

        self.assertEqual(self.client.get(reverse("mail-mailbox")).status_code, 403)
        self.assertEqual(self.client.get(reverse("mail-mailbox-detail", args=[caught.pk])).status_code, 403)
        self.assertEqual(self.client.get(reverse("mail-mailbox-raw", args=[caught.pk])).status_code, 403)

    @override_settings(DEBUG=True)
    def test_any_agent_may_read_it_on_a_development_machine(self):
        self.catch_a_reply()
        self.sign_in("alice")

        self.assertEqual(self.client.get(reverse("mail-mailbox")).status_code, 200)

    def test_a_visitor_is_sent_to_sign_in(self):
        response = self.client.get(reverse("mail-mailbox"))
        self.assertRedirects(
            response, f"{reverse('login')}?next=/dev/mailbox/", fetch_redirect_response=False
        )

    def test_an_unknown_mail_is_not_found(self):
        self.sign_in("ada")
        self.assertEqual(self.client.get(reverse("mail-mailbox-detail", args=[999])).status_code, 404)

    def test_the_list_does_not_grow_queries_with_its_rows(self):
        self.sign_in("ada")
        self.client.get(reverse("mail-mailbox"))  # warm up sessions and site settings

        def count_queries() -> int:
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as ctx:
                self.assertEqual(self.client.get(reverse("mail-mailbox")).status_code, 200)
            return len(ctx.captured_queries)

        store_caught_mail("a@example.com", ["b@example.com"], b"Subject: one\r\n\r\nx")
        with_one = count_queries()
        for n in range(30):
            store_caught_mail("a@example.com", [f"b{n}@example.com"], b"Subject: more\r\n\r\nx")
        with self.assertNumQueries(with_one):
            self.client.get(reverse("mail-mailbox"))


class MailboxShowsMailInTest(BaseTestCase):
    def test_the_dev_mailbox_lists_mail_that_came_in_and_what_it_became(self):
        from helpwell.mail.inbound.ingest import receive
        from helpwell.mail.models import InboundMail

        raw = (b"From: Carol Chen <carol@acme.example>\r\nTo: support@helpwell.localhost\r\n"
               b"Subject: Printer on fire\r\nMessage-ID: <fire@acme.example>\r\n\r\nHelp.")  # fmt: skip
        inbound, _ = receive(raw, source=InboundMail.Source.SMTP, envelope_from="carol@acme.example")
        inbound.refresh_from_db()
        self.client.force_login(self.ada)
        self.client.get(reverse("mail-mailbox"))  # warm up sessions and site settings
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as one:
            page = self.client.get(reverse("mail-mailbox"))
        for n in range(5):
            receive(raw.replace(b"<fire@", f"<fire{n}@".encode()), source=InboundMail.Source.IMPORT)
        with self.assertNumQueries(len(one.captured_queries)):
            self.client.get(reverse("mail-mailbox"))

        self.assertContains(page, "Mail in")
        self.assertContains(page, "Printer on fire")
        self.assertContains(page, inbound.ticket.reference if inbound.ticket else "missing ticket")
        self.assertContains(page, "New request")
