"""Due times from policies and team calendars, checked at fixed instants with time_machine."""

from datetime import UTC, date, datetime, time, timedelta

import time_machine
from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from helpwell.lib.business_hours import add_business_time, business_time_between
from helpwell.sla.models import BusinessCalendar, Clock, Closure, SlaPolicy, parse_hours
from helpwell.sla.promise import first_response_promise
from helpwell.tickets.actions import do_change_status, do_customer_reply, do_reply
from helpwell.tickets.models import Status

from .cast import BERLIN, NEW_YORK, SlaTestCase, berlin


class DueTimeTests(SlaTestCase):
    def make_high(self, **kwargs):
        return self.make_ticket(priority=self.priorities["high"], **kwargs)

    def test_it_skips_the_weekend(self):
        with time_machine.travel(berlin(2026, 11, 27, 16), tick=False):  # a Friday
            ticket = self.make_high()
        self.assertEqual(ticket.first_response_due, berlin(2026, 11, 30, 12))
        # 1 hour on Friday, 8 on Monday, 7 on Tuesday.
        self.assertEqual(ticket.resolution_due, berlin(2026, 12, 1, 16))
        self.assertEqual(ticket.next_due, ticket.first_response_due)
        self.assertIsNone(ticket.next_response_due)

    def test_it_skips_public_holidays_from_the_holidays_package(self):
        with time_machine.travel(berlin(2026, 12, 24, 16), tick=False):  # Christmas Eve, a working Thursday
            ticket = self.make_high()
        # Christmas Day (Friday) is a public holiday in Berlin, then the weekend.
        self.assertEqual(ticket.first_response_due, berlin(2026, 12, 28, 12))

    def test_it_skips_the_teams_own_closure(self):
        Closure.objects.create(calendar=self.billing_hours, date=date(2026, 11, 30), name="Team offsite")
        with time_machine.travel(berlin(2026, 11, 27, 16), tick=False):
            ticket = self.make_high()
        self.assertEqual(ticket.first_response_due, berlin(2026, 12, 1, 12))

    def test_office_hours_keep_their_wall_clock_across_the_spring_change(self):
        with time_machine.travel(berlin(2026, 3, 27, 16), tick=False):  # Friday before the clocks go forward
            ticket = self.make_high()
        self.assertEqual(ticket.first_response_due, berlin(2026, 3, 30, 12))

    def test_a_spring_forward_night_counts_real_hours(self):
        self.billing_hours.weekly_hours = {str(d): "24h" for d in range(7)}
        self.billing_hours.save()
        with time_machine.travel(berlin(2026, 3, 28, 23), tick=False):
            ticket = self.make_high()
        # 02:00-03:00 does not exist that night: four real hours end at 04:00 on the wall clock.
        self.assertEqual(ticket.first_response_due, berlin(2026, 3, 29, 4))
        self.assertEqual(ticket.first_response_due - ticket.created_at, timedelta(hours=4))

    def test_a_fall_back_night_counts_real_hours(self):
        self.billing_hours.weekly_hours = {str(d): "24h" for d in range(7)}
        self.billing_hours.save()
        with time_machine.travel(berlin(2026, 10, 24, 23), tick=False):
            ticket = self.make_high()
        # 02:00-03:00 happens twice: four real hours end at 02:00 the second time round.
        due = ticket.first_response_due.astimezone(BERLIN)
        self.assertEqual(ticket.first_response_due - ticket.created_at, timedelta(hours=4))
        self.assertEqual((due.hour, due.fold), (2, 1))

    def test_a_24_7_team_counts_every_hour(self):
        with time_machine.travel(berlin(2026, 11, 28, 10), tick=False):  # Saturday
            ticket = self.make_high(category=self.deliveries)
        self.assertEqual(ticket.team, self.shipping)
        self.assertEqual(ticket.first_response_due, berlin(2026, 11, 28, 14))

    def test_a_policy_in_calendar_time_ignores_the_weekend(self):
        with time_machine.travel(berlin(2026, 11, 28, 10), tick=False):
            ticket = self.make_ticket(priority=self.priorities["urgent"])
        self.assertEqual(ticket.first_response_due, berlin(2026, 11, 28, 11))

    def test_the_first_matching_policy_wins(self):
        self.acme.tier = "premium"
        self.acme.save()
        SlaPolicy.objects.create(
            name="Premium", position=1, organisation_tier="premium", first_response_minutes=30,
            resolution_minutes=120, business_hours=False,
        )  # fmt: skip
        with time_machine.travel(berlin(2026, 11, 30, 10), tick=False):
            carols = self.make_high()
            dans = self.make_high(customer=self.dan)
        self.assertEqual(carols.first_response_due, berlin(2026, 11, 30, 10, 30))
        self.assertEqual(dans.first_response_due, berlin(2026, 11, 30, 14))

    def test_without_any_policy_the_priority_target_applies_in_calendar_time(self):
        SlaPolicy.objects.all().delete()
        with time_machine.travel(berlin(2026, 11, 28, 10), tick=False):
            ticket = self.make_ticket(priority=self.priorities["high"])
        self.assertEqual(ticket.first_response_due, berlin(2026, 11, 28, 14))
        self.assertIsNone(ticket.resolution_due)


class PauseAndReopenTests(SlaTestCase):
    def clock(self, ticket, kind):
        return Clock.objects.get(ticket=ticket, kind=kind)

    def test_waiting_on_the_customer_pauses_and_their_reply_resumes(self):
        with time_machine.travel(berlin(2026, 11, 30, 9), tick=False):
            ticket = self.make_ticket(priority=self.priorities["high"])
        with time_machine.travel(berlin(2026, 11, 30, 10), tick=False):
            do_reply(ticket, user=self.alice, body="Which invoice?", status=Status.PENDING)
        ticket.refresh_from_db()
        resolution = self.clock(ticket, Clock.Kind.RESOLUTION)
        self.assertEqual((resolution.state, resolution.elapsed), ("paused", timedelta(hours=1)))
        self.assertIsNone(ticket.resolution_due)
        self.assertIsNone(ticket.next_due)
        self.assertEqual(self.clock(ticket, Clock.Kind.FIRST_RESPONSE).met, True)

        with time_machine.travel(berlin(2026, 12, 2, 9), tick=False):  # two days later
            do_customer_reply(ticket, customer=self.carol, body="INV-2041")
        ticket.refresh_from_db()
        # 15 hours left: 8 on Wednesday, 7 on Thursday. The days spent waiting do not count.
        self.assertEqual(ticket.resolution_due, berlin(2026, 12, 3, 16))
        self.assertEqual(ticket.next_response_due, berlin(2026, 12, 2, 11))
        self.assertEqual(ticket.next_due, berlin(2026, 12, 2, 11))

    def test_on_hold_pauses_too(self):
        with time_machine.travel(berlin(2026, 11, 30, 9), tick=False):
            ticket = self.make_ticket(priority=self.priorities["high"])
        with time_machine.travel(berlin(2026, 11, 30, 9, 30), tick=False):
            do_change_status(ticket, Status.ON_HOLD, user=self.alice)
        with time_machine.travel(berlin(2026, 11, 30, 15), tick=False):
            do_change_status(ticket, Status.OPEN, user=self.alice)
        ticket.refresh_from_db()
        # Half an hour counted before the hold, three and a half after it: 15:00-17:00, then Tuesday.
        self.assertEqual(ticket.first_response_due, berlin(2026, 12, 1, 10, 30))
        self.assertEqual(ticket.resolution_due, berlin(2026, 12, 2, 14, 30))

    def test_solving_stops_every_clock_and_reopening_starts_the_right_ones(self):
        with time_machine.travel(berlin(2026, 11, 30, 9), tick=False):
            ticket = self.make_ticket(priority=self.priorities["high"])
        with time_machine.travel(berlin(2026, 11, 30, 11), tick=False):
            do_reply(ticket, user=self.alice, body="Fixed.", status=Status.SOLVED)
        ticket.refresh_from_db()
        self.assertEqual({c.state for c in ticket.sla_clocks.all()}, {"stopped"})
        self.assertEqual((ticket.next_due, ticket.resolution_due, ticket.sla_check_at), (None, None, None))

        with time_machine.travel(berlin(2026, 12, 1, 9), tick=False):
            do_change_status(ticket, Status.OPEN, customer=self.carol)
        ticket.refresh_from_db()
        # Two of sixteen hours were used before the solution: fourteen left, from Tuesday 09:00.
        self.assertEqual(ticket.resolution_due, berlin(2026, 12, 2, 15))
        self.assertEqual(ticket.next_response_due, berlin(2026, 12, 1, 11))
        self.assertEqual(self.clock(ticket, Clock.Kind.FIRST_RESPONSE).state, "stopped")


class PromiseTests(SlaTestCase):
    def test_the_promise_is_stated_in_the_customers_time_zone(self):
        with time_machine.travel(berlin(2026, 11, 27, 16), tick=False):
            ticket = self.make_ticket(customer=self.dan, priority=self.priorities["high"])
            promise = first_response_promise(ticket, NEW_YORK)
        # Monday 12:00 in Berlin is 06:00 in New York.
        self.assertEqual(promise.phrase, "Monday 06:00 your time (America/New_York)")
        self.assertEqual(promise.target, "4 business hours")

    def test_it_says_when_the_team_is_closed_for_a_holiday(self):
        with time_machine.travel(berlin(2026, 12, 24, 16), tick=False):
            ticket = self.make_ticket(priority=self.priorities["high"])
            promise = first_response_promise(ticket, BERLIN)
        self.assertEqual(promise.closures, ["We are closed for Christmas Day on Friday 25 December."])
        self.assertEqual(promise.closed_now, "")

    def test_it_says_when_the_team_opens_again(self):
        with time_machine.travel(berlin(2026, 11, 28, 10), tick=False):  # Saturday
            ticket = self.make_ticket(customer=self.dan, priority=self.priorities["high"])
            promise = first_response_promise(ticket, NEW_YORK)
        self.assertEqual(promise.closed_now, "We are closed right now and open again Monday 03:00 your time.")
        self.assertEqual(promise.phrase, "Monday 07:00 your time (America/New_York)")


# --- properties: calendars built from a country's public holidays ------------------------------------

REGIONS = [("DE", "BE"), ("GB", "ENG"), ("US", "CA"), ("FR", ""), ("AU", "NSW"), ("IN", "")]
ZONES = [
    "Europe/Berlin",
    "Europe/London",
    "America/Los_Angeles",
    "Europe/Paris",
    "Australia/Sydney",
    "Asia/Kolkata",
]


def _range(pair: tuple[int, int]) -> str:
    opens, closes = sorted(pair)
    return f"{opens:02d}:00-{'24:00' if closes == 24 else f'{closes:02d}:00'}"


weekly = st.dictionaries(
    st.integers(0, 6).map(str),
    st.tuples(st.integers(0, 23), st.integers(1, 24)).filter(lambda p: p[0] < p[1]).map(_range),
    min_size=1,
)
holiday_calendars = st.builds(
    lambda region, zone, hours: BusinessCalendar(
        name="x", time_zone=zone, weekly_hours=hours, holiday_country=region[0], holiday_subdivision=region[1]
    ).as_calendar(datetime(2026, 6, 1, tzinfo=UTC)),
    st.sampled_from(REGIONS),
    st.sampled_from(ZONES),
    weekly,
)
instants = st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31)).map(lambda d: d.replace(tzinfo=UTC))
durations = st.integers(0, 120 * 60).map(lambda m: timedelta(minutes=m))


class HolidayCalendarPropertyTests(SimpleTestCase):
    @settings(max_examples=150, deadline=None)
    @given(calendar=holiday_calendars, start=instants, duration=durations)
    def test_adding_then_measuring_gives_back_the_duration(self, calendar, start, duration):
        due = add_business_time(calendar, start, duration)
        self.assertEqual(business_time_between(calendar, start, due), duration)

    @settings(max_examples=150, deadline=None)
    @given(calendar=holiday_calendars, start=instants, end=instants)
    def test_measuring_then_adding_lands_at_or_before_the_end(self, calendar, start, end):
        elapsed = business_time_between(calendar, start, end)
        if end > start:
            self.assertLessEqual(add_business_time(calendar, start, elapsed), end)

    @settings(max_examples=100, deadline=None)
    @given(calendar=holiday_calendars, start=instants)
    def test_no_time_counts_on_a_public_holiday(self, calendar, start):
        for begin, _end in _first(calendar.intervals_from(start), 20):
            self.assertNotIn(begin.astimezone(calendar.zone).date(), calendar.closed_dates)


def _first(iterator, n):
    for i, item in enumerate(iterator):
        if i >= n:
            return
        yield item


class ParseHoursTests(SimpleTestCase):
    def test_it_reads_ranges_and_whole_days(self):
        self.assertEqual(
            parse_hours("09:00-12:30, 13:30-17:00"), [(time(9), time(12, 30)), (time(13, 30), time(17))]
        )
        self.assertEqual(parse_hours("24h"), [(time(0), time(0))])
        self.assertEqual(parse_hours(""), [])

    def test_it_refuses_a_range_that_closes_before_it_opens(self):
        from django.core.exceptions import ValidationError

        with self.assertRaises(ValidationError):
            parse_hours("17:00-09:00")
