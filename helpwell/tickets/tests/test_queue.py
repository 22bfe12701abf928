"""The queue as a pure function of its parameters: tabs, filters, sorts and cursor pagination."""

from datetime import timedelta

from django.utils import timezone

from helpwell.test import BaseTestCase
from helpwell.tickets.actions import do_assign_ticket, do_change_status, do_set_tags
from helpwell.tickets.models import Status, Ticket
from helpwell.tickets.queue import (
    PAGE_SIZE,
    QueueParams,
    due_info,
    duration_text,
    encode_cursor,
    fetch_page,
    queue_queryset,
    reference_in,
)


def params(**kwargs) -> QueueParams:
    return QueueParams.from_query({k: str(v) for k, v in kwargs.items()})


class QueueTestCase(BaseTestCase):
    def subjects(self, user, **kwargs) -> set[str]:
        p = params(**kwargs)
        return {t.subject for t in fetch_page(queue_queryset(user, p), p, user).tickets}

    def walk(self, user, direction: str = "next", **kwargs) -> list[Ticket]:
        """Every ticket of a view, page by page through the cursors (and back, for direction='prev')."""
        p = params(**kwargs)
        pages = [fetch_page(queue_queryset(user, p), p, user)]
        while pages[-1].has_next:
            p = params(**kwargs, cursor=pages[-1].next_cursor)
            pages.append(fetch_page(queue_queryset(user, p), p, user))
        if direction == "prev":
            back = [pages[-1]]
            while back[-1].has_prev:
                p = params(**kwargs, cursor=back[-1].prev_cursor)
                back.append(fetch_page(queue_queryset(user, p), p, user))
            self.assertEqual([t.pk for t in back[-1].tickets], [t.pk for t in pages[0].tickets])
            self.assertEqual(len(back), len(pages))
        return [t for page in pages for t in page.tickets]


class ParamsTests(QueueTestCase):
    def test_it_starts_with_my_open_tickets_by_last_activity(self):
        p = QueueParams.from_query({})
        self.assertEqual((p.tab, p.status, p.sort), ("mine", "", "activity"))

    def test_a_search_looks_in_every_ticket_of_any_status(self):
        p = QueueParams.from_query({"q": "invoice"})
        self.assertEqual((p.tab, p.status), ("all", "any"))
        self.assertEqual(QueueParams.from_query({"q": "invoice", "status": ""}).status, "")

    def test_unknown_values_fall_back_to_the_defaults(self):
        p = QueueParams.from_query({"tab": "nope", "status": "deleted", "sort": "random", "team": "x"})
        self.assertEqual((p.tab, p.status, p.sort, p.team), ("mine", "", "activity", None))

    def test_query_string_keeps_the_view_and_drops_the_cursor(self):
        p = params(tab="all", priority="high", cursor="abc")
        self.assertEqual(p.query_string(tab="mine"), "tab=mine&priority=high")

    def test_it_recognises_a_reference_however_it_is_typed(self):
        self.assertEqual(reference_in(" hw-7k3p9qa "), "HW-7K3P9QA")
        self.assertEqual(reference_in("HW7K3P9QA"), "HW-7K3P9QA")
        self.assertIsNone(reference_in("HW-7K3"))
        self.assertIsNone(reference_in("invoice HW-7K3P9QA"))


class TabTests(QueueTestCase):
    def setUp(self):
        super().setUp()
        self.mine = self.make_ticket(subject="Alice's refund")
        do_assign_ticket(self.mine, self.alice, actor=self.alice)
        self.bobs = self.make_ticket(subject="Bob's invoice")
        do_assign_ticket(self.bobs, self.bob, actor=self.bob)
        self.free = self.make_ticket(subject="Nobody's VAT question")
        self.parcel = self.make_ticket(subject="Lost parcel", category=self.deliveries)
        self.solved = self.make_ticket(subject="Old solved one")
        do_change_status(self.solved, Status.SOLVED, user=self.alice, notify=False)

    def test_mine_lists_my_open_tickets(self):
        self.assertEqual(self.subjects(self.alice, tab="mine"), {"Alice's refund"})

    def test_unassigned_lists_open_tickets_without_an_owner_on_my_teams(self):
        self.assertEqual(self.subjects(self.alice, tab="unassigned"), {"Nobody's VAT question"})
        self.assertEqual(self.subjects(self.tom, tab="unassigned"), {"Lost parcel"})

    def test_my_teams_lists_my_teams_open_tickets(self):
        self.assertEqual(
            self.subjects(self.bob, tab="teams"), {"Alice's refund", "Bob's invoice", "Nobody's VAT question"}
        )

    def test_tom_never_sees_billing_tickets_in_any_tab(self):
        for tab in ("mine", "unassigned", "teams", "all"):
            for status in ("", "any", "solved"):
                with self.subTest(tab=tab, status=status):
                    self.assertLessEqual(self.subjects(self.tom, tab=tab, status=status), {"Lost parcel"})

    def test_a_billing_ticket_assigned_to_tom_is_his_to_see(self):
        do_assign_ticket(self.free, self.tom, actor=self.lena)
        self.assertEqual(self.subjects(self.tom, tab="mine"), {"Nobody's VAT question"})
        self.assertEqual(self.subjects(self.tom, tab="all"), {"Nobody's VAT question", "Lost parcel"})

    def test_ada_the_admin_sees_everything(self):
        self.assertEqual(len(self.subjects(self.ada, tab="all")), 4)
        self.assertEqual(len(self.subjects(self.ada, tab="all", status="any")), 5)

    def test_a_status_filter_can_show_solved_tickets(self):
        self.assertEqual(self.subjects(self.alice, tab="all", status="solved"), {"Old solved one"})
        self.assertNotIn("Old solved one", self.subjects(self.alice, tab="all"))


class FilterTests(QueueTestCase):
    def test_it_filters_by_priority_category_tag_and_team(self):
        urgent = self.make_ticket(subject="Card charged twice", priority=self.priorities["urgent"])
        self.make_ticket(subject="Parcel stuck", category=self.deliveries)
        do_set_tags(urgent, ["vip"], actor=self.lena)
        self.assertEqual(self.subjects(self.ada, tab="all", priority="urgent"), {"Card charged twice"})
        self.assertEqual(self.subjects(self.ada, tab="all", category="deliveries"), {"Parcel stuck"})
        self.assertEqual(self.subjects(self.ada, tab="all", tag="VIP"), {"Card charged twice"})
        self.assertEqual(self.subjects(self.ada, tab="all", tag="no-such-tag"), set())
        self.assertEqual(self.subjects(self.ada, tab="all", team=self.shipping.pk), {"Parcel stuck"})

    def test_a_search_matches_words_in_the_subject(self):
        self.make_ticket(subject="Refund for order 1182")
        self.make_ticket(subject="Password reset")
        self.assertEqual(self.subjects(self.alice, q="REFUND"), {"Refund for order 1182"})


class PaginationTests(QueueTestCase):
    def make_many(self, count: int, *, same_time: bool = True, **kwargs) -> list[Ticket]:
        moment = timezone.now() - timedelta(hours=1)
        tickets = [self.make_ticket(subject=f"Ticket {i:03}", **kwargs) for i in range(count)]
        for i, ticket in enumerate(tickets):
            # Identical timestamps are the hard case: only the id breaks the tie.
            when = moment if same_time else moment - timedelta(minutes=i % 7)
            Ticket.objects.filter(pk=ticket.pk).update(updated_at=when, created_at=when)
        return tickets

    def test_pages_hold_every_ticket_once_when_timestamps_tie(self):
        made = self.make_many(60)
        seen = self.walk(self.ada, tab="all")
        self.assertEqual(len(seen), 60)
        self.assertEqual(sorted(t.pk for t in seen), sorted(t.pk for t in made))
        self.assertEqual([t.pk for t in seen], sorted((t.pk for t in made), reverse=True))

    def test_previous_pages_lead_back_to_the_first(self):
        self.make_many(60)
        self.walk(self.ada, direction="prev", tab="all")

    def test_every_sort_pages_without_gaps_or_repeats(self):
        self.make_many(30, same_time=False)
        self.make_many(25, same_time=False, priority=self.priorities["urgent"])
        for sort in ("activity", "newest", "priority", "due"):
            with self.subTest(sort=sort):
                seen = self.walk(self.ada, "prev", tab="all", sort=sort)
                self.assertEqual(len({t.pk for t in seen}), 55)
                self.assertEqual(len(seen), 55)
        ranks = [t.priority.rank for t in self.walk(self.ada, tab="all", sort="priority")]
        self.assertEqual(ranks, sorted(ranks))

    def test_an_agent_on_two_teams_pages_through_both_in_order(self):
        self.tom.agent.teams.add(self.billing)
        self.make_many(30, same_time=False)
        self.make_many(30, same_time=False, category=self.deliveries)
        for status in ("", "any"):
            seen = self.walk(self.tom, "prev", tab="teams", status=status)
            self.assertEqual(len({t.pk for t in seen}), 60)
            keys = [(t.updated_at, t.pk) for t in seen]
            self.assertEqual(keys, sorted(keys, reverse=True))

    def test_a_page_holds_25_and_says_whether_there_is_more(self):
        self.make_many(PAGE_SIZE + 1)
        p = params(tab="all")
        page = fetch_page(queue_queryset(self.ada, p), p, self.ada)
        self.assertEqual(len(page.tickets), PAGE_SIZE)
        self.assertTrue(page.has_next)
        self.assertFalse(page.has_prev)

    def test_a_bad_or_foreign_cursor_starts_from_the_top(self):
        self.make_many(3)
        for cursor in ("garbage", encode_cursor("newest", True, ["2020-01-01T00:00:00+00:00", 1])):
            p = params(tab="all", cursor=cursor)
            self.assertEqual(len(fetch_page(queue_queryset(self.ada, p), p, self.ada).tickets), 3)


class DueTests(BaseTestCase):
    def test_it_says_how_long_is_left_or_how_late_it_is(self):
        ticket = self.make_ticket(priority=self.priorities["high"])
        now = ticket.created_at
        self.assertEqual(due_info(ticket, now).text, "in 4 h")
        self.assertEqual(due_info(ticket, now + timedelta(hours=3, minutes=30)).state, "soon")
        late = due_info(ticket, now + timedelta(hours=6))
        self.assertEqual((late.state, late.text), ("overdue", "2 h overdue"))

    def test_an_answered_ticket_has_no_clock_running(self):
        ticket = self.make_ticket()
        ticket.first_response_at = ticket.created_at + timedelta(minutes=30)
        self.assertEqual(due_info(ticket, timezone.now()).text, "Answered")

    def test_durations_read_naturally(self):
        self.assertEqual(duration_text(20), "1 min")
        self.assertEqual(duration_text(95 * 60), "1 h 35 min")
        self.assertEqual(duration_text(5 * 3600 + 60), "5 h")
        self.assertEqual(duration_text(50 * 3600), "2 d 2 h")


class PlanTests(QueueTestCase):
    """The default views must be read in order from an index, never sorted: that is what keeps the
    first page as fast at a million tickets as at ten. (SQLite's plans are stable enough to assert.)"""

    def plans(self, user, **kwargs) -> list[str]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        p = params(**kwargs)
        with CaptureQueriesContext(connection) as ctx:
            fetch_page(queue_queryset(user, p), p, user)
        out = []
        for query in ctx.captured_queries:
            if 'FROM "tickets_ticket"' in query["sql"]:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
                    out.append(" | ".join(str(row[-1]) for row in cursor.fetchall()))
        return out

    def test_default_views_read_an_index_range_in_order(self):
        from django.db import connection

        if connection.vendor != "sqlite":
            self.skipTest(
                "PostgreSQL chooses by table statistics; checked by hand with EXPLAIN (see queue.py)"
            )
        self.tom.agent.teams.add(self.billing)
        expected = {
            ("mine", ""): "ticket_assignee_open_recent",
            ("unassigned", ""): "ticket_assignee_open_recent",
            ("teams", ""): "ticket_team_open_recent",
            ("teams", "any"): "ticket_team_open_recent",
            ("mine", "any"): "ticket_assignee_open_recent",
            ("all", "pending"): "ticket_status_recent",
        }
        for (tab, status), index in expected.items():
            with self.subTest(tab=tab, status=status):
                plans = self.plans(self.tom, tab=tab, status=status)
                self.assertTrue(plans)
                for plan in plans:
                    self.assertIn(index, plan)
                    self.assertNotIn("TEMP B-TREE", plan)
        for plan in self.plans(self.ada, tab="all") + self.plans(self.ada, tab="all", sort="priority"):
            self.assertIn("ticket_open_recent", plan)
            self.assertNotIn("TEMP B-TREE", plan)
