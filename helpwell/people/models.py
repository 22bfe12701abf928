import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from helpwell.lib.timefmt import is_time_zone, known_time_zones

TIME_ZONE_CHOICES = [(tz, tz) for tz in sorted(known_time_zones()) if "/" in tz or tz == "UTC"]


def validate_time_zone(value: str) -> None:
    if not is_time_zone(value):
        raise ValidationError(f"“{value}” is not a time zone we know, e.g. Europe/Berlin.")


LANGUAGE_CHOICES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("nl", "Nederlands"),
    ("it", "Italiano"),
    ("pt", "Português"),
]


def new_access_salt() -> str:
    return secrets.token_hex(16)


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    domain = models.CharField(max_length=200, blank=True, help_text="Mail domain, e.g. acme.example")
    tier = models.CharField(max_length=40, blank=True, help_text="Support tier, e.g. standard or premium")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CustomerQuerySet(models.QuerySet["Customer"]):
    def with_email(self, email: str) -> "CustomerQuerySet":
        """Customers with this address in any letter case, through the customer_email_lower index
        (`email__iexact` compiles to UPPER(…) on PostgreSQL and LIKE on SQLite: a scan of every customer)."""
        return self.alias(email_lower=Lower("email")).filter(email_lower=email.strip().lower())


class Customer(models.Model):
    name = models.CharField(max_length=200)
    email = models.EmailField(unique=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="customers"
    )
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES, default="en")
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    # Rotating this invalidates every magic link the customer was ever sent.
    access_salt = models.CharField(max_length=32, default=new_access_salt)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(Lower("email"), name="customer_email_lower")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(unique=True)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    AGENT = "agent", "Agent"
    LEAD = "lead", "Team lead"
    ADMIN = "admin", "Admin"


def photo_path(instance: "Agent", filename: str) -> str:
    # Never reuse the uploaded name: it is the person's choice, not ours, and may be unsafe.
    return f"photos/{instance.user_id}-{secrets.token_hex(6)}.jpg"


class Agent(models.Model):
    """The human side of a staff account: who customers see and who leads look after."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent")
    display_name = models.CharField(max_length=100)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.AGENT)
    teams = models.ManyToManyField(Team, related_name="agents", blank=True)
    job_title = models.CharField(max_length=100, blank=True)
    bio = models.TextField(blank=True, max_length=1000)
    interests = models.CharField(max_length=300, blank=True, help_text="Interests and hobbies")
    languages = models.CharField(max_length=200, blank=True, help_text="Languages spoken, comma separated")
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    photo = models.ImageField(upload_to=photo_path, blank=True)
    avatar_colour = models.CharField(max_length=7, default="#4f6bed")
    show_on_team_page = models.BooleanField(default=True)
    api_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_lead(self) -> bool:
        return self.role in (Role.LEAD, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def initials(self) -> str:
        parts = [p for p in self.display_name.split() if p]
        letters = "".join(p[0] for p in parts[:2]) or "?"
        return letters.upper()

    @property
    def first_name(self) -> str:
        return self.display_name.split()[0] if self.display_name else ""
