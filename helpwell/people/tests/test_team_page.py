from datetime import UTC, datetime

import time_machine
from django.urls import reverse

from helpwell.people.models import Agent, Team
from helpwell.system.models import SiteSettings
from helpwell.test import BaseTestCase, make_agent


class TeamPageTests(BaseTestCase):
    url = reverse("people-team")

    def enable(self):
        site = SiteSettings.load()
        site.team_page_enabled = True
        site.save()

    def test_it_is_404_while_switched_off(self):
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_shows_only_people_who_opted_in_grouped_by_team(self):
        self.enable()
        Agent.objects.filter(user=self.bob).update(show_on_team_page=False, bio="Secret Bob")
        Agent.objects.filter(user=self.alice).update(bio="I untangle invoices.", interests="Sourdough")
        response = self.client.get(self.url)
        self.assertContains(response, "Meet the people who help you")
        self.assertContains(response, "Alice Martin")
        self.assertContains(response, "I untangle invoices.")
        self.assertContains(response, "Sourdough")
        self.assertContains(response, "Tom Reyes")
        self.assertNotContains(response, "Bob Okafor")
        self.assertNotContains(response, "Secret Bob")
        body = response.content.decode()
        self.assertLess(body.index(">Billing<"), body.index("Alice Martin"))
        self.assertLess(body.index("Alice Martin"), body.index(">Shipping<"))
        self.assertIn("Also on the team", body)  # Ada has no team
        self.assertIn(reverse("people-photo", args=[self.alice.agent.pk]), body)

    def test_it_hides_deactivated_accounts(self):
        self.enable()
        self.tom.is_active = False
        self.tom.save()
        self.assertNotContains(self.client.get(self.url), "Tom Reyes")

    def test_its_queries_do_not_grow_with_people(self):
        self.enable()
        self.client.get(self.url)
        with self.assertNumQueries(5) as small:
            self.client.get(self.url)
        team = Team.objects.create(name="Returns", slug="returns")
        for i in range(12):
            make_agent(f"extra{i}", f"Extra Person{i}", teams=(team, self.billing))
        with self.assertNumQueries(len(small.captured_queries)):
            response = self.client.get(self.url)
        self.assertContains(response, "Extra Person11")

    def test_a_person_on_two_teams_gets_one_card_and_a_mention(self):
        self.enable()
        self.tom.agent.teams.add(self.billing)
        body = self.client.get(self.url).content.decode()
        self.assertEqual(body.count('<h3 class="person-name">Tom Reyes</h3>'), 1)
        # His card stays with Shipping, the team he joined first; Billing names him.
        self.assertLess(body.index(">Shipping<"), body.index('<h3 class="person-name">Tom Reyes'))
        self.assertLess(body.index("Also helping here:"), body.index(">Shipping<"))

    def test_it_shows_each_persons_local_time(self):
        self.enable()
        Agent.objects.filter(user=self.tom).update(time_zone="America/New_York")
        with time_machine.travel(datetime(2026, 1, 15, 17, 30, tzinfo=UTC), tick=False):
            response = self.client.get(self.url)
        self.assertContains(response, 'New York <span class="muted">· 12:30 there now')
