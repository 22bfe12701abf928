from django.db import models


class TicketSubmission(models.Model):
    """A ticket accepted by the API for opening in the background (`Prefer: respond-async`).

    Integrations that open tickets in bursts (a monitoring system, a shop's order feed) get an
    answer at once: the request is checked, stored as one row and answered 202 with the ticket's
    reference, and the worker opens the ticket through the same action as every other channel.
    The reference is drawn here and kept, so the client can quote it before the ticket exists.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        OPENED = "opened", "Opened"
        FAILED = "failed", "Failed"

    reference = models.CharField(max_length=16, unique=True)
    # No index of their own on the two links: rows are only ever found by reference or state, and
    # each index is one more b-tree to write on the API's hottest insert.
    agent = models.ForeignKey("people.Agent", on_delete=models.CASCADE, related_name="+", db_index=False)
    # The validated request (subject, body, customer, priority, …) as the client sent it.
    payload = models.JSONField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    received_at = models.DateTimeField()
    # Set when a worker takes the row; a claim older than a few minutes (a worker that died)
    # is taken again. Opening the ticket and marking the row opened commit together.
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=16, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The worker's question, "what is waiting?", reads only the waiting rows.
            models.Index(
                fields=["received_at"], name="api_submission_queued", condition=models.Q(state="queued")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.state})"
