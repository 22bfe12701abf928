from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from helpwell.people.models import Customer
from helpwell.tickets.models import Ticket

SCORE_LABELS = {1: "Very poor", 2: "Poor", 3: "Okay", 4: "Good", 5: "Excellent"}


class Rating(models.Model):
    """A customer's CSAT rating of a solved ticket, credited to the agent who handled it."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="rating")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="ratings")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="ratings"
    )
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["-created_at"], name="rating_recent")]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.score}"

    @property
    def label(self) -> str:
        return SCORE_LABELS.get(self.score, "")

    @property
    def is_satisfied(self) -> bool:
        return self.score >= 4
