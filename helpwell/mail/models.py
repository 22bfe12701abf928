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
