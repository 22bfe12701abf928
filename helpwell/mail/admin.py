"""Django admin for mail: inbound mail (failed mail listed with its reason, retried after a fix),
IMAP mailboxes, bouncing addresses and the outbox."""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from helpwell.people.admin import AuditedAdmin, ReadOnlyAdmin

from .inbound.ingest import retry
from .models import BouncingAddress, InboundMail, Mailbox, OutgoingMail


@admin.register(InboundMail)
class InboundMailAdmin(ReadOnlyAdmin):
    list_display = [
        "received_at",
        "status",
        "kind",
        "from_email",
        "subject",
        "ticket",
        "failure_reason",
        "note",
    ]
    list_filter = ["status", "kind", "source"]
    list_select_related = ["ticket"]
    search_fields = ["from_email", "subject", "message_id"]
    exclude = ["raw"]
    readonly_fields = ["failure_reason", "note", "full_text"]
    actions = ["retry_selected"]

    @admin.action(description="Retry the selected failed or held mail")
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[InboundMail]) -> None:
        done = 0
        for inbound in queryset:
            try:
                retry(inbound, actor=request.user)
                done += 1
            except ValidationError as exc:
                self.message_user(request, f"{inbound}: {exc.messages[0]}", messages.WARNING)
        self.message_user(request, f"Retried {done} mail(s).")


@admin.register(Mailbox)
class MailboxAdmin(AuditedAdmin):
    list_display = ["name", "team", "host", "username", "auth", "is_active", "last_polled_at", "last_error"]
    list_filter = ["team", "is_active"]
    readonly_fields = ["uid_validity", "last_uid", "last_polled_at", "last_error"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        from django import forms

        form = super().get_form(request, obj, change, **kwargs)
        form.base_fields["secret"].widget = forms.PasswordInput(render_value=True)
        return form


@admin.register(BouncingAddress)
class BouncingAddressAdmin(AuditedAdmin):
    list_display = ["email", "status", "bounces", "last_bounced_at", "diagnostic"]
    search_fields = ["email"]


@admin.register(OutgoingMail)
class OutgoingMailAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "to", "subject", "status", "attempts", "last_error"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject", "message_id"]
