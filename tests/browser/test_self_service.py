"""Self-service in real Chromium: a suggestion answers a customer before they ask; an agent answers with an
article from the reply box."""

import random
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from helpwell.kb.demo import _articles
from helpwell.people.models import Customer, Role, Team
from helpwell.test import PASSWORD, make_agent, make_priorities
from helpwell.tickets.actions import do_create_ticket
from helpwell.tickets.models import Category

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def help_centre() -> dict:
    make_priorities()
    shipping = Team.objects.create(name="Shipping", slug="shipping", description="Orders and returns")
    billing = Team.objects.create(name="Billing", slug="billing", description="Invoices and refunds")
    Category.objects.create(name="Delivery", slug="delivery", team=shipping)
    refunds = Category.objects.create(name="Refunds", slug="refunds", team=billing)
    alice = make_agent("alice", "Alice Martin", teams=(billing,))
    lena = make_agent("lena", "Lena Fischer", role=Role.LEAD, teams=(billing, shipping))
    _articles(random.Random(1), timezone.now())  # the 95 Brightleaf demo articles
    return {"alice": alice, "lena": lena, "refunds": refunds}


def test_a_suggestion_answers_the_customer_before_they_send_a_request(
    browser: Browser, page: Page, live_server, shoot
):
    base = live_server.url
    help_centre()

    # The help centre, from the portal's header.
    page.goto(f"{base}/portal/")
    page.get_by_role("link", name="Help centre").first.click()
    expect(page.get_by_role("heading", name="How can we help?")).to_be_visible()
    shoot(page, "help-centre")

    # The customer starts a request and describes the problem in their own words.
    page.goto(f"{base}/portal/new/")
    page.get_by_label("Your name").fill("Carol Chen")
    page.get_by_label("Email address").fill("carol@acme.example")
    page.get_by_label("Subject").press_sequentially("Parcel says delivered", delay=20)
    page.get_by_label("Tell us what happened").press_sequentially(
        "but there is nothing at my door and the neighbours have not seen it", delay=5
    )
    suggestion = page.get_by_role("link", name="Tracking says delivered but the parcel is not here")
    expect(suggestion).to_be_visible()
    shoot(page, "suggestions-while-typing")

    # It opens in a new tab, so what the customer typed stays in the form.
    with page.context.expect_page() as opened:
        suggestion.click()
    article = opened.value
    article.wait_for_load_state()
    expect(article.get_by_text("Does this answer your question?")).to_be_visible()
    expect(
        article.get_by_role("heading", name="Tracking says delivered but the parcel is not here")
    ).to_be_visible()
    article.get_by_role("button", name="Yes, this answered my question").click()
    expect(article.get_by_text("Great, we are glad you found your answer.")).to_be_visible()
    article.get_by_role("button", name="Yes, it helped").click()
    expect(article.get_by_text("Thank you for your feedback!")).to_be_visible()
    shoot(article, "answered-my-question")

    # The customer leaves without sending anything.
    article.close()
    page.close()
    assert not Customer.objects.filter(email="carol@acme.example").exists()

    # The lead's report counts the request that never had to be written.
    lead = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(lead, base, "lena")
    lead.goto(f"{base}/agent/kb/report/")
    expect(lead.get_by_test_id("deflected")).to_have_text("1")
    expect(lead.get_by_test_id("deflection-rate")).to_have_text("100%")
    expect(lead.get_by_test_id("helpful")).to_have_text("1")
    expect(
        lead.get_by_role("cell", name="Tracking says delivered but the parcel is not here", exact=True)
    ).to_be_visible()
    shoot(lead, "lead-deflection-report")
    lead.context.close()


def test_an_agent_answers_with_an_article_from_the_reply_box(page: Page, live_server, shoot):
    base = live_server.url
    cast = help_centre()
    customer = Customer.objects.create(name="Dan Brown", email="dan@globex.example")
    ticket = do_create_ticket(
        customer=customer, subject="Where is my money?", category=cast["refunds"], notify=False,
        body="I sent the thermostat back last week. When do I get the refund?",
    )  # fmt: skip

    sign_in(page, base, "alice")
    page.goto(f"{base}/agent/tickets/{ticket.reference}/")
    page.get_by_text("Insert a help article").click()
    page.get_by_label("Search articles").press_sequentially("when do I get the refund", delay=20)
    result = page.locator(".kb-picker li", has_text="When will I get my refund?")
    expect(result).to_be_visible()
    shoot(page, "article-picker")
    body = page.locator("[data-reply-body]")
    body.fill("Hello Dan, thank you for sending it back.")
    result.get_by_role("button", name="Insert link").click()
    expect(body).to_have_value(
        re.compile(r"When will I get my refund\?: http://.+/help/articles/refund-timing/")
    )
    result.get_by_role("button", name="Insert text").click()
    expect(body).to_have_value(re.compile(r"We refund within 3 working days"))
    shoot(page, "article-inserted")
    page.get_by_role("button", name="Send reply").click()
    thread = page.locator(".thread")
    expect(thread.locator("a[href$='/help/articles/refund-timing/']")).to_be_visible()
    expect(thread.get_by_text("We refund within 3 working days")).to_be_visible()
    shoot(page, "reply-sent-with-article")

    # The global search box finds the ticket by what the customer wrote.
    page.locator("#global-q").fill("thermostat back")
    page.locator("#global-q").press("Enter")
    expect(
        page.get_by_test_id("ticket-results").get_by_role("link", name=re.compile("Where is my money"))
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Articles")).to_be_visible()  # loaded just after the tickets
    shoot(page, "global-search")
