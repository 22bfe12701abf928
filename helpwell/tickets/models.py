import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from helpwell.people.models import Customer, Team

# No 0/O, 1/I/L: a reference is read aloud on the phone and typed from paper.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 7


def new_reference() -> str:
    # One draw from the OS's random source for the whole reference: a draw per character was a
    # system call each, a tenth of the cost of accepting a ticket through the API.
    number = secrets.randbelow(len(REFERENCE_ALPHABET) ** REFERENCE_LENGTH)
    chars = []
    for _ in range(REFERENCE_LENGTH):
        number, digit = divmod(number, len(REFERENCE_ALPHABET))
        chars.append(REFERENCE_ALPHABET[digit])
    return "HW-" + "".join(chars)


class Priority(models.Model):
    """A promise: what the priority means in plain words and how fast the first answer comes."""

    key = models.SlugField(unique=True)
    name = models.CharField(max_length=40)
    definition = models.CharField(max_length=300)
    first_response_minutes = models.PositiveIntegerField()
    rank = models.PositiveSmallIntegerField(help_text="1 is the most urgent")
    colour = models.CharField(max_length=7, default="#64748b")

    class Meta:
        ordering = ["rank"]
        verbose_name_plural = "priorities"

    def __str__(self) -> str:
        return self.name

    @property
    def first_response_delta(self) -> timedelta:
        return timedelta(minutes=self.first_response_minutes)

    @property
    def target_label(self) -> str:
        minutes = self.first_response_minutes
        if minutes % (24 * 60) == 0:
            days = minutes // (24 * 60)
            return f"{days} day" + ("s" if days != 1 else "")
        if minutes % 60 == 0:
            hours = minutes // 60
            return f"{hours} hour" + ("s" if hours != 1 else "")
        return f"{minutes} minutes"


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(unique=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="categories"
    )
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    PENDING = "pending", "Pending customer"
    ON_HOLD = "on_hold", "On hold"
    SOLVED = "solved", "Solved"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)


class Channel(models.TextChoices):
    WEB = "web", "Web portal"
    EMAIL = "email", "Email"
    API = "api", "API"
    CHAT = "chat", "Chat"
    PHONE = "phone", "Phone"


class Ticket(models.Model):
    reference = models.CharField(max_length=12, unique=True, default=new_reference, editable=False)
    subject = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    # Derived from status, stored so the queue's "open tickets, newest activity first" is one index range.
    is_open = models.BooleanField(default=True)
    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="tickets")
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    # Indexed by ticket_customer_recent below, which also answers the ticket page's counts alone.
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="tickets", db_index=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="tickets")
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")
    impact = models.CharField(max_length=20, blank=True)
    urgency = models.CharField(max_length=20, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    first_response_due = models.DateTimeField(null=True, blank=True, db_index=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    # Due times of the running SLA clocks (null while paused or stopped), kept by helpwell.sla.clocks
    # from the actions that change the ticket. next_due is the earliest of them: the queue's "deadline".
    next_response_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    next_due = models.DateTimeField(null=True, blank=True)
    # When the SLA sweep must next look at this ticket (a warning, a breach, an escalation); one index range.
    sla_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Not a column: do_create_ticket leaves the message the ticket was opened with here for its caller.
    opening_message: "Message | None" = None

    class Meta:
        indexes = [
            models.Index(fields=["is_open", "-updated_at", "-id"], name="ticket_open_recent"),
            models.Index(fields=["team", "is_open", "-updated_at", "-id"], name="ticket_team_open_recent"),
            models.Index(
                fields=["assignee", "is_open", "-updated_at", "-id"], name="ticket_assignee_open_recent"
            ),
            models.Index(fields=["status", "-updated_at", "-id"], name="ticket_status_recent"),
            models.Index(fields=["is_open", "-created_at", "-id"], name="ticket_open_newest"),
            # The columns access rules and counts read are included, so on PostgreSQL the ticket page
            # counts an organisation's tickets from the index alone (an index-only scan).
            models.Index(
                fields=["customer", "-created_at"],
                include=["id", "is_open", "team", "assignee"],
                name="ticket_customer_recent",
            ),
            models.Index(fields=["-updated_at", "-id"], name="ticket_recent"),
            models.Index(fields=["next_due", "id"], name="ticket_next_due"),
            models.Index(fields=["team", "next_due", "id"], name="ticket_team_next_due"),
            models.Index(fields=["assignee", "next_due", "id"], name="ticket_assignee_next_due"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    def save(self, *args, **kwargs) -> None:
        self.is_open = self.status in OPEN_STATUSES
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "status" in update_fields:
            kwargs["update_fields"] = set(update_fields) | {"is_open"}
        super().save(*args, **kwargs)

    @property
    def is_solved(self) -> bool:
        return self.status in (Status.SOLVED, Status.CLOSED)

    def first_response_due_for(self, created_at: datetime | None = None) -> datetime:
        return (created_at or self.created_at) + self.priority.first_response_delta


class Message(models.Model):
    class Kind(models.TextChoices):
        PUBLIC = "public", "Public reply"
        INTERNAL = "internal", "Internal note"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PUBLIC)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body_text = models.TextField()
    body_html = models.TextField(blank=True, help_text="Sanitised HTML; never raw input")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["ticket", "created_at"], name="message_ticket_time")]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.kind}:{self.pk}"

    @property
    def is_internal(self) -> bool:
        return self.kind == self.Kind.INTERNAL

    @property
    def from_customer(self) -> bool:
        return self.author_customer_id is not None


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Stored under a random name; the original name is kept in the row for downloads only.
    return f"attachments/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.filename


class TicketEvent(models.Model):
    """One row per change to a ticket: who changed what, when, and from which channel."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        REPLIED = "replied", "Replied"
        NOTED = "noted", "Added an internal note"
        CUSTOMER_REPLIED = "customer_replied", "Customer replied"
        ASSIGNED = "assigned", "Assigned"
        STATUS = "status", "Status changed"
        PRIORITY = "priority", "Priority changed"
        CATEGORY = "category", "Category changed"
        TAGS = "tags", "Tags changed"
        TEAM = "team", "Team changed"
        RATED = "rated", "Rated"
        EMAILED = "emailed", "Email sent"
        SLA_BREACHED = "sla_breached", "Target breached"
        ESCALATED = "escalated", "Escalated"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    old_value = models.CharField(max_length=200, blank=True)
    new_value = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["ticket", "created_at"], name="event_ticket_time")]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"
