"""Django admin for tickets. Reference data (priorities, categories, tags) is editable and audited;
tickets themselves are read-only here, because every ticket change must go through tickets.actions
to keep its history, due times and notifications right."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from helpwell.people.admin import AuditedAdmin, ReadOnlyAdmin

from .models import Category, Message, Priority, Tag, Ticket, TicketEvent


@admin.register(Priority)
class PriorityAdmin(AuditedAdmin):
    list_display = ["name", "key", "rank", "target_label", "definition"]
    ordering = ["rank"]
    search_fields = ["name", "key"]


@admin.register(Category)
class CategoryAdmin(AuditedAdmin):
    list_display = ["name", "slug", "team", "description"]
    list_filter = ["team"]
    list_select_related = ["team"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(AuditedAdmin):
    list_display = ["name"]
    search_fields = ["name"]


class MessageInline(admin.StackedInline):
    model = Message
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "author_user", "author_customer", "channel", "body_text")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).select_related("author_user", "author_customer")


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "actor_user", "actor_customer", "channel", "old_value", "new_value")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).select_related("actor_user", "actor_customer")


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin, AuditedAdmin):
    list_display = [
        "reference",
        "subject",
        "status",
        "priority",
        "team",
        "assignee",
        "customer",
        "updated_at",
    ]
    list_filter = ["status", "priority", "team", "channel"]
    search_fields = ["=reference", "subject", "customer__email"]
    list_select_related = ["priority", "team", "assignee", "customer"]
    raw_id_fields = ["customer", "assignee"]
    ordering = ["-updated_at", "-id"]
    # The queue has a million rows in the benchmark; never count them all for the changelist.
    show_full_result_count = False
    inlines = [MessageInline, TicketEventInline]
