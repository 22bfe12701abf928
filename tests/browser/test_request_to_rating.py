"""The whole loop in real Chromium: a customer asks, an agent answers, the customer rates, the lead sees it."""

import io
import re

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from helpwell.people.actions import do_set_photo
from helpwell.people.models import Agent, Role, Team
from helpwell.test import PASSWORD, make_agent, make_priorities
from helpwell.tickets.models import Category, Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def portrait() -> bytes:
    """A small made-up portrait, so the photo the customer sees is a real upload, not the fallback."""
    image = Image.new("RGB", (400, 400), "#c7d2fe")
    draw = ImageDraw.Draw(image)
    draw.ellipse((130, 70, 270, 210), fill="#f2c9a0")
    draw.ellipse((80, 220, 320, 460), fill="#4338ca")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def links_in(message) -> list[str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.findall(r"https?://\S+", text)


def to(sink, address: str) -> list:
    return [m for m in sink.messages if address in str(m["To"])]


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_request_goes_from_the_portal_to_a_rated_resolution(
    page: Page, live_server, smtp_inbox, settings, shoot
):
    settings.SITE_URL = live_server.url
    base = live_server.url
    make_priorities()
    billing = Team.objects.create(name="Billing", slug="billing", description="Invoices and refunds")
    Category.objects.create(name="Invoices", slug="invoices", team=billing)
    alice = make_agent("alice", "Alice Martin", teams=(billing,))
    Agent.objects.filter(user=alice).update(job_title="Billing specialist")
    do_set_photo(alice.agent, portrait(), actor=alice)
    make_agent("lena", "Lena Fischer", role=Role.LEAD, teams=(billing,))

    # 1. The customer asks.
    page.goto(f"{base}/portal/new/")
    page.get_by_label("Your name").fill("Carol Chen")
    page.get_by_label("Email address").fill("carol@acme.example")
    page.get_by_label("Subject").fill("Invoice 1042 charged twice")
    page.get_by_label("What is it about?").select_option(label="Invoices")
    page.get_by_label("Tell us what happened").fill(
        "My card was charged twice for invoice 1042 this morning."
    )
    page.get_by_text("Just me").click()
    page.get_by_text("It slows me down").click()
    shoot(page, "customer-fills-request")
    page.get_by_role("button", name=re.compile("Send")).click()

    ticket = Ticket.objects.get(subject="Invoice 1042 charged twice")
    expect(page.get_by_text(ticket.reference).first).to_be_visible()
    expect(page.locator("body")).to_contain_text(re.compile(r"\d{2}:\d{2}"))
    shoot(page, "customer-sees-reference-and-promise")

    # 2. The acknowledgement mail holds the reference and the promised time, in the customer's zone.
    acks = to(smtp_inbox, "carol@acme.example")
    assert len(acks) == 1
    ack_text = acks[0].get_body(preferencelist=("plain",)).get_content()
    assert ticket.reference in acks[0]["Subject"]
    assert "your time (Europe/Berlin)" in ack_text
    assert ticket.priority.name in ack_text

    # 3. The agent finds it in the queue and replies.
    sign_in(page, base, "alice")
    page.locator(".tabs").get_by_role("link", name=re.compile("Unassigned")).click()
    expect(page.get_by_text(ticket.reference)).to_be_visible()
    shoot(page, "agent-queue")
    page.get_by_role("link", name="Invoice 1042 charged twice").click()
    page.locator("textarea[data-reply-body]").fill(
        "Hello Carol, thank you for telling us. I have refunded the second charge; it shows within 3 days."
    )
    page.locator("#reply button[type=submit]").click()
    expect(page.locator(".thread")).to_contain_text("I have refunded the second charge")
    shoot(page, "agent-replied")

    reply_mail = to(smtp_inbox, "carol@acme.example")[-1]
    assert "Alice Martin at Billing" in reply_mail["From"]
    portal_link = next(link for link in links_in(reply_mail) if "/portal/access/" in link)

    # 4. The customer follows the magic link and sees the reply, named and pictured.
    customer = page.context.browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
    customer.goto(portal_link)
    expect(customer.locator("body")).to_contain_text("I have refunded the second charge")
    expect(customer.locator("body")).to_contain_text("Alice Martin")
    photo = customer.locator(f"img[src*='/people/photo/{alice.agent.pk}/']").first
    expect(photo).to_be_visible()
    assert customer.evaluate("(img) => img.naturalWidth", photo.element_handle()) == 256
    shoot(customer, "customer-sees-named-reply")

    # 5. The agent solves it.
    page.get_by_label("Status").select_option(label="Solved")
    expect(page.locator("#ticket-properties")).to_contain_text("Solved")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    ticket.refresh_from_db()
    assert ticket.status == "solved"
    shoot(page, "agent-solved")

    # 6. The customer rates it with one click from the mail, then adds a comment.
    solved_mail = to(smtp_inbox, "carol@acme.example")[-1]
    assert "how did we do" in solved_mail["Subject"].lower()
    five = next(link for link in links_in(solved_mail) if re.search(r"/portal/rate/[^/]+/5/", link))
    customer.goto(five)
    expect(customer.locator("body")).to_contain_text(re.compile("thank you", re.I))
    customer.get_by_label("Anything you would like to tell us?").fill("Quick and kind, thank you Alice!")
    customer.get_by_role("button", name=re.compile("comment|Send|Save", re.I)).first.click()
    expect(customer.locator("body")).to_contain_text(re.compile("thank", re.I))
    shoot(customer, "customer-rated")
    ticket.refresh_from_db()
    assert ticket.rating.score == 5
    assert ticket.rating.agent == alice
    assert ticket.rating.comment == "Quick and kind, thank you Alice!"

    # 7. The lead sees the rating, credited to Alice.
    page.context.clear_cookies()
    sign_in(page, base, "lena")
    page.goto(f"{base}/agent/ratings/")
    expect(page.locator("body")).to_contain_text("Quick and kind, thank you Alice!")
    expect(page.locator("body")).to_contain_text(ticket.reference)
    shoot(page, "lead-sees-rating")
