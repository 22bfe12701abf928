from datetime import timedelta

import time_machine
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from helpwell.people.models import Role
from helpwell.system.heartbeat import beat
from helpwell.system.models import AuditEntry, SiteSettings
from helpwell.system.views import SignInView
from helpwell.test import PASSWORD, BaseTestCase, make_agent


class SettingsAccessTests(BaseTestCase):
    url = reverse("system-settings")

    def test_it_sends_anonymous_visitors_to_sign_in(self):
        response = self.client.get(self.url)
        self.assertRedirects(response, f"/login/?next={self.url}", fetch_redirect_response=False)

    def test_it_refuses_agents(self):
        self.client.login(username="alice", password=PASSWORD)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_it_is_404_for_accounts_that_are_not_agents(self):
        User.objects.create_user("visitor", password=PASSWORD)
        self.client.login(username="visitor", password=PASSWORD)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_a_lead_sees_priorities_and_people_but_not_site_settings(self):
        self.client.login(username="lena", password=PASSWORD)
        response = self.client.get(self.url)
        self.assertContains(response, "Priorities and response promises")
        self.assertContains(response, "Tom Reyes")
        self.assertNotContains(response, "Save site settings")
        self.assertNotContains(response, "Save Tom")  # leads do not change roles

    def test_an_admin_sees_everything(self):
        self.client.login(username="ada", password=PASSWORD)
        response = self.client.get(self.url)
        self.assertContains(response, "Save site settings")
        self.assertContains(response, "Save Tom")

    def test_the_health_check_still_answers(self):
        self.assertEqual(self.client.get(reverse("system-health")).json()["database"], "ok")

    def test_its_queries_do_not_grow_with_agents(self):
        self.client.login(username="ada", password=PASSWORD)
        self.client.get(self.url)
        with self.assertNumQueries(11) as few:
            self.client.get(self.url)
        for i in range(10):
            make_agent(f"extra{i}", f"Extra Person{i}", teams=(self.billing, self.shipping))
        with self.assertNumQueries(len(few.captured_queries)):
            response = self.client.get(self.url)
        self.assertContains(response, "Extra Person9")


class WorkerStatusTests(BaseTestCase):
    url = reverse("system-settings")

    def setUp(self):
        super().setUp()
        self.client.login(username="lena", password=PASSWORD)

    def test_it_warns_when_the_worker_never_ran(self):
        self.assertContains(self.client.get(self.url), "The background worker has never run")

    def test_it_shows_when_the_worker_was_last_seen(self):
        with time_machine.travel(timezone.now() - timedelta(minutes=2), tick=False):
            beat("worker-1", "database", swept=True)
        response = self.client.get(self.url)
        self.assertContains(response, "Worker last seen 2 min ago")
        self.assertContains(response, "is-ok")

    def test_it_warns_when_the_worker_stopped(self):
        with time_machine.travel(timezone.now() - timedelta(minutes=30), tick=False):
            beat("worker-1", "database")
        response = self.client.get(self.url)
        self.assertContains(response, "Worker last seen 30 min ago: it is not running")
        self.assertContains(response, "helpwell worker")


class PriorityEditTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.urgent = self.priorities["urgent"]
        self.url = reverse("system-settings-priority", args=[self.urgent.pk])

    def post(self, target="30", unit="minutes", **extra):
        data = {
            f"priority-{self.urgent.pk}-name": "Urgent",
            f"priority-{self.urgent.pk}-definition": "Nothing works for anyone.",
            f"priority-{self.urgent.pk}-target": target,
            f"priority-{self.urgent.pk}-unit": unit,
        }
        return self.client.post(self.url, data, **extra)

    def test_a_lead_changes_the_target_and_it_is_audited(self):
        before = self.make_ticket(priority=self.urgent)
        self.client.login(username="lena", password=PASSWORD)
        response = self.post(target="30", unit="minutes")
        self.assertRedirects(response, reverse("system-settings") + f"#priority-{self.urgent.pk}",
                             fetch_redirect_response=False)  # fmt: skip
        self.urgent.refresh_from_db()
        self.assertEqual(self.urgent.first_response_minutes, 30)
        self.assertEqual(self.urgent.definition, "Nothing works for anyone.")
        entry = AuditEntry.objects.get(action="tickets.priority_updated")
        self.assertEqual(entry.actor, self.lena)
        self.assertEqual(entry.changes["first_response_minutes"], [60, 30])
        # A promise already made stands; new requests get the new one.
        before.refresh_from_db()
        self.assertEqual(before.first_response_due - before.created_at, timedelta(hours=1))
        after = self.make_ticket(priority=self.urgent)
        self.assertEqual(after.first_response_due - after.created_at, timedelta(minutes=30))

    def test_the_change_shows_on_the_public_priorities_page_wording(self):
        self.client.login(username="lena", password=PASSWORD)
        self.post(target="2", unit="hours")
        self.urgent.refresh_from_db()
        self.assertEqual(self.urgent.target_label, "2 hours")

    def test_it_answers_htmx_with_just_the_row(self):
        self.client.login(username="lena", password=PASSWORD)
        response = self.post(target="2", unit="days", headers={"HX-Request": "true"})
        self.assertContains(response, "Saved ✓")
        self.assertContains(response, "now 2 days")
        self.assertNotContains(response, "<html")

    def test_it_refuses_a_zero_target_and_keeps_the_old_one(self):
        self.client.login(username="lena", password=PASSWORD)
        response = self.post(target="0")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "greater than or equal to 1", status_code=400)
        self.urgent.refresh_from_db()
        self.assertEqual(self.urgent.first_response_minutes, 60)

    def test_agents_cannot_change_priorities(self):
        self.client.login(username="alice", password=PASSWORD)
        self.assertEqual(self.post().status_code, 403)
        self.urgent.refresh_from_db()
        self.assertEqual(self.urgent.first_response_minutes, 60)
        self.assertFalse(AuditEntry.objects.exists())


class SiteSettingsTests(BaseTestCase):
    url = reverse("system-settings-site")

    def data(self, **overrides):
        data = {
            "site-site_name": "Acme Help",
            "site-brand_colour": "#0f766e",
            "site-support_email": "help@acme.example",
            "site-team_page_enabled": "on",
        }
        data.update(overrides)
        return data

    def test_an_admin_changes_site_settings_and_it_is_audited(self):
        self.client.login(username="ada", password=PASSWORD)
        self.client.post(self.url, self.data())
        site = SiteSettings.load()
        self.assertEqual(
            (site.site_name, site.brand_colour, site.team_page_enabled), ("Acme Help", "#0f766e", True)
        )
        entry = AuditEntry.objects.get(action="system.settings_updated")
        self.assertEqual(entry.changes["team_page_enabled"], [False, True])
        self.assertEqual(self.client.get(reverse("people-team")).status_code, 200)
        page = self.client.get(reverse("system-settings"))
        self.assertContains(page, "<strong>Ada Lovelace</strong> changed the site settings")
        self.assertContains(page, "team page: off → on")

    def test_it_refuses_a_brand_colour_white_text_cannot_be_read_on(self):
        self.client.login(username="ada", password=PASSWORD)
        response = self.client.post(self.url, self.data(**{"site-brand_colour": "#ffcc00"}))
        self.assertContains(response, "hard to read", status_code=400)
        self.assertContains(response, 'value="Acme Help"', status_code=400)
        self.assertEqual(SiteSettings.load().brand_colour, "#2f5bea")

    def test_leads_cannot_change_site_settings(self):
        self.client.login(username="lena", password=PASSWORD)
        self.assertEqual(self.client.post(self.url, self.data()).status_code, 403)
        self.assertEqual(SiteSettings.load().site_name, "Helpwell Support")


class MembershipEditTests(BaseTestCase):
    def url(self, user):
        return reverse("system-settings-agent", args=[user.agent.pk])

    def data(self, user, role, *teams):
        prefix = f"agent-{user.agent.pk}"
        return {f"{prefix}-role": role, f"{prefix}-teams": [t.pk for t in teams]}

    def test_an_admin_makes_bob_a_lead_of_two_teams(self):
        self.client.login(username="ada", password=PASSWORD)
        response = self.client.post(
            self.url(self.bob),
            self.data(self.bob, Role.LEAD, self.billing, self.shipping),
            headers={"HX-Request": "true"},
        )
        self.assertContains(response, "Saved ✓")
        self.assertContains(response, "Team lead")
        self.bob.agent.refresh_from_db()
        self.assertEqual(self.bob.agent.role, Role.LEAD)
        self.assertEqual(set(self.bob.agent.teams.all()), {self.billing, self.shipping})
        self.assertTrue(
            AuditEntry.objects.filter(action="people.membership_updated", actor=self.ada).exists()
        )
        self.assertContains(
            self.client.get(reverse("system-settings")), "changed the role or teams of Bob Okafor"
        )

    def test_it_explains_why_the_last_admin_stays_an_admin(self):
        self.client.login(username="ada", password=PASSWORD)
        response = self.client.post(self.url(self.ada), self.data(self.ada, Role.AGENT))
        self.assertContains(response, "only admin", status_code=400)
        self.ada.agent.refresh_from_db()
        self.assertEqual(self.ada.agent.role, Role.ADMIN)

    def test_leads_cannot_change_roles(self):
        self.client.login(username="lena", password=PASSWORD)
        response = self.client.post(self.url(self.lena), self.data(self.lena, Role.ADMIN))
        self.assertEqual(response.status_code, 403)
        self.lena.agent.refresh_from_db()
        self.assertEqual(self.lena.agent.role, Role.LEAD)


class SignInTests(BaseTestCase):
    def test_the_sign_in_page_wears_the_site_name_and_brand_colour(self):
        site = SiteSettings.load()
        site.site_name, site.brand_colour = "Acme Help", "#0f766e"
        site.save()
        request = RequestFactory().get("/login/")
        request.user = AnonymousUser()
        request.session = SessionStore()
        response = SignInView.as_view()(request)  # assertContains renders the TemplateResponse
        self.assertContains(response, "Acme Help")
        self.assertContains(response, "--brand: #0f766e")

    def test_the_login_url_renders_a_brand_colour_whichever_view_serves_it(self):
        response = self.client.get(reverse("login"))
        self.assertContains(response, "Sign in")
        self.assertContains(response, "--brand: #2f5bea")


class RecentChangesTests(BaseTestCase):
    def test_it_names_customers_added_through_the_api_and_imports(self):
        from helpwell.people.actions import do_find_or_create_customer

        do_find_or_create_customer(email="erin@initech.example", name="Erin Park", actor=self.ada, via="api")
        self.client.login(username="ada", password=PASSWORD)
        page = self.client.get(reverse("system-settings"))
        self.assertContains(page, "added the customer Erin Park")
