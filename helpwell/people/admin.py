"""Django admin for people. The app's own pages are where people work; this is the operator's back door,
so every save or delete made here is audited just like a change made in the app."""

from typing import Any

from django.contrib import admin
from django.db.models import Count, Model, QuerySet
from django.http import HttpRequest

from helpwell.system.audit import audit

from .models import Agent, Customer, Organisation, Team


def _plain(value: Any) -> Any:
    if isinstance(value, QuerySet | list | tuple | set):
        return [str(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


class AuditedAdmin(admin.ModelAdmin):
    """Records admin-site changes in the audit log ("admin.added", "admin.changed", "admin.deleted")."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changes = {
            f: [_plain(form.initial.get(f)), _plain(form.cleaned_data.get(f))] for f in form.changed_data
        }
        audit(request.user, "admin.changed" if change else "admin.added", obj, changes)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        audit(request.user, "admin.deleted", obj, {"was": str(obj)})
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for obj in queryset:
            audit(request.user, "admin.deleted", obj, {"was": str(obj)})
        super().delete_queryset(request, queryset)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that only the actions layer writes (tickets, ratings): look, search, never edit here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "domain", "tier", "customer_count", "created_at"]
    search_fields = ["name", "domain"]
    list_filter = ["tier"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        return super().get_queryset(request).annotate(customer_count=Count("customers"))

    @admin.display(description="Customers", ordering="customer_count")
    def customer_count(self, obj: Organisation) -> int:
        return obj.customer_count  # type: ignore[attr-defined]


@admin.register(Customer)
class CustomerAdmin(AuditedAdmin):
    list_display = ["name", "email", "organisation", "language", "time_zone", "created_at"]
    list_filter = ["language", "organisation"]
    search_fields = ["name", "email", "organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    exclude = ["access_salt"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ["name", "slug", "description", "member_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        return super().get_queryset(request).annotate(member_count=Count("agents"))

    @admin.display(description="Agents", ordering="member_count")
    def member_count(self, obj: Team) -> int:
        return obj.member_count  # type: ignore[attr-defined]


@admin.register(Agent)
class AgentAdmin(AuditedAdmin):
    list_display = ["display_name", "username", "role", "team_names", "job_title", "show_on_team_page"]
    list_filter = ["role", "teams", "show_on_team_page"]
    search_fields = ["display_name", "user__username", "user__email", "job_title"]
    list_select_related = ["user"]
    filter_horizontal = ["teams"]
    raw_id_fields = ["user"]
    # Photos are only stored through people.actions.do_set_photo, which re-encodes them safely.
    readonly_fields = ["photo", "api_token_hash", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Agent]:
        return super().get_queryset(request).prefetch_related("teams")

    @admin.display(description="Username", ordering="user__username")
    def username(self, obj: Agent) -> str:
        return obj.user.get_username()

    @admin.display(description="Teams")
    def team_names(self, obj: Agent) -> str:
        return ", ".join(t.name for t in obj.teams.all())
