from helpwell.people.models import Customer, Team
from helpwell.test import make_agent

from .base import ApiTestCase


class CustomersTests(ApiTestCase):
    def test_agents_list_customers_newest_first(self):
        body = self.get("customers", "tom").json()
        self.assertEqual([c["email"] for c in body["items"]], ["dan@globex.example", "carol@acme.example"])
        self.assertEqual(body["items"][1]["organisation"], {"id": self.acme.pk, "name": "Acme"})
        self.assertIsNone(body["next"])

    def test_agents_search_by_name_or_email(self):
        emails = lambda **p: [c["email"] for c in self.get("customers", "alice", p).json()["items"]]  # noqa: E731
        self.assertEqual(emails(q="chen"), ["carol@acme.example"])
        self.assertEqual(emails(q="globex"), ["dan@globex.example"])
        self.assertEqual(emails(email="CAROL@acme.example"), ["carol@acme.example"])
        self.assertEqual(emails(email="carol@acme"), [])

    def test_an_agent_gets_one_customer(self):
        body = self.get(f"customers/{self.carol.pk}", "alice").json()
        self.assertEqual((body["name"], body["time_zone"]), ("Carol Chen", "Europe/Berlin"))
        self.assertError(self.get("customers/99999", "alice"), 404, "not_found")

    def test_the_query_count_does_not_grow_with_customers(self):
        for i in range(30):
            Customer.objects.create(name=f"Customer {i}", email=f"c{i}@acme.example", organisation=self.acme)
        # token, page (with organisations)
        with self.assertNumQueries(2):
            body = self.get("customers", "alice", {"limit": 5}).json()
        self.assertEqual(len(body["items"]), 5)
        with self.assertNumQueries(2):
            body = self.get("customers", "alice", {"limit": 100}).json()
        self.assertEqual(len(body["items"]), 32)

    def test_it_pages_with_a_cursor(self):
        for i in range(5):
            Customer.objects.create(name=f"Customer {i}", email=f"c{i}@acme.example")
        first = self.get("customers", "alice", {"limit": 4}).json()
        second = self.get("customers", "alice", {"limit": 4, "cursor": first["next"]}).json()
        ids = [c["id"] for c in first["items"] + second["items"]]
        self.assertEqual(ids, sorted(Customer.objects.values_list("pk", flat=True), reverse=True))
        self.assertIsNone(second["next"])


class AgentsTests(ApiTestCase):
    def test_it_lists_the_team_with_titles_photos_and_teams(self):
        items = self.get("agents", "tom").json()["items"]
        alice = next(a for a in items if a["display_name"] == "Alice Martin")
        self.assertEqual(alice["job_title"], "Support specialist")
        self.assertEqual(alice["teams"], [{"slug": "billing", "name": "Billing"}])
        self.assertEqual(alice["photo_url"], f"http://testserver/people/photo/{self.alice.agent.pk}/")
        self.assertEqual(len(items), 5)

    def test_deactivated_agents_are_not_listed(self):
        self.bob.is_active = False
        self.bob.save()
        names = [a["display_name"] for a in self.get("agents", "alice").json()["items"]]
        self.assertNotIn("Bob Okafor", names)

    def test_the_query_count_does_not_grow_with_agents(self):
        teams = [Team.objects.create(name=f"Team {i}", slug=f"team-{i}") for i in range(3)]
        for i in range(20):
            make_agent(f"agent{i}", f"Agent {i}", teams=tuple(teams))
        # token, page, teams
        with self.assertNumQueries(3):
            self.assertEqual(len(self.get("agents", "alice", {"limit": 2}).json()["items"]), 2)
        with self.assertNumQueries(3):
            self.assertEqual(len(self.get("agents", "alice", {"limit": 100}).json()["items"]), 25)


class MeTests(ApiTestCase):
    def test_it_describes_the_agent(self):
        body = self.get("me", "lena").json()
        self.assertEqual((body["agent"]["role"], body["agent"]["display_name"]), ("lead", "Lena Fischer"))

    def test_it_describes_the_customer(self):
        body = self.get("me", "dan").json()
        self.assertEqual(body["customer"]["organisation"]["name"], "Globex")
