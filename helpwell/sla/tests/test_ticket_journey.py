"""Must-show 2: one ticket through new → pending → reopened → escalated → solved → reopened,
with every clock, event and mail checked on the way."""

from datetime import timedelta

import time_machine

from helpwell.mail.models import OutgoingMail
from helpwell.sla.breaches import sweep_due
from helpwell.sla.escalations import do_customer_escalate, escalation_offer
from helpwell.sla.models import Breach, Clock, Escalation
from helpwell.tickets.actions import do_assign_ticket, do_change_status, do_customer_reply, do_reply
from helpwell.tickets.models import Status, Ticket, TicketEvent

from .cast import SlaTestCase, berlin

FIRST, NEXT, RESOLUTION = Clock.Kind.FIRST_RESPONSE, Clock.Kind.NEXT_RESPONSE, Clock.Kind.RESOLUTION


class TicketJourneyTests(SlaTestCase):
    ticket: Ticket
    seen_event: int
    seen_mail: int

    def clocks(self):
        self.ticket.refresh_from_db()
        return {c.kind: c for c in self.ticket.sla_clocks.all()}

    def states(self):
        return {kind: clock.state for kind, clock in self.clocks().items()}

    def new_events(self):
        events = list(self.ticket.events.filter(pk__gt=self.seen_event).order_by("pk"))
        if events:
            self.seen_event = events[-1].pk
        return [e.kind for e in events]

    def new_mail(self):
        mails = list(OutgoingMail.objects.filter(pk__gt=self.seen_mail).order_by("pk"))
        if mails:
            self.seen_mail = mails[-1].pk
        return [(m.kind, m.to) for m in mails]

    def at(self, *when):
        return time_machine.travel(berlin(*when), tick=False)

    def test_the_whole_journey(self):
        self.seen_event = self.seen_mail = 0
        K = TicketEvent.Kind

        # Monday 09:00: Carol asks. First response due at 13:00, a solution by Tuesday 17:00.
        with self.at(2026, 11, 30, 9):
            self.ticket = self.make_ticket(priority=self.priorities["high"], notify=True)
        self.assertEqual(self.states(), {FIRST: "running", RESOLUTION: "running"})
        self.assertEqual(self.ticket.first_response_due, berlin(2026, 11, 30, 13))
        self.assertEqual(self.ticket.resolution_due, berlin(2026, 12, 1, 17))
        self.assertEqual(self.ticket.next_due, berlin(2026, 11, 30, 13))
        self.assertEqual(self.ticket.sla_check_at, berlin(2026, 11, 30, 12))  # 75% of four hours
        self.assertEqual(self.new_events(), [K.CREATED])
        self.assertEqual(self.new_mail(), [("acknowledgement", "carol@acme.example")])
        ack = OutgoingMail.objects.get(kind="acknowledgement")
        self.assertIn("Monday 13:00 your time (Europe/Berlin)", ack.body_text)

        with self.at(2026, 11, 30, 10):
            do_assign_ticket(self.ticket, self.alice, actor=self.lena)
            self.assertEqual(sweep_due(), 0)  # nothing is due yet
        self.assertEqual(self.new_events(), [K.ASSIGNED])
        self.assertEqual(self.new_mail(), [("assigned", "alice@helpwell.test")])

        # 12:00: three quarters of the first-response target gone: Alice is warned, once.
        with self.at(2026, 11, 30, 12):
            self.assertEqual(sweep_due(), 1)
            self.assertEqual(sweep_due(), 0)
        self.assertEqual(self.new_events(), [K.ESCALATED])
        self.assertEqual(self.new_mail(), [("sla-alert", "alice@helpwell.test")])
        self.assertEqual(self.clocks()[FIRST].fired_levels, [self.warn.pk])
        self.ticket.refresh_from_db()
        self.assertEqual(self.ticket.sla_check_at, berlin(2026, 11, 30, 13))

        # 12:30: Alice answers and asks a question: pending. First response met, resolution paused.
        with self.at(2026, 11, 30, 12, 30):
            do_reply(self.ticket, user=self.alice, body="Which invoice number?", status=Status.PENDING)
        clocks = self.clocks()
        self.assertEqual(self.states(), {FIRST: "stopped", RESOLUTION: "paused"})
        self.assertTrue(clocks[FIRST].met)
        self.assertEqual(clocks[RESOLUTION].elapsed, timedelta(hours=3, minutes=30))
        self.assertEqual(
            (self.ticket.next_due, self.ticket.resolution_due, self.ticket.sla_check_at), (None,) * 3
        )
        self.assertEqual(self.ticket.first_response_due, berlin(2026, 11, 30, 13))  # the promise, kept
        self.assertEqual(self.new_events(), [K.REPLIED, K.STATUS])
        self.assertEqual(self.new_mail(), [("reply", "carol@acme.example")])

        # Tuesday 09:00: Carol answers: reopened. Resolution resumes, the next-response clock starts.
        with self.at(2026, 12, 1, 9):
            do_customer_reply(self.ticket, customer=self.carol, body="It is INV-2041.")
        self.ticket.refresh_from_db()
        self.assertEqual(self.ticket.status, Status.OPEN)
        self.assertEqual(self.states(), {FIRST: "stopped", NEXT: "running", RESOLUTION: "running"})
        self.assertEqual(self.ticket.next_response_due, berlin(2026, 12, 1, 11))
        self.assertEqual(self.ticket.resolution_due, berlin(2026, 12, 2, 13, 30))  # 12.5 h left
        self.assertEqual(self.ticket.next_due, berlin(2026, 12, 1, 11))
        self.assertEqual(self.new_events(), [K.CUSTOMER_REPLIED, K.STATUS])
        self.assertEqual(self.new_mail(), [("customer-replied", "alice@helpwell.test")])

        # 11:00: nobody answered in two hours: a breach, recorded with the policy in force, and Lena hears.
        with self.at(2026, 12, 1, 10, 30):
            self.assertEqual(sweep_due(), 1)
        self.assertEqual(self.new_mail(), [("sla-alert", "alice@helpwell.test")])
        with self.at(2026, 12, 1, 11):
            self.assertEqual(sweep_due(), 1)
            self.assertEqual(sweep_due(), 0)
        breach = Breach.objects.get()
        self.assertEqual((breach.kind, breach.policy_name, breach.target_minutes), (NEXT, "High", 120))
        self.assertEqual(breach.due_at, berlin(2026, 12, 1, 11))
        self.assertEqual(self.new_events(), [K.ESCALATED, K.SLA_BREACHED, K.ESCALATED])
        self.assertEqual(self.new_mail(), [("sla-alert", "lena@helpwell.test")])

        # 11:15: Carol escalates. It goes to the next level of the path: Tier 2 (the Shipping team).
        with self.at(2026, 12, 1, 11, 15):
            offer = escalation_offer(self.ticket)
            self.assertTrue(offer.allowed)
            self.assertEqual(offer.level, self.tier2)
            escalation = do_customer_escalate(
                self.ticket, customer=self.carol, reason="I need it for Friday."
            )
            self.assertFalse(escalation_offer(self.ticket).allowed)  # once is enough for now
        self.assertEqual(escalation.source, Escalation.Source.CUSTOMER)
        self.assertEqual(escalation.next_step, "the Shipping team (Tier 2) will look at your request")
        self.assertEqual(escalation.respond_by, berlin(2026, 12, 1, 13, 15))  # Shipping works 24/7
        self.ticket.refresh_from_db()
        self.assertEqual((self.ticket.team, self.ticket.assignee), (self.shipping, None))
        self.assertEqual(self.ticket.next_response_due, berlin(2026, 12, 1, 13, 15))
        self.assertEqual(self.new_events(), [K.TEAM, K.ASSIGNED, K.ESCALATED])
        self.assertEqual(self.new_mail(), [("sla-alert", "tom@helpwell.test")])

        # 11:45: Tom answers and solves it: every clock stops, the resolution target met.
        with self.at(2026, 12, 1, 11, 45):
            do_reply(self.ticket, user=self.tom, body="Corrected invoice attached.", status=Status.SOLVED)
        clocks = self.clocks()
        self.assertEqual(set(self.states().values()), {"stopped"})
        self.assertEqual(clocks[RESOLUTION].elapsed, timedelta(hours=6, minutes=15))
        self.assertTrue(clocks[RESOLUTION].met)
        self.assertFalse(clocks[NEXT].breached_at)  # the restarted clock was met; the breach stays recorded
        self.assertEqual((self.ticket.next_due, self.ticket.sla_check_at), (None, None))
        self.assertEqual(self.new_events(), [K.REPLIED, K.ASSIGNED, K.STATUS])
        self.assertEqual(self.new_mail(), [("reply", "carol@acme.example")])

        # Wednesday 10:00: Carol reopens. Resolution resumes where it stopped; a next response is owed.
        with self.at(2026, 12, 2, 10):
            do_change_status(self.ticket, Status.OPEN, customer=self.carol)
            offer = escalation_offer(self.ticket)
        self.assertEqual(self.states(), {FIRST: "stopped", NEXT: "running", RESOLUTION: "running"})
        self.assertEqual(self.ticket.resolution_due, berlin(2026, 12, 2, 19, 45))  # 9 h 45 left, 24/7
        self.assertEqual(self.ticket.next_response_due, berlin(2026, 12, 2, 12))
        self.assertEqual(self.new_events(), [K.STATUS])
        self.assertEqual(self.new_mail(), [])
        self.assertEqual((offer.allowed, offer.why), (True, "Our answer did not solve it."))
        self.assertEqual(Breach.objects.count(), 1)
