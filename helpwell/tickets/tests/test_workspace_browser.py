"""The workspace's JavaScript in real Chromium: keyboard shortcuts, selection and htmx property changes."""

import os
from typing import Any

import pytest
from django.contrib.staticfiles.testing import StaticLiveServerTestCase

from helpwell.test import PASSWORD, BaseTestCase
from helpwell.tickets.models import Status

# Playwright's sync API runs an event loop in this thread; the ORM calls in between stay synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
from playwright import sync_api  # noqa: E402

CHROMIUM = os.environ.get("HELPWELL_CHROMIUM", "/usr/bin/chromium")
pytestmark = [pytest.mark.browser]


class WorkspaceBrowserTests(StaticLiveServerTestCase):
    """A live server needs real commits (TransactionTestCase), so the shared cast is borrowed, not inherited."""

    playwright: Any
    browser: Any

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.playwright = sync_api.sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        cast = BaseTestCase(methodName="setUp")
        cast.setUp()  # creates the cast (Alice, Bob, Billing, Carol...) in the database
        self.alice = cast.alice
        self.tickets = [cast.make_ticket(subject=f"Invoice question {i}") for i in range(3)]
        self.client.login(username="alice", password=PASSWORD)
        context = self.browser.new_context(viewport={"width": 1280, "height": 860})
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": self.client.cookies["sessionid"].value,
                    "url": self.live_server_url,
                }
            ]
        )
        context.set_default_timeout(10_000)
        self.page = context.new_page()
        self.addCleanup(context.close)

    def test_the_queue_answers_to_the_keyboard(self):
        page = self.page
        page.goto(f"{self.live_server_url}/agent/?tab=unassigned")
        page.keyboard.press("j")
        page.keyboard.press("j")
        page.keyboard.press("x")
        sync_api.expect(page.locator("[data-selected-count]")).to_have_text("1 selected")
        sync_api.expect(page.locator("tr.is-selected")).to_have_count(1)
        page.keyboard.press("?")
        sync_api.expect(page.locator("#shortcuts")).to_be_visible()
        page.keyboard.press("Escape")
        page.keyboard.press("/")
        page.keyboard.type("j")  # typing in the search box is not a shortcut
        sync_api.expect(page.locator("tr.is-current")).to_have_count(1)
        page.keyboard.press("Escape")
        page.keyboard.press("o")
        page.wait_for_url("**/agent/tickets/*/")
        self.assertIn("Invoice question 1", page.title())

    def test_selecting_all_and_picking_a_status_updates_the_page(self):
        page = self.page
        page.goto(f"{self.live_server_url}/agent/?tab=unassigned")
        page.check("[data-select-all]")
        page.select_option("#bulk_status", Status.PENDING)
        sync_api.expect(page.locator(".flash")).to_have_text("3 tickets updated.")
        for ticket in self.tickets:
            ticket.refresh_from_db()
            self.assertEqual(ticket.status, Status.PENDING)

    def test_ticket_shortcuts_claim_note_and_solve(self):
        page = self.page
        ticket = self.tickets[0]
        page.goto(f"{self.live_server_url}/agent/tickets/{ticket.reference}/")
        page.keyboard.press("a")
        sync_api.expect(page.locator("#prop_assignee")).to_have_value(str(self.alice.pk))
        sync_api.expect(page.locator("#ticket-history")).to_contain_text("changed the assignee")
        page.keyboard.press("n")
        sync_api.expect(page.locator("#reply_body")).to_be_focused()
        sync_api.expect(page.locator("#reply_body")).to_have_attribute(
            "placeholder", "Write a note for your team…"
        )
        page.keyboard.press("Escape")
        page.keyboard.press("s")
        sync_api.expect(page.locator("#ticket-header .badge-solved")).to_have_text("Solved")
        ticket.refresh_from_db()
        self.assertEqual((ticket.status, ticket.assignee), (Status.SOLVED, self.alice))
