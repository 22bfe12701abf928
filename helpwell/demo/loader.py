"""Load the demo: Brightleaf Home's support team, its customers and 300 tickets from the last 60 days.

Deterministic: the same seed gives the same people, subjects, threads and ratings (times are relative
to now). People, photos and site settings go through the actions layer. Tickets are written in bulk with
their history back-dated, which the ticket actions (they stamp "now" and send mail) are not for; the rows
are the same the actions would write: messages, events for every change, first-response and solved
times, ratings credited to the agent who handled the ticket. Nothing is emailed.
"""

import os
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from helpwell.feedback.models import Rating
from helpwell.guidelines.demo import load_guidelines_demo
from helpwell.kb.demo import load_kb_demo
from helpwell.lib.html import text_to_html
from helpwell.people.actions import do_set_photo
from helpwell.people.models import Agent, Customer, Organisation, Team
from helpwell.sla.demo import load_sla_demo
from helpwell.system.actions import do_update_site_settings
from helpwell.system.models import SiteSettings
from helpwell.tickets.models import (
    OPEN_STATUSES,
    REFERENCE_ALPHABET,
    REFERENCE_LENGTH,
    Category,
    Channel,
    Message,
    Priority,
    Status,
    Tag,
    Ticket,
    TicketEvent,
)

from . import stories
from .avatars import portrait
from .defaults import ensure_priorities
from .people import AGENTS, INDIVIDUALS, ORGANISATIONS, TEAMS, DemoAgent

SEED = 2024
TICKETS = 300
DAYS = 60
DEFAULT_PASSWORD = "helpwell-demo"

# How many tickets end in each status; every status is present.
STATUS_PLAN = {
    Status.CLOSED: 96,
    Status.SOLVED: 94,
    Status.OPEN: 40,
    Status.PENDING: 26,
    Status.ON_HOLD: 12,
    Status.NEW: 32,
}
PRIORITY_WEIGHTS = {"urgent": 8, "high": 22, "normal": 50, "low": 20}
CHANNEL_WEIGHTS = {Channel.WEB: 50, Channel.EMAIL: 38, Channel.PHONE: 6, Channel.API: 6}
CATEGORY_WEIGHTS = {"delivery": 14, "setup": 13, "refunds": 11, "app-accounts": 10, "returns": 8, "bugs": 9,
                    "invoices": 7, "subscriptions": 7, "payment-methods": 6, "integrations": 6,
                    "damaged-items": 5, "address-changes": 4}  # fmt: skip
# Days ago a ticket in each final status was created: recent ones are still open, old ones closed.
AGE_DAYS = {
    Status.NEW: (0.02, 1.5),
    Status.OPEN: (0.2, 6),
    Status.PENDING: (1, 12),
    Status.ON_HOLD: (2, 25),
    Status.SOLVED: (1, 20),
    Status.CLOSED: (8, DAYS),
}
# The shapes a thread takes, by final status. C = customer, A = agent in public, N = internal note.
THREADS = {
    Status.NEW: (("opening", "nudge"), ("opening", "triage")),
    Status.OPEN: (("opening", "ask", "answer"), ("opening", "triage", "ask", "answer"),
                  ("opening", "ack", "nudge"), ("opening", "ask", "answer", "nudge")),
    Status.PENDING: (("opening", "ask"), ("opening", "triage", "ask"), ("opening", "ack", "nudge", "ask")),
    Status.ON_HOLD: (("opening", "ack", "hold"), ("opening", "ask", "answer", "hold"),
                     ("opening", "ask", "answer", "ack", "hold")),
    Status.SOLVED: (("opening", "fix"), ("opening", "ask", "answer", "fix"),
                    ("opening", "ask", "answer", "fix", "thanks"), ("opening", "note", "ask", "answer", "fix"),
                    ("opening", "ask", "answer", "note", "fix", "thanks"), ("opening", "ack", "nudge", "fix")),
}  # fmt: skip
THREADS[Status.CLOSED] = THREADS[Status.SOLVED]
CUSTOMER_STEPS = {"opening", "answer", "nudge", "thanks"}
NOTE_STEPS = {"note", "triage", "hold"}
RATED_SHARE = 0.62
COMMENT_SHARE = 0.65


def demo_password() -> str:
    return os.environ.get("HELPWELL_DEMO_PASSWORD", DEFAULT_PASSWORD)


def demo_loaded() -> bool:
    return User.objects.filter(username__in=[a.username for a in AGENTS]).exists()


@dataclass
class DemoResult:
    agents: int = 0
    customers: int = 0
    tickets: int = 0
    messages: int = 0
    ratings: int = 0
    seconds: float = 0.0
    logins: list[tuple[str, str, str]] = field(default_factory=list)


@transaction.atomic
def load_demo(*, seed: int = SEED, tickets: int = TICKETS, now: datetime | None = None) -> DemoResult:
    started = time.monotonic()
    builder = _Builder(random.Random(seed), now or timezone.now())
    result = builder.build(tickets)
    result.seconds = time.monotonic() - started
    return result


def _weighted(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Builder:
    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.tags: dict[str, Tag] = {}

    # --- people ---------------------------------------------------------------------------------

    def build(self, ticket_count: int) -> DemoResult:
        ensure_priorities()
        self.priorities = {p.key: p for p in Priority.objects.all()}
        self.teams, self.categories = self._teams()
        self.agents = self._agents()
        self.customers = self._customers()
        made = self._tickets(ticket_count)
        site = SiteSettings.load()
        do_update_site_settings(site, actor=None, team_page_enabled=True)
        load_sla_demo(now=self.now)  # policies, team hours, an escalation path, a delay notice, clocks
        load_guidelines_demo(now=self.now)  # default guidelines, glossary, upset and abusive demo tickets
        load_kb_demo(now=self.now)  # the help centre, and the search index over all the demo tickets
        return DemoResult(
            agents=len(self.agents),
            customers=len(self.customers),
            tickets=len(made),
            messages=self.message_count,
            ratings=self.rating_count,
            logins=[(a.username, a.display_name, a.job_title) for a in AGENTS],
        )

    def _teams(self) -> tuple[dict[str, Team], dict[str, Category]]:
        teams, categories = {}, {}
        for spec in TEAMS:
            team, _ = Team.objects.get_or_create(
                slug=spec.slug, defaults={"name": spec.name, "description": spec.description}
            )
            teams[spec.slug] = team
            for slug, name, description in spec.categories:
                categories[slug], _ = Category.objects.get_or_create(
                    slug=slug, defaults={"name": name, "team": team, "description": description}
                )
        return teams, categories

    def _agents(self) -> dict[str, User]:
        password = make_password(demo_password())  # hashed once: the same for every demo login
        users = {}
        for n, spec in enumerate(AGENTS):
            first, _, last = spec.display_name.partition(" ")
            user = User.objects.create(
                username=spec.username,
                email=f"{spec.username}@brightleaf.example",
                first_name=first,
                last_name=last,
                password=password,
                is_staff=spec.role == "admin",
                is_superuser=spec.role == "admin",
                date_joined=self.now - timedelta(days=400 - n * 30),
            )
            agent = Agent.objects.create(
                user=user,
                display_name=spec.display_name,
                role=spec.role,
                job_title=spec.job_title,
                bio=spec.bio,
                interests=spec.interests,
                languages=spec.languages,
                time_zone=spec.time_zone,
                avatar_colour=spec.avatar_colour,
                created_at=user.date_joined,
            )
            agent.teams.set([self.teams[slug] for slug in spec.teams])
            do_set_photo(agent, portrait(agent.initials, spec.avatar_colour, seed=n), actor=None)
            users[spec.username] = user
        self.specs = {spec.username: spec for spec in AGENTS}
        self.team_agents: dict[str, list[DemoAgent]] = {
            slug: [spec for spec in AGENTS if slug in spec.teams] for slug in self.teams
        }
        return users

    def _customers(self) -> list[Customer]:
        customers = []
        for org_spec in ORGANISATIONS:
            org, _ = Organisation.objects.get_or_create(
                name=org_spec.name,
                defaults={"domain": org_spec.domain, "tier": org_spec.tier, "notes": org_spec.notes,
                          "created_at": self.now - timedelta(days=self.rng.randint(200, 700))},
            )  # fmt: skip
            for name, local, language, zone in org_spec.people:
                customers.append(self._customer(name, f"{local}@{org_spec.domain}", language, zone, org))
        for name, email, language, zone in INDIVIDUALS:
            customers.append(self._customer(name, email, language, zone, None))
        return customers

    def _customer(
        self, name: str, email: str, language: str, zone: str, org: Organisation | None
    ) -> Customer:
        return Customer.objects.create(
            name=name,
            email=email,
            organisation=org,
            language=language,
            time_zone=zone,
            created_at=self.now - timedelta(days=self.rng.randint(DAYS + 5, 500)),
        )

    # --- tickets --------------------------------------------------------------------------------

    def _tickets(self, count: int) -> list[Ticket]:
        rng = self.rng
        plan = [status for status, n in STATUS_PLAN.items() for _ in range(n)]
        plan = (plan * (count // len(plan) + 1))[:count]
        rng.shuffle(plan)
        priorities = [_weighted(rng, PRIORITY_WEIGHTS) for _ in plan]
        priorities[: len(PRIORITY_WEIGHTS)] = list(PRIORITY_WEIGHTS)  # every priority, whatever the seed
        # A few customers write often (a facilities desk), most now and then.
        order = self.customers[:]
        rng.shuffle(order)
        customer_weights = [1 / (rank + 1) ** 0.45 for rank in range(len(order))]
        seen_references = set(Ticket.objects.values_list("reference", flat=True))

        rows: list[tuple[Ticket, list[Message], list[dict[str, Any]], dict[str, Any] | None, list[str]]] = []
        # Every customer has at least one ticket; the rest follow the weights.
        customers = order + rng.choices(order, weights=customer_weights, k=max(0, count - len(order)))
        customers = customers[:count]
        rng.shuffle(customers)
        for status, priority_key, customer in zip(plan, priorities, customers, strict=True):
            rows.append(self._ticket(status, self.priorities[priority_key], customer, seen_references))

        Ticket.objects.bulk_create([r[0] for r in rows])
        messages, events, ratings, links = [], [], [], []
        through = Ticket.tags.through
        for ticket, ticket_messages, ticket_events, rating, tag_names in rows:
            for message in ticket_messages:
                message.ticket = ticket
            messages += ticket_messages
            events += [TicketEvent(ticket=ticket, **e) for e in ticket_events]
            if rating:
                ratings.append(Rating(ticket=ticket, customer=ticket.customer, **rating))
            links += [through(ticket_id=ticket.pk, tag_id=self._tag(name).pk) for name in tag_names]
        Message.objects.bulk_create(messages, batch_size=500)
        TicketEvent.objects.bulk_create(events, batch_size=500)
        Rating.objects.bulk_create(ratings, batch_size=500)
        through.objects.bulk_create(links, batch_size=500)
        self.message_count, self.rating_count = len(messages), len(ratings)
        return [r[0] for r in rows]

    def _tag(self, name: str) -> Tag:
        if name not in self.tags:
            self.tags[name], _ = Tag.objects.get_or_create(name=name)
        return self.tags[name]

    def _reference(self, seen: set[str]) -> str:
        while True:
            reference = "HW-" + "".join(self.rng.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
            if reference not in seen:
                seen.add(reference)
                return reference

    def _slots(self) -> dict[str, str]:
        rng = self.rng
        return {
            "order": f"BL-{rng.randint(100000, 999999)}",
            "invoice": f"INV-{rng.randint(2024, 2025)}-{rng.randint(1000, 9999)}",
            "amount": f"€{rng.choice([19, 24, 49, 79, 129, 149, 199, 249])}.{rng.choice(['00', '90', '99'])}",
            "month": rng.choice(stories.MONTHS),
            "plan": rng.choice(stories.PLANS),
            "device": rng.choice(stories.DEVICES),
            "carrier": rng.choice(stories.CARRIERS),
            "city": rng.choice(stories.CITIES),
            "tracking": f"{rng.choice(['JVGL', '3SBLF', '1Z9'])}{rng.randint(10**9, 10**10 - 1)}",
            "os": rng.choice(stories.OPERATING_SYSTEMS),
            "app_version": f"5.{rng.randint(2, 9)}.{rng.randint(0, 4)}",
            "count": str(rng.choice([12, 26, 40, 85, 140, 320])),
        }

    def _ticket(
        self, status: str, priority: Priority, customer: Customer, seen: set[str]
    ) -> tuple[Ticket, list[Message], list[dict[str, Any]], dict[str, Any] | None, list[str]]:
        rng = self.rng
        category_slug = _weighted(rng, CATEGORY_WEIGHTS)
        category = self.categories[category_slug]
        team = category.team
        assert team is not None
        story = rng.choice(stories.STORIES[category_slug])
        slots = self._slots()
        subject = rng.choice(story.subjects).format(**slots)
        channel = _weighted(rng, CHANNEL_WEIGHTS)
        if category_slug == "integrations" and rng.random() < 0.5:
            channel = Channel.API
        low, high = AGE_DAYS[Status(status)]
        age = timedelta(days=rng.uniform(low, high))
        if status == Status.NEW:  # unanswered: mostly inside the promise, a few just past it
            age = min(age, priority.first_response_delta * rng.uniform(0.1, 1.3))
        created = self.now - age
        steps = rng.choice(THREADS[Status(status)])
        handler = self._pick_agent(team.slug)
        assignee = None if status == Status.NEW and rng.random() < 0.8 else handler
        times = self._times(created, steps, priority)

        messages: list[Message] = []
        events: list[dict[str, Any]] = [
            {"kind": TicketEvent.Kind.CREATED, "actor_customer": customer, "channel": channel,
             "new_value": priority.name, "created_at": created}
        ]  # fmt: skip
        state: str = Status.NEW
        first_response: datetime | None = None
        solved_at: datetime | None = None
        assigned = False
        agent_user = self.agents[handler.username]
        last_time = created

        def change(new: str, at: datetime, *, user: Any = None, by: Customer | None = None) -> None:
            nonlocal state
            if new == state:
                return
            events.append({"kind": TicketEvent.Kind.STATUS, "actor_user": user, "actor_customer": by,
                           "old_value": Status(state).label, "new_value": Status(new).label, "created_at": at})  # fmt: skip
            state = new

        for index, (step, at) in enumerate(zip(steps, times, strict=True)):
            last_time = at
            if step in CUSTOMER_STEPS:
                body = self._customer_text(step, story, slots, customer)
                messages.append(Message(author_customer=customer, body_text=body, body_html=text_to_html(body),
                                        channel=channel, created_at=at))  # fmt: skip
                if step != "opening":
                    events.append({"kind": TicketEvent.Kind.CUSTOMER_REPLIED, "actor_customer": customer,
                                   "channel": channel, "created_at": at})  # fmt: skip
                    if step == "thanks" and index == len(steps) - 1:
                        change(Status.SOLVED, at, by=customer)
                        solved_at = at
                    elif state == Status.PENDING:
                        change(Status.OPEN, at, by=customer)
                continue
            author = (
                agent_user if step != "triage" or assignee else self.agents[self._lead(team.slug).username]
            )
            if not assigned and assignee is not None:
                events.append({"kind": TicketEvent.Kind.ASSIGNED, "actor_user": agent_user,
                               "new_value": handler.display_name, "created_at": at})  # fmt: skip
                assigned = True
            if step in NOTE_STEPS:
                body = self._note_text(step, story, slots)
                messages.append(Message(kind=Message.Kind.INTERNAL, author_user=author, body_text=body,
                                        body_html=text_to_html(body), created_at=at))  # fmt: skip
                events.append({"kind": TicketEvent.Kind.NOTED, "actor_user": author, "created_at": at})
                if step == "hold":
                    change(Status.ON_HOLD, at, user=author)
                continue
            body = self._agent_text(step, story, slots, customer, handler)
            messages.append(Message(author_user=agent_user, body_text=body, body_html=text_to_html(body),
                                    created_at=at))  # fmt: skip
            events.append({"kind": TicketEvent.Kind.REPLIED, "actor_user": agent_user, "created_at": at})
            first_response = first_response or at
            # As do_reply does: a reply opens a new ticket, or sets the status the agent chose with it.
            target = Status.OPEN
            if step == "ask" or (step == "fix" and index + 1 < len(steps) and steps[index + 1] == "thanks"):
                target = Status.PENDING  # waiting for the customer's answer (or their confirmation)
            elif step == "fix":
                target = Status.SOLVED
                solved_at = at
            change(target, at, user=agent_user)

        if assignee is not None and not assigned:  # a lead assigned it before anyone wrote
            lead = self.agents[self._lead(team.slug).username]
            events.append({"kind": TicketEvent.Kind.ASSIGNED, "actor_user": lead, "new_value": handler.display_name,
                           "created_at": created + (times[-1] - created) / 2})  # fmt: skip
        closed_at = None
        if status == Status.CLOSED:
            assert solved_at is not None
            closed_at = min(solved_at + timedelta(days=rng.uniform(3, 5)), self.now - timedelta(hours=1))
            closed_at = max(closed_at, solved_at + timedelta(minutes=5))
            change(Status.CLOSED, closed_at)
            last_time = closed_at
        assert state == status, (state, status, steps)

        ticket = Ticket(
            reference=self._reference(seen),
            subject=subject[:200],
            status=status,
            is_open=status in OPEN_STATUSES,
            priority=priority,
            category=category,
            channel=channel,
            customer=customer,
            assignee=self.agents[handler.username] if assignee else None,
            team=team,
            created_at=created,
            updated_at=last_time,
            first_response_due=created + priority.first_response_delta,
            first_response_at=first_response,
            solved_at=solved_at,
            closed_at=closed_at,
        )
        rating = None
        if solved_at is not None and rng.random() < RATED_SHARE:
            rating = self._rating(ticket, solved_at, closed_at)
            if rating:
                events.append({"kind": TicketEvent.Kind.RATED, "actor_customer": customer,
                               "new_value": f"{rating['score']}/5" + (" with a comment" if rating["comment"] else ""),
                               "created_at": rating["created_at"]})  # fmt: skip
        tags = list(story.tags[: rng.randint(0, len(story.tags))])
        if customer.organisation and customer.organisation.tier == "premium":
            tags.append("vip")
        events.sort(key=lambda e: e["created_at"])
        for event in events:
            event.setdefault("channel", Channel.WEB)
        return ticket, messages, events, rating, tags

    def _pick_agent(self, team_slug: str) -> DemoAgent:
        people = self.team_agents[team_slug]
        return self.rng.choices(people, weights=[p.workload for p in people])[0]

    def _lead(self, team_slug: str) -> DemoAgent:
        leads = [p for p in self.team_agents[team_slug] if p.role == "lead"]
        return leads[0] if leads else self.team_agents[team_slug][0]

    def _times(self, created: datetime, steps: tuple[str, ...], priority: Priority) -> list[datetime]:
        """When each step happened: first answers inside the promise (mostly), then plausible gaps."""
        rng = self.rng
        target = priority.first_response_minutes
        gaps: list[float] = [0.0]  # minutes after the previous step
        answered = False
        for step in steps[1:]:
            if step in NOTE_STEPS:
                gaps.append(rng.uniform(3, 90))
            elif step in CUSTOMER_STEPS:
                gaps.append(rng.uniform(20, 18 * 60))
            elif not answered:
                breach = rng.random() < 0.12
                gaps.append(target * (rng.uniform(1.1, 2.2) if breach else rng.uniform(0.08, 0.85)))
                answered = True
            else:
                gaps.append(rng.uniform(15, min(8 * 60, target)))
        total = sum(gaps)
        available = (self.now - created).total_seconds() / 60
        room = available - min(rng.uniform(5, 45), available * 0.3)
        if total > room:  # a thread never ends in the future
            gaps = [g * room / total for g in gaps]
        moments, at = [], created
        for gap in gaps:
            at = at + timedelta(minutes=gap)
            moments.append(at)
        return moments

    def _customer_text(
        self, step: str, story: stories.Story, slots: dict[str, str], customer: Customer
    ) -> str:
        first = customer.name.split()[0]
        if step == "opening":
            body = story.opening.format(**slots)
            greeting = self.rng.choice(("Hello,", "Hi there,", "Hi,", "Good morning,"))
            return f"{greeting}\n\n{body}\n\nThanks,\n{first}"
        if step == "answer":
            return f"{story.answer.format(**slots)}\n\n{first}"
        if step == "nudge":
            return f"{self.rng.choice(stories.NUDGES)}\n\n{first}"
        return f"{self.rng.choice(stories.THANKS)}\n\n{first}"

    def _agent_text(
        self, step: str, story: stories.Story, slots: dict[str, str], customer: Customer, agent: DemoAgent
    ) -> str:
        text = {"ask": story.ask, "fix": story.fix}.get(step) or self.rng.choice(stories.ESCALATIONS)
        sign_off = self.rng.choice(("Best wishes,", "Kind regards,", "All the best,", "Thanks,"))
        first = customer.name.split()[0]
        greeting = "Hello," if first in {"Finance", "Facilities", "Maintenance"} else f"Hi {first},"
        return f"{greeting}\n\n{text.format(**slots)}\n\n{sign_off}\n{agent.display_name.split()[0]}"

    def _note_text(self, step: str, story: stories.Story, slots: dict[str, str]) -> str:
        if step == "note":
            return story.note.format(**slots)
        pool = stories.HOLD_NOTES if step == "hold" else stories.TRIAGE_NOTES
        return self.rng.choice(pool)

    def _rating(
        self, ticket: Ticket, solved_at: datetime, closed_at: datetime | None
    ) -> dict[str, Any] | None:
        rng = self.rng
        due, answered = ticket.first_response_due, ticket.first_response_at
        breached = due is not None and answered is not None and answered > due
        weights = {5: 50, 4: 27, 3: 11, 2: 7, 1: 5} if not breached else {5: 20, 4: 25, 3: 25, 2: 18, 1: 12}
        score = _weighted(rng, weights)
        comment = rng.choice(stories.RATING_COMMENTS[score]) if rng.random() < COMMENT_SHARE else ""
        at = solved_at + timedelta(minutes=rng.uniform(20, 36 * 60))
        if at >= self.now:
            at = solved_at + (self.now - solved_at) / 2
        return {
            "agent": ticket.assignee,
            "score": score,
            "comment": comment,
            "created_at": at,
            "updated_at": at,
        }
