from django.contrib import admin

from .models import (
    AbuseTerm,
    CheckSetting,
    CodeOfConduct,
    CustomerReview,
    DelayNotice,
    FindingOutcome,
    GlossaryEntry,
    Guideline,
    MessageReading,
)

admin.site.register([Guideline, CodeOfConduct, DelayNotice])


@admin.register(CheckSetting)
class CheckSettingAdmin(admin.ModelAdmin):
    list_display = ["check_key", "team", "enabled", "severity"]
    list_filter = ["team", "severity"]


@admin.register(GlossaryEntry)
class GlossaryEntryAdmin(admin.ModelAdmin):
    list_display = ["term", "plain", "team"]
    search_fields = ["term", "plain"]


@admin.register(AbuseTerm)
class AbuseTermAdmin(admin.ModelAdmin):
    list_display = ["term", "category", "created_at"]


@admin.register(FindingOutcome)
class FindingOutcomeAdmin(admin.ModelAdmin):
    list_display = ["check_key", "outcome", "agent", "ticket", "created_at"]
    list_filter = ["outcome", "check_key"]
    raw_id_fields = ["ticket"]


@admin.register(MessageReading)
class MessageReadingAdmin(admin.ModelAdmin):
    list_display = ["message", "tone", "abusive", "shielded", "exposed_agent", "handled_at"]
    list_filter = ["tone", "abusive", "shielded"]
    raw_id_fields = ["message", "ticket"]


@admin.register(CustomerReview)
class CustomerReviewAdmin(admin.ModelAdmin):
    list_display = ["customer", "reason", "started_by", "started_at", "ended_at"]
    raw_id_fields = ["customer"]
