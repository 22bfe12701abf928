from django.contrib import admin

from .models import (
    Breach,
    BusinessCalendar,
    Clock,
    Closure,
    DelayNotice,
    Escalation,
    EscalationLevel,
    EscalationPath,
    RecomputeJob,
    SlaPolicy,
)


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


class LevelInline(admin.TabularInline):
    model = EscalationLevel
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "time_zone", "always_open", "holiday_country", "holiday_subdivision"]
    inlines = [ClosureInline]


@admin.register(EscalationPath)
class EscalationPathAdmin(admin.ModelAdmin):
    list_display = ["name", "customer_escalation_after_minutes"]
    inlines = [LevelInline]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "position",
        "priority",
        "first_response_minutes",
        "resolution_minutes",
        "is_active",
    ]


@admin.register(Clock)
class ClockAdmin(admin.ModelAdmin):
    list_display = ["ticket", "kind", "policy_name", "due_at", "running_since", "stopped_at", "breached_at"]
    raw_id_fields = ["ticket"]


@admin.register(Breach)
class BreachAdmin(admin.ModelAdmin):
    list_display = ["ticket", "kind", "policy_name", "target_minutes", "due_at", "recorded_at"]
    raw_id_fields = ["ticket"]


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ["ticket", "level_name", "source", "created_at"]
    raw_id_fields = ["ticket"]


admin.site.register(DelayNotice)
admin.site.register(RecomputeJob)
