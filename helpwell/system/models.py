from django.conf import settings
from django.db import models
from django.utils import timezone


class SiteSettings(models.Model):
    """Organisation-wide choices an admin edits in the UI (a single row)."""

    site_name = models.CharField(max_length=80, default="Helpwell Support")
    brand_colour = models.CharField(max_length=7, default="#2f5bea")
    team_page_enabled = models.BooleanField(
        default=False, help_text="Show the public 'meet the people who help you' page."
    )
    support_email = models.EmailField(default="support@helpwell.localhost")

    class Meta:
        verbose_name_plural = "site settings"

    def __str__(self) -> str:
        return self.site_name

    @classmethod
    def load(cls) -> "SiteSettings":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class WorkerHeartbeat(models.Model):
    """Written by `helpwell worker` on every loop so admins can see it is alive."""

    name = models.CharField(max_length=100, unique=True)
    hostname = models.CharField(max_length=200, blank=True)
    pid = models.IntegerField(default=0)
    backend = models.CharField(max_length=40, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    last_sweep_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class AuditEntry(models.Model):
    """Every state change by a person outside a ticket's own history (settings, people, priorities)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=80, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type} {self.object_id}"
        )
