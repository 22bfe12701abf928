from django.conf import settings
from django.db import models
from django.utils import timezone


class OutgoingMail(models.Model):
    """Every mail Helpwell sends is a row first; the worker delivers it with retries."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=40)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="outgoing_mail"
    )
    from_email = models.CharField(max_length=300)
    to = models.CharField(max_length=1000)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    message_id = models.CharField(max_length=300, unique=True)
    # Inline images by content id, e.g. the agent's photo: {"cid": "path relative to MEDIA_ROOT"}.
    inline_images = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outgoing_due")]
        ordering = ["-created_at"]
        verbose_name_plural = "outgoing mail"

    def __str__(self) -> str:
        return f"{self.kind} to {self.to}: {self.subject}"


class CaughtMail(models.Model):
    """Mail received by the local catcher that `helpwell run` starts, shown at /dev/mailbox."""

    mail_from = models.CharField(max_length=300)
    rcpt_to = models.CharField(max_length=1000)
    subject = models.CharField(max_length=300, blank=True)
    raw = models.BinaryField()
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.rcpt_to}: {self.subject}"


# ---------------------------------------------------------------- inbound


class Mailbox(models.Model):
    """An IMAP mailbox the worker polls; mail in it becomes tickets of its team."""

    class Security(models.TextChoices):
        SSL = "ssl", "TLS (IMAPS, port 993)"
        STARTTLS = "starttls", "STARTTLS (port 143)"
        NONE = "none", "None (loopback only)"

    class Auth(models.TextChoices):
        PASSWORD = "password", "Password"
        XOAUTH2 = "xoauth2", "OAuth2 access token (XOAUTH2)"

    name = models.CharField(max_length=100)
    team = models.ForeignKey("people.Team", on_delete=models.PROTECT, related_name="mailboxes")
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=993)
    security = models.CharField(max_length=10, choices=Security.choices, default=Security.SSL)
    # Check the server's certificate against the system's CAs; off only for a test server.
    verify_certificate = models.BooleanField(default=True)
    username = models.CharField(max_length=255)
    auth = models.CharField(max_length=10, choices=Auth.choices, default=Auth.PASSWORD)
    secret = models.TextField(help_text="The password, or the OAuth2 access token for XOAUTH2")
    folder = models.CharField(max_length=255, default="INBOX")
    is_active = models.BooleanField(default=True)
    uid_validity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.username}@{self.host})"


class InboundMail(models.Model):
    """Every mail that comes in is stored raw first, then parsed; nothing is ever dropped."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        HELD = "held", "Held for review"
        IGNORED = "ignored", "Recorded, no action"
        FAILED = "failed", "Failed"

    class Source(models.TextChoices):
        SMTP = "smtp", "SMTP/LMTP listener"
        IMAP = "imap", "IMAP mailbox"
        HTTP = "http", "HTTP endpoint"
        IMPORT = "import", "Import"

    class Kind(models.TextChoices):
        NEW = "new", "New request"
        REPLY = "reply", "Reply"
        AUTO_REPLY = "auto_reply", "Automatic reply"
        BOUNCE = "bounce", "Delivery failure"
        LOOP = "loop", "Stopped: too many automatic mails"
        UNKNOWN = "", "Not yet known"

    # The Message-ID, or "sha256:<digest>" of the raw bytes for mail without one: redelivery is a no-op.
    dedupe_key = models.CharField(max_length=320, unique=True)
    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    raw = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=10, choices=Source.choices)
    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    envelope_from = models.CharField(max_length=320, blank=True)
    envelope_to = models.CharField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    kind = models.CharField(max_length=12, choices=Kind.choices, blank=True, default="")
    failure_reason = models.TextField(blank=True)
    note = models.CharField(max_length=300, blank=True, help_text="Why it was held or ignored")
    from_email = models.CharField(max_length=320, blank=True, db_index=True)
    subject = models.CharField(max_length=300, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_mail"
    )
    ticket_message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The full text as received, before quoted history and signature were folded away.
    full_text = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-received_at"], name="inbound_status_recent"),
            models.Index(fields=["from_email", "received_at"], name="inbound_sender_time"),
            models.Index(fields=["ticket", "kind", "received_at"], name="inbound_ticket_kind_time"),
        ]
        verbose_name_plural = "inbound mail"

    def __str__(self) -> str:
        return f"{self.from_email}: {self.subject}"


class MailThread(models.Model):
    """The mail side of a ticket: its reply address token (support+<token>@…)."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="mail_thread")
    token = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.ticket_id}:{self.token}"


class MailMessageId(models.Model):
    """Every Message-ID Helpwell sent or received, and the ticket it belongs to, for threading."""

    class Direction(models.TextChoices):
        IN = "in", "Received"
        OUT = "out", "Sent"

    message_id = models.CharField(max_length=300, unique=True)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    ticket_message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["ticket", "created_at"], name="mailid_ticket_time")]

    def __str__(self) -> str:
        return self.message_id


class MailParticipant(models.Model):
    """Someone besides the customer on a ticket's mail (a CC): they receive the replies too."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="mail_participants")
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "email"], name="participant_once")]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.email


class BouncingAddress(models.Model):
    """An address a delivery status notification said cannot receive mail; shown to agents."""

    email = models.EmailField(unique=True)
    status = models.CharField(max_length=20, blank=True, help_text="The DSN status code, e.g. 5.1.1")
    diagnostic = models.CharField(max_length=500, blank=True)
    bounces = models.PositiveIntegerField(default=1)
    last_bounced_at = models.DateTimeField(default=timezone.now)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "bouncing addresses"

    def __str__(self) -> str:
        return f"{self.email} ({self.status})"


class MailTemplateOverride(models.Model):
    """A lead's own wording for one part of one mail; the file in the repo is the default."""

    class Part(models.TextChoices):
        SUBJECT = "subject.txt", "Subject"
        TEXT = "body.txt", "Plain text"
        HTML = "body.html", "HTML"

    template = models.CharField(max_length=60)
    part = models.CharField(max_length=12, choices=Part.choices)
    content = models.TextField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["template", "part"], name="mail_template_part_once")]

    def __str__(self) -> str:
        return f"{self.template}/{self.part}"
