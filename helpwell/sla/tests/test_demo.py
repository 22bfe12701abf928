from django.test import TestCase

from helpwell.demo.loader import load_demo
from helpwell.sla.models import BusinessCalendar, Clock, DelayNotice, EscalationPath, SlaPolicy
from helpwell.tickets.models import Priority, Ticket


class DemoServiceLevelsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_demo()

    def test_every_priority_has_a_policy_and_one_team_works_around_the_clock(self):
        self.assertEqual(
            set(SlaPolicy.objects.values_list("priority__key", flat=True)),
            set(Priority.objects.values_list("key", flat=True)),
        )
        self.assertTrue(BusinessCalendar.objects.filter(always_open=True).exists())
        self.assertTrue(BusinessCalendar.objects.exclude(holiday_country="").exists())
        self.assertEqual(EscalationPath.objects.get().levels.count(), 4)

    def test_open_tickets_have_running_clocks_and_a_notice_is_open(self):
        open_tickets = Ticket.objects.filter(is_open=True)
        self.assertTrue(Clock.objects.filter(ticket__in=open_tickets).exists())
        self.assertTrue(open_tickets.filter(next_due__isnull=False).exists())
        self.assertTrue(DelayNotice.objects.filter(is_active=True).exists())
