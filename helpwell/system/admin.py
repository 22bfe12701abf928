from django.contrib import admin

from .models import AuditEntry, SiteSettings, WorkerHeartbeat

admin.site.register(SiteSettings)
admin.site.register(WorkerHeartbeat)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
