"""Service levels: which promise applies to a ticket, when the team is open, and how each clock stands.

A ticket's due times live on the ticket itself (indexed columns, see tickets.models.Ticket); the rows
here say where they came from: the policy that matched, the calendar it counted on, each clock's
elapsed business time, the breaches, the escalations and the delay notices.
"""

from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from helpwell.lib.business_hours import Calendar
from helpwell.people.models import Customer, Team, validate_time_zone
from helpwell.tickets.models import Category, Channel, Priority, Ticket

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def parse_hours(text: str) -> list[tuple[time, time]]:
    """'09:00-12:30, 13:30-17:00' -> [(09:00, 12:30), (13:30, 17:00)]; '' -> closed; '24h' -> all day."""
    text = text.strip().lower()
    if not text or text in {"closed", "-"}:
        return []
    if text in {"24h", "00:00-24:00", "all day"}:
        return [(time(0), time(0))]
    spans = []
    for part in text.split(","):
        try:
            opens_s, closes_s = (p.strip() for p in part.split("-"))
            opens = time.fromisoformat(opens_s)
            closes = time(0) if closes_s in {"24:00", "00:00"} else time.fromisoformat(closes_s)
        except ValueError:
            raise ValidationError(f"“{part.strip()}” is not a range like 09:00-17:00.") from None
        if closes != time(0) and closes <= opens:
            raise ValidationError(f"“{part.strip()}” closes before it opens.")
        spans.append((opens, closes))
    return spans


def format_hours(spans: list[tuple[time, time]]) -> str:
    if spans == [(time(0), time(0))]:
        return "24h"
    return ", ".join(f"{o:%H:%M}-{'24:00' if c == time(0) else f'{c:%H:%M}'}" for o, c in spans)


@lru_cache(maxsize=64)
def _public_holidays(country: str, subdivision: str, first: int, stop: int) -> tuple[tuple[date, str], ...]:
    """A country's (and region's) public holidays: computed by the holidays package, kept per process."""
    import holidays

    try:
        found = holidays.country_holidays(country, subdiv=subdivision or None, years=list(range(first, stop)))
    except NotImplementedError:
        return ()
    return tuple(sorted(found.items()))


class BusinessCalendar(models.Model):
    """When a team is open: weekly hours in a named zone, public holidays of a country, own closures."""

    name = models.CharField(max_length=100)
    team = models.OneToOneField(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="business_calendar",
        help_text="Leave empty for the calendar used by teams that have none of their own.",
    )  # fmt: skip
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    always_open = models.BooleanField(default=False, help_text="Open around the clock, every day (24/7).")
    # {"0": "09:00-17:00", ..., "6": ""}: Monday is 0, as in Python.
    weekly_hours = models.JSONField(default=dict, blank=True)
    holiday_country = models.CharField(max_length=3, blank=True, help_text="e.g. DE, GB, US")
    holiday_subdivision = models.CharField(max_length=10, blank=True, help_text="e.g. BE (Berlin), CA")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

    def hours_for(self, weekday: int) -> list[tuple[time, time]]:
        try:
            return parse_hours(str(self.weekly_hours.get(str(weekday), "")))
        except ValidationError:
            return []

    def weekly_rows(self) -> list[tuple[str, str]]:
        return [(WEEKDAYS[d], format_hours(self.hours_for(d)) or "closed") for d in range(7)]

    def public_holidays(self, years: range) -> dict[date, str]:
        if not self.holiday_country:
            return {}
        return dict(
            _public_holidays(
                self.holiday_country.upper(), self.holiday_subdivision.upper(), years.start, years.stop
            )
        )

    def closed_days(self, years: range) -> dict[date, str]:
        """Every whole local day the team is shut in `years`, with its reason."""
        days = self.public_holidays(years)
        for closure in self.closures.all() if self.pk else ():
            if closure.date.year in years:
                days[closure.date] = closure.name
        return days

    def as_calendar(self, around: datetime | None = None) -> Calendar:
        """The arithmetic calendar, with the holidays from the year before `around` to three after."""
        if self.always_open:
            return Calendar.around_the_clock(self.zone.key)
        year = (around or timezone.now()).astimezone(self.zone).year
        return Calendar(
            zone=self.zone,
            weekly={d: self.hours_for(d) for d in range(7)},
            closed_dates=frozenset(self.closed_days(range(year - 1, year + 4))),
        )

    @property
    def summary(self) -> str:
        if self.always_open:
            return "Open around the clock, every day (24/7)"
        return "; ".join(f"{day[:3]} {hours}" for day, hours in self.weekly_rows() if hours != "closed")


class Closure(models.Model):
    """A day the team is shut beyond the public holidays: an offsite, a local festival."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="closure_one_per_day")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class EscalationPath(models.Model):
    """Who steps in, and when, as a promise gets close to breaking or breaks."""

    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=300, blank=True)
    # A customer may ask to escalate once the request is this old without a solution (business time).
    customer_escalation_after_minutes = models.PositiveIntegerField(default=24 * 60)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EscalationLevel(models.Model):
    class Trigger(models.TextChoices):
        BEFORE_DUE = "before_due", "When a share of the target has passed"
        AT_BREACH = "at_breach", "At breach"
        AFTER_BREACH = "after_breach", "Some time after breach"

    class Target(models.TextChoices):
        ASSIGNEE = "assignee", "The assignee"
        TEAM_LEADS = "team_leads", "The team's leads"
        TEAM = "team", "Another team"
        AGENT = "agent", "A named person"

    class Action(models.TextChoices):
        NOTIFY = "notify", "Notify"
        REASSIGN = "reassign", "Reassign"

    path = models.ForeignKey(EscalationPath, on_delete=models.CASCADE, related_name="levels")
    position = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(max_length=100, help_text="e.g. Team lead, Tier 2, Support manager")
    trigger = models.CharField(max_length=20, choices=Trigger.choices, default=Trigger.AT_BREACH)
    percent = models.PositiveSmallIntegerField(default=80, help_text="For 'share of the target': 1-99")
    minutes_after = models.PositiveIntegerField(default=60, help_text="For 'after breach'")
    target = models.CharField(max_length=20, choices=Target.choices, default=Target.TEAM_LEADS)
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.NOTIFY)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["path", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.path}: {self.position}. {self.name}"

    @property
    def when_label(self) -> str:
        if self.trigger == self.Trigger.BEFORE_DUE:
            return f"at {self.percent}% of the target"
        if self.trigger == self.Trigger.AFTER_BREACH:
            return f"{self.minutes_after} min after breach"
        return "at breach"

    @property
    def who_label(self) -> str:
        if self.target == self.Target.TEAM and self.team:
            return f"the {self.team.name} team"
        if self.target == self.Target.AGENT and self.agent:
            agent = getattr(self.agent, "agent", None)
            return agent.display_name if agent else self.agent.get_username()
        return self.get_target_display().lower()


class SlaPolicy(models.Model):
    """Targets for a kind of ticket. Policies are tried in order; the first whose conditions match wins."""

    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=100, help_text="Lower is tried first")
    is_active = models.BooleanField(default=True)
    priority = models.ForeignKey(Priority, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    organisation_tier = models.CharField(max_length=40, blank=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    next_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    business_hours = models.BooleanField(
        default=True, help_text="Count only the team's open hours (otherwise every hour counts)."
    )
    escalation_path = models.ForeignKey(
        EscalationPath, null=True, blank=True, on_delete=models.SET_NULL, related_name="policies"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = "SLA policies"

    def __str__(self) -> str:
        return self.name

    def matches(self, ticket: Ticket) -> bool:
        if self.priority_id and self.priority_id != ticket.priority_id:
            return False
        if self.category_id and self.category_id != ticket.category_id:
            return False
        if self.channel and self.channel != ticket.channel:
            return False
        if self.organisation_tier:
            organisation = ticket.customer.organisation
            if organisation is None or organisation.tier.lower() != self.organisation_tier.lower():
                return False
        return True

    def target(self, kind: str) -> int | None:
        targets: dict[str, int | None] = {
            Clock.Kind.FIRST_RESPONSE: self.first_response_minutes,
            Clock.Kind.NEXT_RESPONSE: self.next_response_minutes,
            Clock.Kind.RESOLUTION: self.resolution_minutes,
        }
        return targets[kind]

    @cached_property
    def conditions_label(self) -> str:
        parts = []
        if self.priority_id:
            parts.append(f"priority {self.priority}")
        if self.organisation_tier:
            parts.append(f"tier {self.organisation_tier}")
        if self.category_id:
            parts.append(f"category {self.category}")
        if self.channel:
            parts.append(f"via {self.get_channel_display()}")
        return ", ".join(parts) or "every ticket"


class Clock(models.Model):
    """One of a ticket's three promises: running, paused (elapsed kept) or stopped."""

    class Kind(models.TextChoices):
        FIRST_RESPONSE = "first_response", "First response"
        NEXT_RESPONSE = "next_response", "Next response"
        RESOLUTION = "resolution", "Resolution"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_clocks")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    policy_name = models.CharField(max_length=100)
    target_minutes = models.PositiveIntegerField()
    business_hours = models.BooleanField(default=True)
    started_at = models.DateTimeField()
    elapsed = models.DurationField(default=timedelta, help_text="Time counted before running_since")
    running_since = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    # Escalation levels of the path already carried out for this run of the clock.
    fired_levels = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "kind"], name="clock_one_per_kind")]
        indexes = [models.Index(fields=["stopped_at"], name="clock_stopped")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"

    @property
    def target(self) -> timedelta:
        return timedelta(minutes=self.target_minutes)

    @property
    def state(self) -> str:
        if self.stopped_at:
            return "stopped"
        return "running" if self.running_since else "paused"

    @property
    def met(self) -> bool | None:
        if self.breached_at:
            return False
        return True if self.stopped_at else None


class Breach(models.Model):
    """A promise broken, with the policy and target in force at that moment."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_breaches")
    kind = models.CharField(max_length=20, choices=Clock.Kind.choices)
    policy_name = models.CharField(max_length=100)
    target_minutes = models.PositiveIntegerField()
    business_hours = models.BooleanField(default=True)
    due_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)
    team = models.ForeignKey(Team, null=True, on_delete=models.SET_NULL, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["recorded_at"], name="breach_recorded")]
        verbose_name_plural = "breaches"

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} breached"


class Escalation(models.Model):
    """A level of an escalation path carried out, by the clock or at the customer's request."""

    class Source(models.TextChoices):
        CLOCK = "clock", "Clock"
        CUSTOMER = "customer", "Customer request"
        AGENT = "agent", "Agent"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_escalations")
    level = models.ForeignKey(EscalationLevel, null=True, on_delete=models.SET_NULL, related_name="+")
    level_name = models.CharField(max_length=100)
    clock_kind = models.CharField(max_length=20, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.CLOCK)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(blank=True)
    next_step = models.CharField(max_length=300, blank=True)
    respond_by = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["source", "-created_at"], name="escalation_source_recent")]

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.level_name}"


class DelayNotice(models.Model):
    """A known problem told to customers before they have to ask."""

    title = models.CharField(max_length=150)
    what_happened = models.TextField()
    what_we_are_doing = models.TextField()
    estimated_resolution = models.DateTimeField(null=True, blank=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    tag = models.CharField(max_length=50, blank=True)
    search = models.CharField(max_length=100, blank=True, help_text="Words in the subject")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    tickets = models.ManyToManyField(Ticket, blank=True, related_name="delay_notices")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["is_active", "-created_at"], name="notice_active_recent")]

    def __str__(self) -> str:
        return self.title

    @property
    def has_rule(self) -> bool:
        return bool(self.category_id or self.tag or self.search)


class NoticeUpdate(models.Model):
    """One change to a notice that affected customers hear about (the opening counts as the first)."""

    notice = models.ForeignKey(DelayNotice, on_delete=models.CASCADE, related_name="updates")
    body = models.TextField()
    estimated_resolution = models.DateTimeField(null=True, blank=True)
    resolved = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.notice_id} update {self.pk}"


class NoticeDelivery(models.Model):
    """Proof that a customer heard of an update: one mail per customer per update, never two."""

    update = models.ForeignKey(NoticeUpdate, on_delete=models.CASCADE, related_name="deliveries")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["update", "customer"], name="notice_delivery_once")]

    def __str__(self) -> str:
        return f"update {self.update_id} to customer {self.customer_id}"


class RecomputeJob(models.Model):
    """Due times recomputed in the background after a calendar or policy change, with progress."""

    calendar = models.ForeignKey(BusinessCalendar, null=True, blank=True, on_delete=models.SET_NULL)
    reason = models.CharField(max_length=200)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.reason}: {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.done / self.total)
