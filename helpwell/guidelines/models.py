"""Guidelines as data (the page, the checks' settings, the glossary), what agents did with findings,
and the readings of incoming customer messages that shield agents from abuse."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from helpwell.people.models import Customer, Team
from helpwell.tickets.models import Message, Ticket

from .checks import CHECKS, SEVERITIES
from .checks.defaults import (
    DEFAULT_CODE_OF_CONDUCT,
    DEFAULT_CONDUCT_REPLY,
    DEFAULT_GUIDELINES,
    DEFAULT_MAX_WORDS,
    DEFAULT_MIN_WORDS,
    DEFAULT_TARGET_GRADE,
)


def default_guidelines() -> str:
    return DEFAULT_GUIDELINES


def default_code_of_conduct() -> str:
    return DEFAULT_CODE_OF_CONDUCT


def default_conduct_reply() -> str:
    return DEFAULT_CONDUCT_REPLY


CHECK_CHOICES = [(c.key, c.name) for c in CHECKS.values()]
SEVERITY_CHOICES = [(s, s.capitalize()) for s in SEVERITIES]


class Guideline(models.Model):
    """The team's communication guidelines: a readable page plus the numbers the checks use.

    The row without a team is the default every team starts from.
    """

    team = models.OneToOneField(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="guideline"
    )
    text = models.TextField(default=default_guidelines)
    target_grade = models.FloatField(default=DEFAULT_TARGET_GRADE)
    min_words = models.PositiveIntegerField(default=DEFAULT_MIN_WORDS)
    max_words = models.PositiveIntegerField(default=DEFAULT_MAX_WORDS)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Guidelines for {self.team or 'all teams'}"


class CheckSetting(models.Model):
    """A check turned on or off, at a severity, for one team (or for all teams when team is empty)."""

    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    check_key = models.CharField(max_length=30, choices=CHECK_CHOICES)
    enabled = models.BooleanField(default=True)
    severity = models.CharField(max_length=12, choices=SEVERITY_CHOICES)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "check_key"], name="check_setting_team_check")]

    def __str__(self) -> str:
        return f"{self.check_key} for {self.team or 'all teams'}"


class GlossaryEntry(models.Model):
    """An internal term and the plain words to say instead. Team empty: for every team."""

    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    term = models.CharField(max_length=60)
    plain = models.CharField(max_length=120)

    class Meta:
        ordering = ["term"]
        constraints = [models.UniqueConstraint(fields=["team", "term"], name="glossary_team_term")]
        verbose_name_plural = "glossary entries"

    def __str__(self) -> str:
        return f"{self.term} → {self.plain}"


class DelayNotice(models.Model):
    """An open notice such as "deliveries take 5 to 7 days longer": promises must not contradict it."""

    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=200)
    min_days = models.PositiveIntegerField(help_text="The shortest time it now takes, in days")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.text


class AbuseTerm(models.Model):
    """A team's own addition to the shipped abuse word list."""

    class Category(models.TextChoices):
        INSULT = "insult", "Insult (counts when aimed at someone)"
        SLUR = "slur", "Slur (counts anywhere)"

    category = models.CharField(max_length=10, choices=Category.choices)
    term = models.CharField(max_length=60)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["term"]
        constraints = [models.UniqueConstraint(fields=["category", "term"], name="abuse_term_unique")]

    def __str__(self) -> str:
        return f"{self.category}: {self.term}"


class FindingOutcome(models.Model):
    """What an agent did with a finding: applied its fix, dismissed it (with a reason), or was stopped by it."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Fix applied"
        DISMISSED = "dismissed", "Dismissed"
        BLOCKED = "blocked", "Blocked a send"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(Team, null=True, on_delete=models.SET_NULL, related_name="+")
    check_key = models.CharField(max_length=30, choices=CHECK_CHOICES)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["check_key", "outcome"], name="finding_check_outcome"),
            models.Index(fields=["ticket", "agent", "outcome"], name="finding_ticket_agent"),
        ]

    def __str__(self) -> str:
        return f"{self.check_key} {self.outcome}"


class MessageReading(models.Model):
    """The tone and abuse reading of one incoming customer message, and what leads did about it."""

    class Tone(models.TextChoices):
        POSITIVE = "positive", "Positive"
        NEUTRAL = "neutral", "Neutral"
        UPSET = "upset", "Upset"

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="guideline_reading")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    tone = models.CharField(max_length=10, choices=Tone.choices)
    compound = models.FloatField(default=0.0)
    abusive = models.BooleanField(default=False)
    categories = models.JSONField(default=list, blank=True)
    # Held for leads: abusive, or from a customer on review; shown collapsed to agents.
    shielded = models.BooleanField(default=False)
    # The agent the message landed on (the assignee when it arrived): their exposure.
    exposed_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handling = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["abusive", "handled_at"], name="reading_abusive_open"),
            models.Index(fields=["exposed_agent", "abusive", "created_at"], name="reading_exposure"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id}: {self.tone}{' abusive' if self.abusive else ''}"

    @property
    def category_label(self) -> str:
        return ", ".join(self.categories) or "on review"


class ShieldOpening(models.Model):
    """An agent chose to open a shielded message: it counts towards their exposure."""

    reading = models.ForeignKey(MessageReading, on_delete=models.CASCADE, related_name="openings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reading", "user"], name="shield_opening_once")]

    def __str__(self) -> str:
        return f"{self.user_id} opened {self.reading_id}"


class CustomerReview(models.Model):
    """A lead put a customer on review after repeated abuse: their messages go to leads first."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=300)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_review_per_customer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer} on review"


class CodeOfConduct(models.Model):
    """The public code of conduct and the lead-approved reply offered when a message is abusive (one row)."""

    text = models.TextField(default=default_code_of_conduct)
    reply_template = models.TextField(default=default_conduct_reply)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return "Code of conduct"

    @classmethod
    def load(cls) -> "CodeOfConduct":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj
