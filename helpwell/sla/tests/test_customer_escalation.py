import re

import time_machine
from django.test import override_settings

from helpwell.mail.models import OutgoingMail
from helpwell.portal.tests.base import PortalTestCase
from helpwell.sla.models import Escalation
from helpwell.tickets.actions import do_change_status, do_reply
from helpwell.tickets.models import Status, TicketEvent

from .cast import SlaTestCase, berlin


class CustomerEscalationTests(SlaTestCase, PortalTestCase):
    def setUp(self) -> None:
        super().setUp()
        with time_machine.travel(berlin(2026, 11, 30, 9), tick=False):
            self.ticket = self.make_ticket(priority=self.priorities["high"])

    def url(self, ticket=None):
        return f"/portal/requests/{(ticket or self.ticket).reference}/escalate/"

    def test_it_is_not_offered_on_a_fresh_request(self):
        self.sign_in(self.carol)
        with time_machine.travel(berlin(2026, 11, 30, 10), tick=False):
            self.assertNotContains(
                self.client.get(f"/portal/requests/{self.ticket.reference}/"), "Escalate this request"
            )
            response = self.client.post(self.url(), {"reason": "Hurry"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Escalation.objects.exists())

    def test_after_eight_business_hours_it_escalates_and_says_what_happens_next(self):
        self.sign_in(self.carol)
        with time_machine.travel(berlin(2026, 12, 1, 9, 30), tick=False):
            detail = self.client.get(f"/portal/requests/{self.ticket.reference}/")
            self.assertContains(detail, "Escalate this request")
            form = self.client.get(self.url())
            self.assertContains(form, "Your request goes to Lena Fischer (Team lead)")
            self.assertContains(
                form, 'by <b id="escalate-by-when">Tuesday 1 December at 11:30 (Europe/Berlin time)</b>'
            )
            response = self.client.post(
                self.url(), {"reason": "Nobody has answered since yesterday."}, follow=True
            )
        self.assertContains(response, "We have escalated your request")
        self.assertContains(response, "Lena Fischer (Team lead) will look at your request and reply by")
        self.assertContains(response, "Tuesday 1 December at 11:30 (Europe/Berlin time)")
        with time_machine.travel(berlin(2026, 12, 1, 9, 45), tick=False):
            detail = self.client.get(f"/portal/requests/{self.ticket.reference}/")
        self.assertContains(detail, "and reply by Tuesday 1 December at 11:30 (Europe/Berlin time)")
        self.assertNotContains(detail, "Escalate this request")  # once is enough for now
        escalation = Escalation.objects.get()
        self.assertEqual(
            (escalation.customer, escalation.level, escalation.source),
            (self.carol, self.lead_level, "customer"),
        )
        self.assertTrue(
            self.ticket.events.filter(kind=TicketEvent.Kind.ESCALATED, actor_customer=self.carol).exists()
        )
        self.assertTrue(OutgoingMail.objects.filter(kind="sla-alert", to="lena@helpwell.test").exists())

    def test_when_the_answer_did_not_help_it_is_offered_at_once(self):
        with time_machine.travel(berlin(2026, 11, 30, 10), tick=False):
            do_reply(self.ticket, user=self.alice, body="Done.", status=Status.SOLVED)
            self.ticket.refresh_from_db()
            do_change_status(self.ticket, Status.OPEN, customer=self.carol)
            self.sign_in(self.carol)
            self.assertContains(self.client.get(self.url()), "What happens next")

    def test_a_form_error_keeps_nothing_lost_and_another_customer_cannot_escalate(self):
        with time_machine.travel(berlin(2026, 12, 1, 9, 30), tick=False):
            self.sign_in(self.dan)
            self.assertEqual(self.client.get(self.url()).status_code, 404)
            self.sign_in(self.carol)
            response = self.client.post(self.url(), {"reason": ""})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Escalation.objects.exists())

    @override_settings(PUBLIC_FORM_RATE=2)
    def test_it_is_rate_limited(self):
        self.sign_in(self.carol)
        with time_machine.travel(berlin(2026, 12, 1, 9, 30), tick=False):
            codes = [self.client.post(self.url(), {"reason": ""}).status_code for _ in range(3)]
        self.assertEqual(codes, [400, 400, 429])

    def test_the_lead_sees_the_reason_in_the_report(self):
        self.sign_in(self.carol)
        with time_machine.travel(berlin(2026, 12, 1, 9, 30), tick=False):
            self.client.post(self.url(), {"reason": "I need this for my tax return."})
            self.client.force_login(self.lena)
            response = self.client.get("/agent/sla/")
        self.assertContains(response, "I need this for my tax return.")


class EscalationFromMailTests(SlaTestCase, PortalTestCase):
    def test_the_reply_mail_links_straight_to_the_escalation_page(self):
        with time_machine.travel(berlin(2026, 11, 30, 9), tick=False):
            ticket = self.make_ticket(priority=self.priorities["high"])
            do_reply(ticket, user=self.alice, body="Try turning it off and on.", status=Status.SOLVED)
        mail = OutgoingMail.objects.get(kind="reply")
        link = re.search(r"(http\S+then=escalate)", mail.body_text)
        assert link is not None
        with time_machine.travel(berlin(2026, 11, 30, 10), tick=False):
            ticket.refresh_from_db()
            do_change_status(ticket, Status.OPEN, customer=self.carol)  # it did not help
            response = self.client.get(link.group(1).replace("http://127.0.0.1:8000", ""), follow=True)
        self.assertContains(response, "What happens next")
        self.assertEqual(response.redirect_chain[-1][0], f"/portal/requests/{ticket.reference}/escalate/")
