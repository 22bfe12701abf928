"""The demo data: a believable team, customers and 300 tickets that exercise every status and priority."""

import io
import shutil
import tempfile
from datetime import timedelta

from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.test import TestCase, override_settings
from django.utils import timezone

from helpwell.demo.loader import TICKETS, DemoResult, load_demo
from helpwell.feedback.models import Rating
from helpwell.mail.models import OutgoingMail
from helpwell.people.models import Agent, Customer, Organisation, Team
from helpwell.system.models import SiteSettings
from helpwell.test import BaseTestCase
from helpwell.tickets.models import OPEN_STATUSES, Category, Message, Priority, Status, Ticket

MEDIA = tempfile.mkdtemp(prefix="helpwell-demo-test-")


def tearDownModule() -> None:
    shutil.rmtree(MEDIA, ignore_errors=True)


@override_settings(MEDIA_ROOT=MEDIA)
class DemoDataTest(TestCase):
    result: DemoResult

    @classmethod
    def setUpTestData(cls) -> None:
        cls.result = load_demo()

    def test_it_loads_quickly_and_sends_no_mail(self):
        self.assertLess(self.result.seconds, 30)
        self.assertEqual(OutgoingMail.objects.count(), 0)

    def test_the_team_is_eight_distinct_people_with_photos_and_bios(self):
        agents = list(Agent.objects.select_related("user"))
        self.assertEqual(len(agents), 8)
        for field in ("display_name", "job_title", "avatar_colour", "time_zone", "bio", "interests"):
            self.assertEqual(len({getattr(a, field) for a in agents}), 8, f"{field} differs per person")
        for agent in agents:
            self.assertTrue(agent.photo, f"{agent} has a generated photo")
            self.assertTrue(agent.photo.storage.exists(agent.photo.name or ""))
            self.assertGreater(len(agent.bio), 80)
            self.assertTrue(agent.languages)
        roles = sorted(a.role for a in agents)
        self.assertEqual(roles, ["admin", "agent", "agent", "agent", "agent", "agent", "lead", "lead"])

    def test_every_demo_login_works_with_the_demo_password(self):
        for username in ("priya", "marcus", "sofia"):
            self.assertIsNotNone(authenticate(username=username, password="helpwell-demo"), username)

    def test_there_are_three_teams_with_categories_and_two_organisations(self):
        self.assertEqual(
            sorted(Team.objects.values_list("name", flat=True)), ["Billing", "Shipping", "Technical"]
        )
        for team in Team.objects.annotate(n=Count("categories")):
            self.assertGreaterEqual(team.n, 3)
        self.assertEqual(Organisation.objects.count(), 2)
        self.assertGreaterEqual(Customer.objects.count(), 38)
        self.assertTrue(
            Customer.objects.filter(organisation=None).exists(), "some customers buy for themselves"
        )
        self.assertEqual(Priority.objects.count(), 4)
        self.assertEqual(Priority.objects.get(key="urgent").first_response_minutes, 60)
        self.assertEqual(Priority.objects.get(key="low").first_response_minutes, 3 * 24 * 60)

    def test_it_has_300_tickets_in_every_status_priority_and_team(self):
        self.assertEqual(Ticket.objects.count(), TICKETS)
        self.assertEqual(set(Ticket.objects.values_list("status", flat=True)), set(Status.values))
        self.assertEqual(
            set(Ticket.objects.values_list("priority__key", flat=True)), {"urgent", "high", "normal", "low"}
        )
        self.assertEqual(Ticket.objects.values("team").distinct().count(), 3)
        self.assertEqual(Ticket.objects.values("category").distinct().count(), Category.objects.count())
        self.assertFalse(Ticket.objects.filter(is_open=True, status__in=["solved", "closed"]).exists())

    def test_every_thread_has_two_to_six_messages_from_both_sides(self):
        sizes = Ticket.objects.annotate(n=Count("messages")).aggregate(low=Min("n"), high=Max("n"))
        self.assertGreaterEqual(sizes["low"], 2)
        self.assertLessEqual(sizes["high"], 6)
        self.assertTrue(Message.objects.filter(kind=Message.Kind.INTERNAL).exists())
        self.assertTrue(Message.objects.filter(author_customer__isnull=False).exists())
        self.assertTrue(Message.objects.filter(author_user__isnull=False, kind=Message.Kind.PUBLIC).exists())
        self.assertGreater(Ticket.objects.values("subject").distinct().count(), 100, "subjects vary")

    def test_times_are_spread_over_the_last_sixty_days_and_consistent(self):
        now = timezone.now()
        span = Ticket.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
        self.assertGreater(span["first"], now - timedelta(days=61))
        self.assertLess(span["first"], now - timedelta(days=40))
        self.assertGreater(span["last"], now - timedelta(days=2))
        self.assertFalse(Message.objects.filter(created_at__gt=now).exists())
        self.assertFalse(Ticket.objects.exclude(status=Status.NEW).filter(first_response_at=None).exists())
        self.assertFalse(Ticket.objects.filter(status=Status.NEW, first_response_at__isnull=False).exists())
        for ticket in Ticket.objects.filter(status__in=[Status.SOLVED, Status.CLOSED]):
            solved, first = ticket.solved_at, ticket.first_response_at
            assert solved is not None and first is not None, ticket
            self.assertLessEqual(ticket.created_at, first)
            self.assertLessEqual(first, solved)
            if ticket.status == Status.CLOSED:
                assert ticket.closed_at is not None
                self.assertGreater(ticket.closed_at, solved)
        self.assertFalse(Ticket.objects.filter(status__in=OPEN_STATUSES, solved_at__isnull=False).exists())

    def test_many_solved_tickets_are_rated_with_comments_credited_to_the_agent(self):
        ratings = Rating.objects.select_related("ticket")
        self.assertGreater(ratings.count(), 80)
        self.assertGreater(ratings.exclude(comment="").count(), 40)
        self.assertEqual({r.score for r in ratings}, {1, 2, 3, 4, 5})
        for rating in ratings:
            self.assertIn(rating.ticket.status, (Status.SOLVED, Status.CLOSED))
            self.assertEqual(rating.agent_id, rating.ticket.assignee_id)
            solved = rating.ticket.solved_at
            assert solved is not None
            self.assertGreater(rating.created_at, solved)

    def test_every_ticket_has_its_history(self):
        tickets = Ticket.objects.annotate(created=Count("events", filter=Q(events__kind="created")))
        self.assertEqual(set(tickets.values_list("created", flat=True)), {1})
        solved = Ticket.objects.filter(status=Status.SOLVED).first()
        assert solved is not None
        kinds = list(solved.events.values_list("kind", flat=True))
        self.assertIn("status", kinds)
        self.assertIn("replied", kinds)

    def test_the_public_team_page_is_switched_on(self):
        self.assertTrue(SiteSettings.load().team_page_enabled)


@override_settings(MEDIA_ROOT=MEDIA)
class DeterminismTest(TestCase):
    def load_and_forget(self) -> list[tuple[str, str, int]]:
        with transaction.atomic():
            load_demo(tickets=60)
            rows = list(
                Ticket.objects.order_by("reference").values_list("reference", "subject", "priority__rank")
            )
            transaction.set_rollback(True)
        return rows

    def test_the_same_seed_gives_the_same_tickets(self):
        self.assertEqual(self.load_and_forget(), self.load_and_forget())


@override_settings(MEDIA_ROOT=MEDIA)
class DemoCommandTest(BaseTestCase):
    def test_it_leaves_a_help_desk_with_tickets_alone(self):
        self.make_ticket()
        out = io.StringIO()

        call_command("demo_data", stdout=out)

        self.assertIn("already has 1 tickets", out.getvalue())
        self.assertFalse(Agent.objects.filter(user__username="priya").exists())

    def test_force_adds_the_demo_next_to_existing_tickets_once(self):
        self.make_ticket()
        out = io.StringIO()

        call_command("demo_data", "--force", "--tickets", "40", stdout=out)

        self.assertIn("Loaded the demo", out.getvalue())
        self.assertEqual(Ticket.objects.count(), 41)
        with self.assertRaisesMessage(CommandError, "already loaded"):
            call_command("demo_data", "--force", stdout=io.StringIO())
