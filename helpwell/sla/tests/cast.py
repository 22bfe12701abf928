"""The SLA cast on top of helpwell.test: Billing works office hours in Berlin (with Berlin's public
holidays), Shipping is open around the clock and serves as tier 2. High priority promises a first
answer in 4 business hours, a next answer in 2 and a solution in 16; its escalation path warns the
assignee at 75%, tells Billing's lead (Lena) at breach and hands the ticket to Shipping an hour later.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from helpwell.sla.models import BusinessCalendar, EscalationLevel, EscalationPath, SlaPolicy
from helpwell.test import BaseTestCase

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE = {str(d): "09:00-17:00" for d in range(5)}


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


class SlaTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.billing_hours = BusinessCalendar.objects.create(
            name="Billing office hours", team=self.billing, time_zone="Europe/Berlin",
            weekly_hours=OFFICE, holiday_country="DE", holiday_subdivision="BE",
        )  # fmt: skip
        self.shipping_hours = BusinessCalendar.objects.create(
            name="Shipping 24/7", team=self.shipping, time_zone="UTC", always_open=True
        )
        self.path = EscalationPath.objects.create(name="Standard", customer_escalation_after_minutes=8 * 60)
        self.warn = EscalationLevel.objects.create(
            path=self.path, position=1, name="Assignee", trigger=EscalationLevel.Trigger.BEFORE_DUE,
            percent=75, target=EscalationLevel.Target.ASSIGNEE,
        )  # fmt: skip
        self.lead_level = EscalationLevel.objects.create(
            path=self.path, position=2, name="Team lead", trigger=EscalationLevel.Trigger.AT_BREACH,
            target=EscalationLevel.Target.TEAM_LEADS,
        )  # fmt: skip
        self.tier2 = EscalationLevel.objects.create(
            path=self.path, position=3, name="Tier 2", trigger=EscalationLevel.Trigger.AFTER_BREACH,
            minutes_after=60, target=EscalationLevel.Target.TEAM, action=EscalationLevel.Action.REASSIGN,
            team=self.shipping,
        )  # fmt: skip
        self.high_policy = SlaPolicy.objects.create(
            name="High", position=10, priority=self.priorities["high"], first_response_minutes=4 * 60,
            next_response_minutes=2 * 60, resolution_minutes=16 * 60, escalation_path=self.path,
        )  # fmt: skip
        self.urgent_policy = SlaPolicy.objects.create(
            name="Urgent", position=5, priority=self.priorities["urgent"], first_response_minutes=60,
            next_response_minutes=60, resolution_minutes=8 * 60, business_hours=False,
        )  # fmt: skip
