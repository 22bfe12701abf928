"""Demo content for the guidelines: the default guidelines and code of conduct, a team glossary, a delivery
delay notice, two upset follow-ups and one abusive message waiting for a lead (on open demo conversations),
and a month of fixes and dismissals for the lead's report. Called with one line from helpwell/demo/loader.py."""

from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db.models import Count

from helpwell.lib.html import text_to_html
from helpwell.people.models import Team
from helpwell.tickets.models import Message, Ticket

from .actions import do_read_customer_message
from .models import CodeOfConduct, DelayNotice, FindingOutcome, GlossaryEntry, Guideline

TEAM_GLOSSARY = {
    "billing": {"proration": "part-month charge", "dunning": "payment reminders"},
    "shipping": {"consignment": "parcel", "POD": "proof of delivery"},
}

UPSET = [
    "I've written twice now and I'm still waiting. This is ridiculous: I need this sorted before my rent goes "
    "out on Friday, and nobody seems to care.",
    "Third time asking: where is it? Your tracking page has said 'in transit' for twelve days and the courier "
    "just hangs up on me. I'm fed up and honestly close to cancelling.",
]
ABUSIVE = (
    "You useless idiot, I have told you the details twice. I know your name, Sofia, and it's not hard to find "
    "where people live these days. Sort it out today."
)
DISMISSALS = [
    ("signoff", "dismissed", "Shared inbox for this business customer: they asked for team signatures"),
    ("readability", "dismissed", "Legal wording for the VAT reverse charge has to stay as it is"),
    ("jargon", "dismissed", "The customer is an accountant and used the term first"),
    ("length", "dismissed", "Step-by-step setup guide; they asked for every step"),
]
APPLIED = {"greeting": 9, "thanks": 7, "empathy": 5, "jargon": 6, "blame": 3, "shouting": 2, "signoff": 4}


def _agent(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def load_guidelines_demo(*, now: datetime) -> None:
    Guideline.objects.get_or_create(team=None)
    CodeOfConduct.load()
    teams = {t.slug: t for t in Team.objects.all()}
    for slug, entries in TEAM_GLOSSARY.items():
        if slug in teams:
            for term, plain in entries.items():
                GlossaryEntry.objects.get_or_create(team=teams[slug], term=term, defaults={"plain": plain})
    if "shipping" in teams:
        DelayNotice.objects.get_or_create(
            team=teams["shipping"],
            text="Deliveries to Ireland take 3 to 5 working days longer because of a carrier strike",
            defaults={"min_days": 3},
        )
    sofia, marcus = _agent("sofia"), _agent("marcus")
    shipping_agent = (
        User.objects.filter(agent__teams__slug="shipping", agent__role="agent").order_by("pk").first()
    )
    # Follow-ups on open demo conversations (the demo's 300 tickets stay 300): two upset, one abusive.
    open_threads = (
        Ticket.objects.filter(is_open=True, status__in=["open", "pending"])
        .annotate(n=Count("messages"))
        .filter(n__lte=4)
        .select_related("customer", "team")
        .order_by("reference")
    )
    picks: list[Ticket] = []
    for slug, owner in (("billing", sofia), ("shipping", shipping_agent), ("billing", sofia)):
        candidates = open_threads.filter(team__slug=slug).exclude(pk__in=[t.pk for t in picks])
        found = candidates.filter(assignee=owner).first() or candidates.first()
        if found is None:
            return
        if owner is not None and found.assignee_id != owner.pk:
            Ticket.objects.filter(pk=found.pk).update(assignee=owner)  # demo rows, like the rest of the demo
            found.assignee = owner
        picks.append(found)
    # Written like the rest of the demo (rows, no mail sent), then read like any incoming message.
    for ticket, body in zip(picks, [*UPSET, ABUSIVE], strict=True):
        message = Message.objects.create(
            ticket=ticket,
            author_customer=ticket.customer,
            body_text=body,
            body_html=text_to_html(body),
            created_at=now,
        )
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=now, status="open", is_open=True)
        do_read_customer_message(message, notify=False)
    made = picks
    # A month of what agents did with findings, for the lead's report.
    agents = [u for u in (sofia, marcus, shipping_agent) if u is not None]
    rows = []
    for i, (key, count) in enumerate(APPLIED.items()):
        for n in range(count):
            agent = agents[(i + n) % len(agents)]
            rows.append(FindingOutcome(ticket=made[n % len(made)], agent=agent, team=made[n % len(made)].team,
                                       check_key=key, outcome="applied", created_at=now - timedelta(days=n * 3 % 28)))  # fmt: skip
    for n, (key, outcome, reason) in enumerate(DISMISSALS):
        rows.append(FindingOutcome(ticket=made[0], agent=agents[n % len(agents)], team=made[0].team, check_key=key,
                                   outcome=outcome, reason=reason, created_at=now - timedelta(days=2 + n * 5)))  # fmt: skip
    FindingOutcome.objects.bulk_create(rows)
