"""The draft check in the reply box: findings as you type, fixes and dismissals recorded, blocking rules stop a send."""

from django.urls import reverse

from helpwell.guidelines.models import CheckSetting, FindingOutcome
from helpwell.system.models import AuditEntry
from helpwell.test import PASSWORD, BaseTestCase
from helpwell.tickets.models import Message

BAD = "Hello,\n\nAs I already said, the RMA is open. Please do NOT reply to THIS email!!!\n\nSupport"
GOOD = "Hi Carol,\n\nThanks for the invoice number. I've corrected the total and attached the new invoice.\n\nAlice"


class DraftCheckTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.ticket = self.make_ticket(body="Hello, the VAT appears twice on invoice 1042.")
        self.client.login(username="alice", password=PASSWORD)

    def check(self, body, **extra):
        return self.client.post(
            reverse("guidelines-check", args=[self.ticket.reference]), {"body": body, **extra}
        )

    def outcome(self, **data):
        return self.client.post(reverse("guidelines-outcome", args=[self.ticket.reference]), data)

    def test_it_lists_what_why_and_a_fix_for_each_broken_guideline(self):
        response = self.check(BAD)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        for key in ("greeting", "thanks", "blame", "jargon", "shouting", "signoff"):
            self.assertIn(f'data-gl-check="{key}"', html)
        self.assertIn("can read as blaming or dismissing the customer", html)
        self.assertIn("Customers remember being made to feel at fault", html)
        self.assertIn("Say “To recap,”", html)
        self.assertIn("Use “Hi Carol,”", html)

    def test_a_good_draft_gets_a_clean_bill(self):
        self.assertContains(self.check(GOOD), "Your draft follows the team's guidelines.")

    def test_internal_notes_are_not_checked(self):
        self.assertContains(self.check(BAD, kind="internal"), "Internal notes are not checked")

    def test_agents_of_other_teams_cannot_check_drafts_on_the_ticket(self):
        self.client.login(username="tom", password=PASSWORD)
        self.assertEqual(self.check(BAD).status_code, 404)

    def test_dismissing_with_a_reason_records_it_and_hides_the_finding(self):
        response = self.outcome(
            check="signoff", outcome="dismissed", reason="We sign as the team on this account", body=BAD
        )
        self.assertNotContains(response, 'data-gl-check="signoff"')
        self.assertContains(response, 'data-gl-check="blame"')
        row = FindingOutcome.objects.get()
        self.assertEqual((row.check_key, row.outcome, row.agent), ("signoff", "dismissed", self.alice))
        self.assertNotContains(self.check(BAD), 'data-gl-check="signoff"')
        # Bob's draft on the same ticket still gets it: a dismissal is one agent's call.
        self.client.login(username="bob", password=PASSWORD)
        self.assertContains(self.check(BAD), 'data-gl-check="signoff"')

    def test_dismissing_without_a_reason_is_refused_and_keeps_the_draft_findings(self):
        response = self.outcome(check="signoff", outcome="dismissed", reason="  ", body=BAD)
        self.assertContains(response, "Say why you are dismissing it")
        self.assertContains(response, 'data-gl-check="signoff"')
        self.assertFalse(FindingOutcome.objects.exists())

    def test_applying_a_fix_is_recorded(self):
        self.assertEqual(self.outcome(check="greeting", outcome="applied").status_code, 204)
        self.assertEqual(FindingOutcome.objects.get().outcome, "applied")

    def test_a_blocking_rule_stops_the_send_with_its_reason_and_keeps_the_text(self):
        body = GOOD.replace("attached the new invoice", "charged card 4111 1111 1111 1111")
        response = self.client.post(
            reverse("tickets-reply", args=[self.ticket.reference]),
            {"body": body, "kind": "public", "submit_as": ""},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Not sent: The reply contains a payment card number.", status_code=400)
        self.assertContains(response, "4111 1111 1111 1111", status_code=400)  # what they typed stays
        self.assertFalse(Message.objects.filter(author_user=self.alice).exists())
        self.assertEqual(FindingOutcome.objects.get().outcome, "blocked")

    def test_a_blocking_rule_cannot_be_dismissed(self):
        response = self.outcome(
            check="sensitive", outcome="dismissed", reason="it's fine", body="card 4111 1111 1111 1111"
        )
        self.assertContains(response, "A blocking rule cannot be dismissed")

    def test_suggestions_never_block_and_a_lead_can_make_a_rule_blocking(self):
        reply_url = reverse("tickets-reply", args=[self.ticket.reference])
        response = self.client.post(reply_url, {"body": BAD, "kind": "public", "submit_as": ""})
        self.assertEqual(response.status_code, 302)
        CheckSetting.objects.create(team=self.billing, check_key="blame", enabled=True, severity="blocking")
        response = self.client.post(reply_url, {"body": BAD, "kind": "public", "submit_as": ""})
        self.assertContains(response, "can read as blaming", status_code=400)

    def test_the_ticket_page_has_the_checking_reply_box(self):
        response = self.client.get(reverse("tickets-detail", args=[self.ticket.reference]))
        self.assertContains(response, reverse("guidelines-check", args=[self.ticket.reference]))
        self.assertContains(response, 'id="gl-findings"')

    def test_the_report_shows_which_rules_are_accepted_or_dismissed(self):
        self.outcome(check="greeting", outcome="applied")
        self.outcome(check="greeting", outcome="applied")
        self.outcome(check="signoff", outcome="dismissed", reason="Shared inbox signature", body=BAD)
        self.client.login(username="lena", password=PASSWORD)
        response = self.client.get(reverse("guidelines-report"))
        report = {r["check"].key: r for r in response.context["report"]}
        self.assertEqual(report["greeting"]["applied"], 2)
        self.assertEqual(report["signoff"]["dismissed"], 1)
        self.assertEqual(report["signoff"]["dismiss_rate"], 100)
        self.assertContains(response, "Shared inbox signature")
        self.client.login(username="alice", password=PASSWORD)
        self.assertEqual(self.client.get(reverse("guidelines-report")).status_code, 403)
        self.assertFalse(AuditEntry.objects.filter(action__startswith="guidelines.").exists())

    def test_fix_positions_are_for_the_text_the_browser_holds(self):
        response = self.check("Hello,\r\n\r\nyour RMA is approved.\r\n\r\nAlice")
        self.assertContains(
            response, 'data-start="13" data-end="16" data-text="return number" data-orig="RMA"'
        )
