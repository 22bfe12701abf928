"""The shared test cast and helpers.

Alice and Bob are agents on the Billing team; Lena leads it. Tom is an agent on Shipping only.
Ada is an admin. Carol is a customer of Acme; Dan is a customer of Globex and must never see Carol's tickets.
"""

import tempfile

from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import TestCase, override_settings

from helpwell.people.models import Agent, Customer, Organisation, Role, Team
from helpwell.tickets.models import Category, Priority

PASSWORD = "correct horse battery"

PRIORITIES = [
    ("urgent", "Urgent", "Service down or data at risk for many people; nothing works.", 60, 1),
    ("high", "High", "A key feature is broken for you and there is no workaround.", 4 * 60, 2),
    ("normal", "Normal", "Something is not working as expected, but you can carry on.", 24 * 60, 3),
    ("low", "Low", "A question, a how-to, or a suggestion.", 3 * 24 * 60, 4),
]


def make_priorities() -> dict[str, Priority]:
    out = {}
    for key, name, definition, minutes, rank in PRIORITIES:
        out[key], _ = Priority.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "definition": definition,
                "first_response_minutes": minutes,
                "rank": rank,
            },
        )
    return out


def make_agent(username: str, name: str, *, role: str = Role.AGENT, teams: tuple[Team, ...] = ()) -> User:
    user = User.objects.create_user(
        username, f"{username}@helpwell.test", PASSWORD, first_name=name.split()[0]
    )
    agent = Agent.objects.create(user=user, display_name=name, role=role, job_title="Support specialist")
    agent.teams.set(teams)
    return user


class BaseTestCase(TestCase):
    def setUp(self) -> None:
        super().setUp()
        # The cache outlives each test's rolled-back transaction (rate-limit counters, cached lists).
        cache.clear()
        # Uploaded photos and attachments go to a folder of this test's own, removed afterwards.
        media = tempfile.TemporaryDirectory()
        self.addCleanup(media.cleanup)
        media_settings = override_settings(MEDIA_ROOT=media.name)
        media_settings.enable()
        self.addCleanup(media_settings.disable)
        self.priorities = make_priorities()
        self.billing = Team.objects.create(name="Billing", slug="billing")
        self.shipping = Team.objects.create(name="Shipping", slug="shipping")
        self.invoices = Category.objects.create(name="Invoices", slug="invoices", team=self.billing)
        self.deliveries = Category.objects.create(name="Deliveries", slug="deliveries", team=self.shipping)
        self.alice = make_agent("alice", "Alice Martin", teams=(self.billing,))
        self.bob = make_agent("bob", "Bob Okafor", teams=(self.billing,))
        self.lena = make_agent("lena", "Lena Fischer", role=Role.LEAD, teams=(self.billing,))
        self.tom = make_agent("tom", "Tom Reyes", teams=(self.shipping,))
        self.ada = make_agent("ada", "Ada Lovelace", role=Role.ADMIN)
        self.acme = Organisation.objects.create(name="Acme", domain="acme.example")
        self.globex = Organisation.objects.create(name="Globex", domain="globex.example")
        self.carol = Customer.objects.create(
            name="Carol Chen", email="carol@acme.example", organisation=self.acme, time_zone="Europe/Berlin"
        )
        self.dan = Customer.objects.create(
            name="Dan Brown",
            email="dan@globex.example",
            organisation=self.globex,
            time_zone="America/New_York",
        )

    def make_ticket(self, customer: Customer | None = None, subject: str = "My invoice is wrong", **kwargs):
        from helpwell.tickets.actions import do_create_ticket

        kwargs.setdefault("category", self.invoices)
        return do_create_ticket(
            customer=customer or self.carol, subject=subject, body=kwargs.pop("body", "The total is off by 10 EUR."),
            notify=kwargs.pop("notify", False), **kwargs,
        )  # fmt: skip
