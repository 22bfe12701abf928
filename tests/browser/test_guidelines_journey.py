"""Guidelines in real Chromium: a draft is coached as it is typed, one fix applied, one finding dismissed with a
reason, the reply sent; then an abusive message arrives collapsed and the lead takes the ticket over."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from helpwell.guidelines.models import FindingOutcome, GlossaryEntry, MessageReading
from helpwell.people.models import Customer, Organisation, Role, Team
from helpwell.test import PASSWORD, make_agent, make_priorities
from helpwell.tickets.actions import do_assign_ticket, do_create_ticket, do_customer_reply
from helpwell.tickets.models import Category, Message

pytestmark = pytest.mark.django_db(transaction=True)

DRAFT = (
    "Hi Carol,\n\nThanks for your patience. As I already said, your RMA is approved and the courier "
    "collects the parcel on Monday morning.\n\nThe Billing team"
)


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/agent/**")


def test_a_draft_is_coached_and_a_lead_takes_the_heat(page: Page, browser: Browser, live_server, shoot):
    base = live_server.url
    make_priorities()
    billing = Team.objects.create(name="Billing", slug="billing")
    invoices = Category.objects.create(name="Invoices", slug="invoices", team=billing)
    alice = make_agent("alice", "Alice Martin", teams=(billing,))
    lena = make_agent("lena", "Lena Fischer", role=Role.LEAD, teams=(billing,))
    GlossaryEntry.objects.get_or_create(team=None, term="RMA", defaults={"plain": "return number"})
    carol = Customer.objects.create(
        name="Carol Chen", email="carol@acme.example", organisation=Organisation.objects.create(name="Acme")
    )
    ticket = do_create_ticket(
        customer=carol, subject="Refund for the broken kettle", category=invoices, notify=False,
        body="Hello, the kettle I bought stopped working after a week. Can I send it back for a refund?",
    )  # fmt: skip
    do_assign_ticket(ticket, alice, actor=alice)

    # 1. Alice types a draft that breaks three guidelines; the findings appear as she types.
    sign_in(page, base, "alice")
    page.goto(f"{base}/agent/tickets/{ticket.reference}/")
    page.get_by_label("Message").fill(DRAFT)
    findings = page.locator("#gl-findings .gl-finding")
    expect(findings).to_have_count(3)
    expect(page.locator("#gl-findings")).to_contain_text("“As I already said” can read as blaming")
    expect(page.locator("#gl-findings")).to_contain_text("“RMA” is an internal term.")
    expect(page.locator("#gl-findings")).to_contain_text("The reply is not signed with your name.")
    shoot(page, "findings-appear")

    # 2. One click applies the glossary's plain words.
    page.locator("[data-gl-check=jargon]").get_by_role("button", name="Say “return number”").click()
    expect(page.get_by_label("Message")).to_have_value(DRAFT.replace("RMA", "return number"))
    expect(findings).to_have_count(2)
    shoot(page, "fix-applied")

    # 3. She dismisses the sign-off finding, with a reason.
    signoff = page.locator("[data-gl-check=signoff]")
    signoff.get_by_text("Dismiss…").click()
    signoff.get_by_placeholder("Why doesn't this apply here?").fill(
        "This customer's contract asks for team signatures"
    )
    signoff.get_by_role("button", name="Dismiss", exact=True).click()
    expect(findings).to_have_count(1)
    expect(page.locator("[data-gl-check=blame]")).to_be_visible()
    shoot(page, "finding-dismissed")

    # 4. A warning never blocks: she sends.
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".msg-agent .msg-text").last).to_contain_text("your return number is approved")
    sent = Message.objects.get(ticket=ticket, author_user=alice)
    assert "RMA" not in sent.body_text
    outcomes = dict(FindingOutcome.objects.values_list("check_key", "outcome"))
    assert outcomes == {"jargon": "applied", "signoff": "dismissed"}
    assert FindingOutcome.objects.get(check_key="signoff").reason.startswith("This customer's contract")
    shoot(page, "reply-sent")

    # 5. An abusive message arrives: Alice sees it collapsed behind a warning.
    do_customer_reply(
        ticket, customer=carol,
        body="You useless idiot. I know where you live and I know when you finish work.",
    )  # fmt: skip
    page.reload()
    shielded = page.locator("details.gl-shielded")
    expect(shielded).to_have_count(1)
    expect(shielded).not_to_have_attribute("open", "")
    expect(shielded.locator("summary")).to_contain_text("Held back: this message reads as abusive")
    expect(page.get_by_text("I know where you live")).to_be_hidden()
    expect(page.locator(".gl-banner")).to_contain_text("Your team lead has been told")
    shoot(page, "abusive-message-collapsed")

    # 6. Lena, the lead, takes the ticket over.
    lead_context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    lead_page = lead_context.new_page()
    sign_in(lead_page, base, "lena")
    lead_page.goto(f"{base}/agent/guidelines/wellbeing/")
    expect(lead_page.locator("[data-gl-flags]")).to_contain_text(ticket.reference)
    shoot(lead_page, "lead-wellbeing-flag")
    lead_page.get_by_role("link", name=f"{ticket.reference} {ticket.subject}").click()
    lead_page.get_by_role("button", name="Take over this ticket").click()
    expect(lead_page.locator(".gl-banner")).to_contain_text("A lead has taken the heat on this ticket")
    expect(lead_page.locator("#prop_assignee")).to_have_value(str(lena.pk))
    lead_page.get_by_role("button", name="Use the code-of-conduct reply").click()
    expect(lead_page.get_by_label("Message")).to_have_value(
        re.compile(r"^Hi Carol,.*code of conduct.*/conduct/", re.S)
    )
    shoot(lead_page, "lead-took-over")

    # 7. The lead's side: which rules agents accept or dismiss, and the settings behind them.
    lead_page.goto(f"{base}/agent/guidelines/report/")
    expect(lead_page.locator("[data-gl-report] tr[data-check=signoff]")).to_contain_text("1")
    expect(lead_page.get_by_text("This customer's contract asks for team signatures")).to_be_visible()
    shoot(lead_page, "lead-report")
    lead_page.goto(f"{base}/agent/guidelines/settings/?team=billing")
    lead_page.get_by_label("Severity of No blaming or dismissive phrases").select_option("blocking")
    lead_page.get_by_role("button", name="Save checks").click()
    expect(lead_page.get_by_text("Saved.")).to_be_visible()
    shoot(lead_page, "lead-settings")
    lead_context.close()
    ticket.refresh_from_db()
    assert ticket.assignee == lena
    assert MessageReading.objects.get(abusive=True).handled_by == lena
