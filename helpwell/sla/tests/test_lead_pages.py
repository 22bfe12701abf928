from datetime import timedelta

import time_machine
from django.utils import timezone

from helpwell.sla.models import BusinessCalendar, RecomputeJob, SlaPolicy
from helpwell.system.models import AuditEntry

from .cast import SlaTestCase, berlin


class DeadlinesPageTests(SlaTestCase):
    def test_a_lead_sees_what_breaches_in_the_next_hour_in_words(self):
        with time_machine.travel(berlin(2026, 11, 30, 9), tick=False):
            soon = self.make_ticket(priority=self.priorities["high"], subject="Due at one")
            later = self.make_ticket(priority=self.priorities["normal"], subject="Due tomorrow")
        self.client.force_login(self.lena)
        with time_machine.travel(berlin(2026, 11, 30, 12, 20), tick=False):
            response = self.client.get("/agent/sla/")
        self.assertContains(response, soon.reference)
        self.assertContains(response, "in 40 min")
        self.assertNotContains(response, later.reference)
        buckets = {key: count for key, _label, count in response.context["buckets"]}
        # Normal has no policy in the cast: its priority's 24 hours apply, due tomorrow at 09:00.
        self.assertEqual(
            (buckets["overdue"], buckets["hour"], buckets["day"], buckets["later"]), (0, 1, 1, 0)
        )

    def test_an_agent_is_refused(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get("/agent/sla/").status_code, 403)

    def test_the_queue_sorts_by_next_deadline_with_words(self):
        with time_machine.travel(berlin(2026, 11, 30, 9), tick=False):
            late = self.make_ticket(priority=self.priorities["normal"], subject="Later")
            first = self.make_ticket(priority=self.priorities["high"], subject="First")
        self.client.force_login(self.lena)
        with time_machine.travel(berlin(2026, 11, 30, 10), tick=False):
            response = self.client.get("/agent/?tab=all&sort=deadline")
        body = response.content.decode()
        self.assertLess(body.index(first.reference), body.index(late.reference))
        self.assertContains(response, "in 3 h")

    def test_the_ticket_page_shows_every_clock(self):
        with time_machine.travel(berlin(2026, 11, 30, 9), tick=False):
            ticket = self.make_ticket(priority=self.priorities["high"])
        self.client.force_login(self.alice)
        with time_machine.travel(berlin(2026, 11, 30, 10), tick=False):
            response = self.client.get(f"/agent/tickets/{ticket.reference}/")
        self.assertContains(response, "Service level")
        self.assertContains(response, "Policy: High")
        self.assertContains(response, "Resolution")


class SettingsPagesTests(SlaTestCase):
    def test_a_lead_changes_a_policy_and_it_is_audited_and_recomputed(self):
        with time_machine.travel(berlin(2026, 11, 30, 9), tick=False):
            ticket = self.make_ticket(priority=self.priorities["high"])
        self.client.force_login(self.lena)
        data = {
            "name": "High", "position": 10, "is_active": "on", "priority": self.priorities["high"].pk,
            "first_response_minutes": 120, "next_response_minutes": 120, "resolution_minutes": 960,
            "business_hours": "on", "escalation_path": self.path.pk,
        }  # fmt: skip
        with (
            time_machine.travel(berlin(2026, 11, 30, 10), tick=False),
            self.captureOnCommitCallbacks(execute=True),
        ):
            response = self.client.post(f"/agent/sla/settings/policy/{self.high_policy.pk}/", data)
        self.assertEqual(response.status_code, 302)
        entry = AuditEntry.objects.get(action="sla.policy_updated")
        self.assertEqual(entry.changes, {"first_response_minutes": "120"})
        ticket.refresh_from_db()
        self.assertEqual(ticket.first_response_due, berlin(2026, 11, 30, 11))
        job = RecomputeJob.objects.get()
        self.assertEqual((job.done, job.total, job.percent), (1, 1, 100))

    def test_a_bad_hours_range_is_refused_and_what_was_typed_is_kept(self):
        self.client.force_login(self.lena)
        response = self.client.post(
            f"/agent/sla/settings/calendar/{self.billing_hours.pk}/",
            {"name": "Billing office hours", "team": self.billing.pk, "time_zone": "Europe/Berlin",
             "day_0": "17:00-09:00", "day_1": "09:00-17:00", "holiday_country": "DE", "holiday_subdivision": "BE"},
        )  # fmt: skip
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "closes before it opens", status_code=400)
        self.assertContains(response, 'value="17:00-09:00"', status_code=400)
        self.assertEqual(
            BusinessCalendar.objects.get(pk=self.billing_hours.pk).weekly_hours["0"], "09:00-17:00"
        )

    def test_a_closure_moves_due_times_and_the_calendar_page_lists_holidays(self):
        with time_machine.travel(berlin(2026, 11, 27, 16), tick=False):
            ticket = self.make_ticket(priority=self.priorities["high"])
        self.client.force_login(self.lena)
        with (
            time_machine.travel(berlin(2026, 11, 27, 16, 30), tick=False),
            self.captureOnCommitCallbacks(execute=True),
        ):
            self.client.post(
                f"/agent/sla/calendars/{self.billing_hours.pk}/closures/",
                {"date": "2026-11-30", "name": "Team offsite"},
            )
            page = self.client.get(f"/agent/sla/settings/calendar/{self.billing_hours.pk}/")
        self.assertContains(page, "Christmas Day")
        self.assertContains(page, "Team offsite")
        ticket.refresh_from_db()
        self.assertEqual(ticket.first_response_due, berlin(2026, 12, 1, 12))
        self.assertTrue(AuditEntry.objects.filter(action="sla.closure_created").exists())

    def test_the_settings_page_lists_policies_hours_and_paths(self):
        self.client.force_login(self.lena)
        response = self.client.get("/agent/sla/settings/")
        self.assertContains(response, "Billing office hours")
        self.assertContains(response, "Tier 2")
        self.assertEqual(SlaPolicy.objects.count(), 2)
        self.assertTrue(timezone.now() - timedelta(days=1))


class RecomputeProgressTests(SlaTestCase):
    def test_the_settings_page_polls_a_running_job_and_shows_its_progress(self):
        job = RecomputeJob.objects.create(reason="Calendar Billing office hours changed", total=400, done=100)
        self.client.force_login(self.lena)
        page = self.client.get("/agent/sla/settings/")
        self.assertContains(page, f'hx-get="/agent/sla/jobs/{job.pk}/"')
        self.assertContains(page, "100 of 400 (25%)")
        job.done, job.finished_at = 400, timezone.now()
        job.save()
        fragment = self.client.get(f"/agent/sla/jobs/{job.pk}/")
        self.assertContains(fragment, "done: 400 tickets")
        self.assertNotContains(fragment, "hx-get")
        self.assertNotContains(fragment, "<html")


class EscalationPathSettingsTests(SlaTestCase):
    def test_a_lead_adds_a_level_and_tickets_get_its_warning_point(self):
        with time_machine.travel(berlin(2026, 11, 30, 9), tick=False):
            ticket = self.make_ticket(priority=self.priorities["high"])
        self.assertEqual(ticket.sla_check_at, berlin(2026, 11, 30, 12))  # 75% of four hours
        self.client.force_login(self.lena)
        data = {"position": 0, "name": "Heads-up", "trigger": "before_due", "percent": 25, "minutes_after": 0,
                "action": "notify", "target": "team_leads"}  # fmt: skip
        with (
            time_machine.travel(berlin(2026, 11, 30, 9, 30), tick=False),
            self.captureOnCommitCallbacks(execute=True),
        ):
            response = self.client.post(f"/agent/sla/paths/{self.path.pk}/levels/", data)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(AuditEntry.objects.filter(action="sla.escalation_level_created").exists())
        ticket.refresh_from_db()
        self.assertEqual(ticket.sla_check_at, berlin(2026, 11, 30, 10))  # a quarter of four hours

    def test_a_level_aimed_at_a_team_needs_the_team(self):
        self.client.force_login(self.lena)
        data = {"position": 4, "name": "Tier 3", "trigger": "at_breach", "percent": 80, "minutes_after": 0,
                "action": "reassign", "target": "team"}  # fmt: skip
        response = self.client.post(f"/agent/sla/paths/{self.path.pk}/levels/", data, follow=True)
        self.assertContains(response, "Choose the team.")
        self.assertEqual(self.path.levels.count(), 3)
