import hashlib
from io import StringIO

from django.core.management import call_command
from django.test import Client

from helpwell.api.actions import do_issue_api_token, do_revoke_api_token
from helpwell.api.auth import agent_for_token
from helpwell.people.models import Agent
from helpwell.system.models import AuditEntry

from .base import ApiTestCase


class AgentTokenTests(ApiTestCase):
    def test_it_requires_credentials(self):
        error = self.assertError(self.get("tickets", None), 401, "unauthorized")
        self.assertIn("Bearer", error["message"])
        self.assertIn("Bearer", self.get("tickets", None)["WWW-Authenticate"])

    def test_writes_without_credentials_are_unauthorized_too(self):
        self.assertError(self.post("tickets", None, {"subject": "x", "body": "y"}), 401, "unauthorized")

    def test_it_refuses_a_made_up_token(self):
        self.client.defaults["HTTP_AUTHORIZATION"] = "Bearer hw_not-a-real-token"
        self.assertError(self.client.get("/api/v1/me"), 401, "unauthorized")

    def test_it_refuses_other_schemes(self):
        response = self.client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Token {self.tokens['alice']}")
        self.assertError(response, 401, "unauthorized")

    def test_it_knows_the_agent_behind_a_token(self):
        response = self.get("me", "alice")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["type"], "agent")
        self.assertEqual(body["via"], "token")
        self.assertEqual(body["agent"]["display_name"], "Alice Martin")
        self.assertEqual(body["agent"]["teams"], [{"slug": "billing", "name": "Billing"}])
        self.assertIsNone(body["customer"])

    def test_it_stores_only_a_hash_of_the_token(self):
        token = self.tokens["alice"]
        stored = Agent.objects.get(pk=self.alice.agent.pk).api_token_hash
        self.assertEqual(stored, hashlib.sha256(token.encode()).hexdigest())
        self.assertNotIn(token, stored)

    def test_it_finds_the_agent_in_one_query(self):
        with self.assertNumQueries(1):
            agent = agent_for_token(self.tokens["alice"])
            assert agent is not None
            self.assertEqual(agent.user.agent, agent)  # no second query for the way back

    def test_a_new_token_replaces_the_old_one(self):
        old = self.tokens["alice"]
        self.tokens["alice"] = do_issue_api_token(self.alice.agent, actor=self.ada)
        self.assertNotEqual(old, self.tokens["alice"])
        self.assertEqual(self.get("me", "alice").status_code, 200)
        self.client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {old}"
        self.assertError(self.client.get("/api/v1/me"), 401, "unauthorized")
        self.assertTrue(AuditEntry.objects.filter(action="agent.api_token_issued", actor=self.ada).exists())

    def test_a_revoked_token_stops_working(self):
        do_revoke_api_token(self.alice.agent, actor=self.ada)
        self.assertError(self.get("me", "alice"), 401, "unauthorized")
        self.assertTrue(AuditEntry.objects.filter(action="agent.api_token_revoked").exists())

    def test_a_deactivated_agents_token_stops_working(self):
        self.alice.is_active = False
        self.alice.save()
        self.assertError(self.get("me", "alice"), 401, "unauthorized")

    def test_the_command_prints_a_working_token_once(self):
        out = StringIO()
        call_command("api_token", "bob", stdout=out)
        token = next(line for line in out.getvalue().splitlines() if line.startswith("hw_"))
        response = self.client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
        self.assertEqual(response.json()["agent"]["display_name"], "Bob Okafor")
        call_command("api_token", "bob", "--revoke", stdout=StringIO())
        response = self.client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
        self.assertError(response, 401, "unauthorized")

    def test_the_command_explains_an_unknown_username(self):
        from django.core.management.base import CommandError

        with self.assertRaisesMessage(CommandError, "No agent"):
            call_command("api_token", "nobody", stdout=StringIO())


class CustomerTokenTests(ApiTestCase):
    def test_a_magic_link_token_stands_for_its_customer(self):
        body = self.get("me", "carol").json()
        self.assertEqual(body["type"], "customer")
        self.assertEqual(body["via"], "magic-link")
        self.assertEqual(body["customer"]["email"], "carol@acme.example")
        self.assertIsNone(body["agent"])

    def test_a_tampered_token_is_refused(self):
        self.tokens["carol"] = self.tokens["carol"][:-2] + "xx"
        self.assertError(self.get("me", "carol"), 401, "unauthorized")

    def test_rotating_the_customers_salt_revokes_the_token(self):
        self.carol.access_salt = "rotated"
        self.carol.save()
        self.assertError(self.get("me", "carol"), 401, "unauthorized")

    def test_customers_cannot_use_agent_only_endpoints(self):
        self.assertError(self.get("customers", "carol"), 403, "forbidden")
        self.assertError(self.get(f"customers/{self.dan.pk}", "carol"), 403, "forbidden")
        self.assertError(self.get("agents", "carol"), 403, "forbidden")


class SessionTests(ApiTestCase):
    def test_a_signed_in_agent_can_use_the_api_from_the_browser(self):
        self.client.force_login(self.alice)
        body = self.client.get("/api/v1/me").json()
        self.assertEqual((body["type"], body["via"]), ("agent", "session"))

    def test_session_writes_need_the_csrf_token(self):
        ticket = self.make_ticket()
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(self.alice)
        response = self.api(
            "post", f"tickets/{ticket.reference}/messages", None, {"body": "Hi"}, client=browser
        )
        self.assertError(response, 403, "csrf_failed")
        self.assertEqual(ticket.messages.count(), 1)

        browser.get("/api/v1/docs")  # sets the CSRF cookie
        csrf = browser.cookies["csrftoken"].value
        response = browser.post(
            f"/api/v1/tickets/{ticket.reference}/messages",
            {"body": "Hi"},
            content_type="application/json",
            HTTP_X_CSRFTOKEN=csrf,
        )
        self.assertEqual(response.status_code, 201, response.content)

    def test_a_signed_in_non_agent_is_not_let_in(self):
        from django.contrib.auth.models import User

        self.client.force_login(User.objects.create_user("visitor", password="x"))
        self.assertError(self.client.get("/api/v1/me"), 401, "unauthorized")
