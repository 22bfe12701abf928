"""Must-show 3 in real Chromium: the promised time on the confirmation page, the customer's escalation
with its stated next step, and the lead seeing the escalation and the delay-notice banner."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from helpwell.people.models import Role, Team
from helpwell.sla.models import BusinessCalendar, Escalation, EscalationLevel, EscalationPath, SlaPolicy
from helpwell.sla.promise import first_response_promise
from helpwell.test import PASSWORD, make_agent, make_priorities
from helpwell.tickets.models import Category, Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_customer_sees_the_promise_escalates_and_the_lead_sees_it(
    page: Page, live_server, smtp_inbox, settings, shoot
):
    settings.SITE_URL = live_server.url
    base = live_server.url
    priorities = make_priorities()
    billing = Team.objects.create(name="Billing", slug="billing", description="Invoices and refunds")
    shipping = Team.objects.create(name="Shipping", slug="shipping", description="Parcels")
    Category.objects.create(name="Invoices", slug="invoices", team=billing)
    Category.objects.create(name="Deliveries", slug="deliveries", team=shipping)
    make_agent("alice", "Alice Martin", teams=(billing,))
    make_agent("lena", "Lena Fischer", role=Role.LEAD, teams=(billing, shipping))
    BusinessCalendar.objects.create(
        name="Billing office hours", team=billing, time_zone="Europe/Berlin",
        weekly_hours={str(d): "09:00-17:00" for d in range(5)}, holiday_country="DE", holiday_subdivision="BE",
    )  # fmt: skip
    path = EscalationPath.objects.create(name="Standard", customer_escalation_after_minutes=8 * 60)
    EscalationLevel.objects.create(
        path=path, position=1, name="Team lead", target=EscalationLevel.Target.TEAM_LEADS
    )
    for key in priorities:
        SlaPolicy.objects.create(
            name=priorities[key].name, priority=priorities[key], first_response_minutes=4 * 60,
            next_response_minutes=4 * 60, resolution_minutes=16 * 60, escalation_path=path,
        )  # fmt: skip

    # 1. The customer asks and sees the promised time, computed from the policy and the calendar.
    page.goto(f"{base}/portal/new/")
    page.get_by_label("Your name").fill("Carol Chen")
    page.get_by_label("Email address").fill("carol@acme.example")
    page.get_by_label("Subject").fill("Invoice 1042 charged twice")
    page.get_by_label("What is it about?").select_option(label="Invoices")
    page.get_by_label("Tell us what happened").fill("My card was charged twice for invoice 1042.")
    page.get_by_text("Just me").click()
    page.get_by_text("It slows me down").click()
    page.get_by_role("button", name=re.compile("Send")).click()
    ticket = Ticket.objects.get(subject="Invoice 1042 charged twice")
    promise = first_response_promise(ticket, ZoneInfo("Europe/Berlin"))
    expect(page.locator("#promised-time")).to_have_text(promise.phrase)
    assert "your time (Europe/Berlin)" in promise.phrase
    shoot(page, "customer-sees-promised-time")

    # 2. A lead opens a delay notice; it shows on the portal.
    lead = page.context.browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
    sign_in(lead, base, "lena")
    lead.goto(f"{base}/agent/sla/notices/")
    lead.get_by_label("Title").fill("Card payments charged twice")
    lead.get_by_label("What happened").fill(
        "Our payment provider processed some payments twice this morning."
    )
    lead.get_by_label("What we are doing").fill("We are refunding every second charge automatically.")
    lead.get_by_label("Words in the subject").fill("charged twice")
    lead.get_by_role("button", name="Open the notice and tell customers").click()
    expect(lead.locator("body")).to_contain_text("1 ticket linked")
    shoot(lead, "lead-opened-notice")

    # 3. Later (the request is two days old): the customer follows the mailed link and escalates.
    Ticket.objects.filter(pk=ticket.pk).update(created_at=ticket.created_at - timedelta(days=3))
    ack = next(m for m in smtp_inbox.messages if "carol@acme.example" in str(m["To"]))
    link = next(
        u
        for u in re.findall(r"https?://\S+", ack.get_body(preferencelist=("plain",)).get_content())
        if "/portal/access/" in u
    )
    page.goto(link)
    expect(page.locator(".notice-banner")).to_contain_text("Card payments charged twice")
    page.get_by_role("link", name="Escalate this request").click()
    expect(page.locator("#what-happens-next")).to_contain_text("Lena Fischer (Team lead)")
    expect(page.locator("#escalate-by-when")).to_contain_text("(Europe/Berlin time)")
    page.get_by_label("Why do you want to escalate?").fill(
        "I am still charged twice and rent is due on Friday."
    )
    shoot(page, "customer-asks-to-escalate")
    page.get_by_role("button", name="Escalate").click()
    expect(page.locator("#escalation-next-step")).to_contain_text(
        "Lena Fischer (Team lead) will look at your request and reply by"
    )
    expect(page.locator("#escalation-by-when")).to_contain_text("(Europe/Berlin time)")
    shoot(page, "customer-sees-next-step")
    escalation = Escalation.objects.get()
    assert escalation.reason == "I am still charged twice and rent is due on Friday."
    assert any("lena@helpwell.test" in str(m["To"]) for m in smtp_inbox.messages)

    # 4. The lead sees the escalation, its reason and the open notice.
    lead.goto(f"{base}/agent/sla/")
    expect(lead.locator("#escalation-reasons")).to_contain_text("rent is due on Friday")
    expect(lead.locator("body")).to_contain_text("Delay notice open: Card payments charged twice")
    shoot(lead, "lead-sees-escalation-and-notice")
    lead.goto(f"{base}/agent/tickets/{ticket.reference}/")
    expect(lead.locator("#ticket-sla")).to_contain_text("Team lead")
    shoot(lead, "lead-sees-ticket-clocks")
    page.goto(f"{base}/priorities/")
    expect(page.locator("#targets")).to_contain_text("4 business hours")
    shoot(page, "public-priorities-page")

    # 5. The lead's settings: policies, hours with the holidays ahead, the queue by deadline.
    lead.goto(f"{base}/agent/sla/settings/")
    expect(lead.locator("body")).to_contain_text("Billing office hours")
    shoot(lead, "lead-settings")
    lead.get_by_role("link", name="Billing office hours").click()
    expect(lead.locator("body")).to_contain_text("Closed days ahead")
    shoot(lead, "lead-edits-business-hours")
    lead.goto(f"{base}/agent/?tab=all&sort=deadline")
    expect(lead.locator("body")).to_contain_text(ticket.reference)
    shoot(lead, "queue-by-next-deadline")
