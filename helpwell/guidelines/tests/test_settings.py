"""Leads edit the guidelines as data: the page, checks per team, severity, the glossary; every change audited."""

from django.urls import reverse

from helpwell.guidelines.actions import check_settings_for, glossary_for
from helpwell.guidelines.models import CheckSetting, DelayNotice, GlossaryEntry, Guideline
from helpwell.system.models import AuditEntry
from helpwell.test import PASSWORD, BaseTestCase


class GuidelineSettingsTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.client.login(username="lena", password=PASSWORD)
        self.url = reverse("guidelines-settings") + "?team=billing"

    def post(self, **data):
        return self.client.post(self.url, {"team": "billing", **data})

    def checks_form(self, **overrides):
        enabled, severities = check_settings_for(self.billing)
        data = {}
        for key in severities:
            if key in enabled:
                data[f"on_{key}"] = "on"
            data[f"severity_{key}"] = severities[key]
        data.update(overrides)
        return data

    def test_the_default_glossary_ships(self):
        self.assertEqual(glossary_for(None)["RMA"], "return number")

    def test_a_lead_turns_a_check_off_for_their_team_only(self):
        data = self.checks_form()
        del data["on_readability"]
        self.assertEqual(self.post(section="checks", **data).status_code, 302)
        self.assertNotIn("readability", check_settings_for(self.billing)[0])
        self.assertIn("readability", check_settings_for(self.shipping)[0])
        entry = AuditEntry.objects.get(action="guidelines.checks_changed")
        self.assertEqual(entry.actor, self.lena)
        self.assertEqual(entry.changes["readability"]["enabled"], [True, False])

    def test_a_lead_changes_a_severity(self):
        self.post(section="checks", **self.checks_form(severity_blame="blocking"))
        self.assertEqual(CheckSetting.objects.get(check_key="blame").severity, "blocking")
        self.assertEqual(check_settings_for(self.billing)[1]["blame"], "blocking")

    def test_a_lead_rewrites_the_page_and_agents_read_it(self):
        self.post(
            section="page",
            text="# Billing voice\n\nWe say *sorry* first.",
            target_grade="8",
            min_words="5",
            max_words="250",
        )
        guideline = Guideline.objects.get(team=self.billing)
        self.assertEqual((guideline.target_grade, guideline.max_words), (8.0, 250))
        self.assertTrue(AuditEntry.objects.filter(action="guidelines.updated").exists())
        self.client.login(username="alice", password=PASSWORD)
        response = self.client.get(reverse("guidelines-page"))
        self.assertContains(response, "<h1>Billing voice</h1>", html=True)
        self.assertContains(response, "<em>sorry</em>", html=True)

    def test_a_bad_page_keeps_what_the_lead_typed(self):
        response = self.post(
            section="page", text="My draft text", target_grade="9", min_words="400", max_words="300"
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "The shortest reply must be shorter than the longest.", status_code=400)
        self.assertContains(response, "My draft text", status_code=400)
        self.assertFalse(Guideline.objects.filter(team=self.billing).exists())

    def test_glossary_entries_are_added_and_removed_with_an_audit_trail(self):
        self.post(section="glossary", term="CSAT", plain="how happy customers were")
        self.assertEqual(glossary_for(self.billing)["CSAT"], "how happy customers were")
        self.assertNotIn("CSAT", glossary_for(self.shipping))
        entry = GlossaryEntry.objects.get(term="CSAT")
        self.post(section="glossary", remove=str(entry.pk))
        self.assertFalse(GlossaryEntry.objects.filter(term="CSAT").exists())
        actions = set(AuditEntry.objects.values_list("action", flat=True))
        self.assertTrue({"guidelines.glossary_added", "guidelines.glossary_removed"} <= actions)

    def test_a_duplicate_glossary_term_is_refused_and_kept_in_the_form(self):
        self.post(section="glossary", term="CSAT", plain="how happy customers were")
        response = self.post(section="glossary", term="csat", plain="something else")
        self.assertContains(response, "already in the glossary", status_code=400)
        self.assertContains(response, 'value="something else"', status_code=400)

    def test_a_delay_notice_opens_and_closes(self):
        self.post(section="delay", delay_text="UK deliveries take 5 to 7 days longer", min_days="5")
        notice = DelayNotice.objects.get()
        self.assertTrue(notice.active)
        self.post(section="delay", close=str(notice.pk))
        notice.refresh_from_db()
        self.assertFalse(notice.active)

    def test_a_team_adds_its_own_abuse_word(self):
        from helpwell.tickets.actions import do_customer_reply

        self.post(section="abuse", category="insult", abuse_term="Plonker")
        ticket = self.make_ticket()
        message = do_customer_reply(ticket, customer=self.carol, body="You absolute plonker.")
        self.assertTrue(message.guideline_reading.abusive)  # type: ignore[attr-defined]

    def test_agents_may_not_change_settings_and_leads_only_their_teams(self):
        self.client.login(username="alice", password=PASSWORD)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.client.login(username="lena", password=PASSWORD)
        self.assertEqual(self.client.get(reverse("guidelines-settings") + "?team=shipping").status_code, 404)


class CodeOfConductTests(BaseTestCase):
    def test_the_public_page_shows_the_default_and_is_linked_from_the_portal(self):
        response = self.client.get(reverse("guidelines-conduct"))
        self.assertContains(response, "Our code of conduct")
        self.assertContains(response, "Frustration is welcome")
        self.assertContains(self.client.get(reverse("portal-new-request")), 'href="/conduct/"')
        self.assertContains(self.client.get(reverse("portal-home")), 'href="/conduct/"')

    def test_a_lead_rewrites_it(self):
        self.client.login(username="lena", password=PASSWORD)
        self.client.post(
            reverse("guidelines-settings") + "?team=billing",
            {
                "team": "billing",
                "section": "conduct",
                "conduct_text": "# Be kind\n\nPlease.",
                "reply_template": "Hi {customer}",
            },
        )
        self.assertContains(self.client.get(reverse("guidelines-conduct")), "Be kind")
        self.assertTrue(
            AuditEntry.objects.filter(action="guidelines.conduct_updated", actor=self.lena).exists()
        )

    def test_the_acknowledgement_email_links_the_code_of_conduct(self):
        from helpwell.mail.models import OutgoingMail

        self.make_ticket(notify=True)
        mail = OutgoingMail.objects.get(kind="acknowledgement")
        self.assertIn("/conduct/", mail.body_text)
        self.assertIn("/conduct/", mail.body_html)
