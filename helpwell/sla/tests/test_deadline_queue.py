"""The agent queue sorted by next deadline pages with its keyset cursors, on every tab."""

from datetime import timedelta

from django.utils import timezone

from helpwell.tickets.models import Ticket
from helpwell.tickets.tests.test_queue import QueueTestCase


class DeadlineSortTests(QueueTestCase):
    def make_due(self, count: int, **kwargs) -> list[Ticket]:
        made = [self.make_ticket(subject=f"Due {i:03}", **kwargs) for i in range(count)]
        base = timezone.now() + timedelta(hours=1)
        for i, ticket in enumerate(made):
            # Ties on purpose: only the id orders tickets due at the same instant.
            Ticket.objects.filter(pk=ticket.pk).update(next_due=base + timedelta(minutes=i % 5))
        return made

    def test_every_ticket_once_in_deadline_order_forwards_and_back(self):
        made = self.make_due(40) + self.make_due(20, category=self.deliveries)
        self.tom.agent.teams.add(self.billing)  # two teams: one index range per team, merged
        for user, tab in ((self.ada, "all"), (self.tom, "teams")):
            with self.subTest(tab=tab):
                seen = self.walk(user, "prev", tab=tab, sort="deadline")
                self.assertEqual(sorted(t.pk for t in seen), sorted(t.pk for t in made))
                keys = [(t.next_due, t.pk) for t in seen]
                self.assertEqual(keys, sorted(keys))

    def test_paused_and_solved_tickets_have_no_deadline_and_are_left_out(self):
        due = self.make_due(3)
        Ticket.objects.filter(pk=due[0].pk).update(next_due=None)
        seen = self.walk(self.ada, tab="all", sort="deadline")
        self.assertEqual({t.pk for t in seen}, {due[1].pk, due[2].pk})
