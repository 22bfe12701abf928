"""A hostile HTML mail, received and opened by an agent in real Chromium: nothing in it runs or calls home.

The mail carries script tags, event handlers, javascript: links, CSS expressions, SVG payloads and
remote images used as trackers (pointing at a server this test runs, which counts every request).
"""

import http.server
import os
import threading
from typing import Any

import pytest
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.urls import reverse

from helpwell.mail.inbound.ingest import receive
from helpwell.mail.models import InboundMail
from helpwell.test import PASSWORD, BaseTestCase

from .inbound import build_mail

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
from playwright import sync_api  # noqa: E402

CHROMIUM = os.environ.get("HELPWELL_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = os.path.join(os.path.dirname(__file__), "..", "..", "..", "test-artifacts", "screenshots")
pytestmark = [pytest.mark.browser]


class Tracker(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        Tracker.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/gif")
        self.end_headers()
        self.wfile.write(b"GIF89a")

    def log_message(self, format: str, *args: Any) -> None:
        pass


def hostile_html(tracker: str) -> str:
    return f"""<html><head>
<meta http-equiv="refresh" content="0;url={tracker}/refresh">
<base href="{tracker}/base/">
<link rel="stylesheet" href="{tracker}/css">
<style>@import url({tracker}/import); body {{ background: url({tracker}/bg) }}</style>
<script>window.pwned = "script tag";</script>
</head><body onload="window.pwned='body onload'" background="{tracker}/body-bg">
<p>Hello, <b>please</b> look at my <i>invoice</i>.</p>
<img src="x" onerror="window.pwned='img onerror'" alt="broken">
<img src="{tracker}/pixel.gif?id=agent-opened" width="1" height="1" alt="">
<a id="js-link" href="javascript:window.pwned='javascript url'">Open the invoice</a>
<a id="js-entity" href="jav&#x61;script:window.pwned='entity url'">Second link</a>
<div style="width: expression(window.pwned='css expression'); background-image: url({tracker}/div-bg)">Styled</div>
<svg xmlns="http://www.w3.org/2000/svg" onload="window.pwned='svg onload'"><script>window.pwned='svg script'</script>
<animate attributeName="x" onbegin="window.pwned='svg animate'"/><image href="{tracker}/svg-image"/></svg>
<iframe src="{tracker}/frame"></iframe><object data="{tracker}/object"></object><embed src="{tracker}/embed">
<form action="{tracker}/form"><input name="password" autofocus onfocus="window.pwned='autofocus'"></form>
<video poster="{tracker}/poster"></video><table background="{tracker}/table-bg"><tr><td>cell</td></tr></table>
<math><mtext><table><mglyph><style><img src=x onerror="window.pwned='mxss'"></style></mglyph></table></mtext></math>
<p>Thanks, Carol</p>
</body></html>"""


class MailBrowserTestCase(StaticLiveServerTestCase):
    """Chromium, a tracker server on loopback, and a ticket opened by a hostile HTML mail."""

    playwright: Any
    browser: Any
    tracker: http.server.HTTPServer

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.tracker = http.server.HTTPServer(("127.0.0.1", 0), Tracker)
        threading.Thread(target=cls.tracker.serve_forever, daemon=True).start()
        cls.playwright = sync_api.sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )

    @classmethod
    def tearDownClass(cls) -> None:
        cls.browser.close()
        cls.playwright.stop()
        cls.tracker.shutdown()
        cls.tracker.server_close()
        super().tearDownClass()

    def setUp(self) -> None:
        super().setUp()
        cast = BaseTestCase(methodName="setUp")
        cast.setUp()
        Tracker.hits = []
        tracker = f"http://127.0.0.1:{self.tracker.server_address[1]}"
        raw = build_mail(subject="Invoice attached", text="", html=hostile_html(tracker))
        inbound, _ = receive(
            raw, source=InboundMail.Source.SMTP, team=cast.billing, envelope_from="carol@acme.example"
        )
        inbound.refresh_from_db()
        self.assertEqual(inbound.status, InboundMail.Status.PROCESSED, inbound.failure_reason)
        assert inbound.ticket is not None
        self.ticket = inbound.ticket
        self.client.login(username="alice", password=PASSWORD)
        context = self.browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": "sessionid", "value": self.client.cookies["sessionid"].value,
                              "url": self.live_server_url}])  # fmt: skip
        context.set_default_timeout(10_000)
        self.page = context.new_page()
        self.addCleanup(context.close)


class HostileHtmlBrowserTest(MailBrowserTestCase):
    def test_the_agent_sees_the_mail_with_nothing_in_it_active(self):
        page = self.page
        dialogs: list[str] = []

        def dismiss(dialog: Any) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", dismiss)
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        tracker_port = str(self.tracker.server_address[1])

        page.goto(self.live_server_url + reverse("tickets-detail", args=[self.ticket.reference]))
        page.wait_for_load_state("networkidle")
        body = page.locator(".msg-text").first
        body.wait_for()
        self.assertIn("please look at my invoice", " ".join(body.inner_text().split()))

        # Try what a curious agent would: click the links, focus the fields.
        for selector in ("#js-link", "#js-entity", "a:has-text('Open the invoice')"):
            if page.locator(selector).count():
                page.locator(selector).first.click(no_wait_after=True)
        page.wait_for_timeout(300)

        os.makedirs(os.path.join(SCREENSHOTS, "hostile_html"), exist_ok=True)
        page.screenshot(path=os.path.join(SCREENSHOTS, "hostile_html", "01-agent-view.png"), full_page=True)

        self.assertIsNone(page.evaluate("window.pwned"), "something in the mail ran")
        self.assertEqual(dialogs, [])
        self.assertEqual(Tracker.hits, [], "the mail called home")
        self.assertEqual([u for u in requests if tracker_port in u], [])
        html = body.inner_html().lower()
        for needle in ("<script", "onerror", "onload", "onbegin", "onfocus", "javascript:", "expression(",
                       "<svg", "<iframe", "<object", "<embed", "<form", "<style", "<base", "<meta"):  # fmt: skip
            self.assertNotIn(needle, html)
        self.assertEqual(page.evaluate(f"document.querySelectorAll('[src*=\"{tracker_port}\"]').length"), 0)
        self.assertEqual(
            page.url.split("#")[0],
            self.live_server_url + reverse("tickets-detail", args=[self.ticket.reference]),
        )


class EmailConversationBrowserTest(MailBrowserTestCase):
    """The same agent view for an ordinary mail conversation: folded history, CC, a bounce."""

    def test_an_email_conversation_reads_well_for_the_agent(self):
        from helpwell.mail.models import OutgoingMail

        from .test_ingest import DSN

        ack = OutgoingMail.objects.filter(ticket=self.ticket, kind="acknowledgement").first()
        first_id = ack.message_id if ack else f"<{InboundMail.objects.get(ticket=self.ticket).message_id}>"
        reply = build_mail(
            subject="Re: Invoice attached",
            cc="Frank Ocean <frank@acme.example>",
            in_reply_to=first_id,
            text="Here is the order number: 4471.\n\nBest,\nCarol\n-- \nCarol Chen, Acme purchasing\n\n"
            "On Tue, 3 Mar 2026 at 10:00, Helpwell Support <support@helpwell.localhost> wrote:\n"
            "> We have your request.\n> Reference: " + self.ticket.reference,
        )
        receive(reply, source=InboundMail.Source.SMTP, envelope_from="carol@acme.example")
        receive(DSN.format(message_id=first_id).encode(), source=InboundMail.Source.SMTP, envelope_from="")
        page = self.page
        page.goto(self.live_server_url + reverse("tickets-detail", args=[self.ticket.reference]))
        page.get_by_text("Show the quoted history and signature").click()
        page.get_by_text("> We have your request.").wait_for()
        os.makedirs(os.path.join(SCREENSHOTS, "hostile_html"), exist_ok=True)
        page.screenshot(
            path=os.path.join(SCREENSHOTS, "hostile_html", "02-email-conversation.png"), full_page=True
        )

        self.assertIn("Here is the order number: 4471.", page.locator(".msg-text").nth(1).inner_text())
        self.assertNotIn("We have your request", page.locator(".msg-text").nth(1).inner_text())
        page.get_by_text("Mail to this address bounces.").wait_for()
        page.get_by_text("Also on the mail (CC):").wait_for()


class MailTemplateBrowserTest(MailBrowserTestCase):
    """A lead rewords the acknowledgement and sees the preview update after saving."""

    def setUp(self) -> None:
        super().setUp()
        self.client.logout()
        self.client.login(username="lena", password=PASSWORD)
        self.page.context.clear_cookies()
        self.page.context.add_cookies([{"name": "sessionid", "value": self.client.cookies["sessionid"].value,
                                        "url": self.live_server_url}])  # fmt: skip

    def test_a_lead_rewords_the_acknowledgement(self):
        page = self.page
        page.goto(self.live_server_url + reverse("mail-templates"))
        page.get_by_role("link", name="Acknowledgement").click()
        subject = page.get_by_label("Subject")
        subject.fill("[{{ ticket.reference }}] Thanks, {{ customer.name }}: we are on it")
        page.get_by_role("button", name="Save wording").click()
        page.get_by_text("Saved: new mail uses this wording.").wait_for()
        os.makedirs(os.path.join(SCREENSHOTS, "hostile_html"), exist_ok=True)
        page.screenshot(
            path=os.path.join(SCREENSHOTS, "hostile_html", "03-mail-template.png"), full_page=True
        )
        self.assertIn("Thanks, Carol Chen: we are on it", page.locator(".tpl-preview").inner_text())
