"""Health check and the settings page for leads and admins.

The settings page gathers what a team decides in one place: site settings (admins), priorities and
their response promises (leads), who is on which team (admins change it), and whether the worker runs.
Each section posts to its own URL; htmx swaps just that section back, and without JavaScript the
page redirects back with a message.
"""

import math
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from helpwell.lib.ratelimit import hit, hit_request
from helpwell.people.access import (
    can_edit_priorities,
    can_edit_site,
    can_manage_people,
    get_agent_for_admin,
    lead_required,
)
from helpwell.people.actions import do_update_membership
from helpwell.people.forms import MembershipForm
from helpwell.people.models import Agent, Customer, Team
from helpwell.tickets.actions import do_update_priority
from helpwell.tickets.models import Priority

from .actions import do_update_site_settings
from .forms import PriorityForm, SiteSettingsForm
from .heartbeat import worker_status
from .models import AuditEntry, SiteSettings

RECENT_CHANGES = 12


def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    status = worker_status()
    return JsonResponse(
        {"database": "ok", "worker": "ok" if status["ok"] else "stale", "detail": status["message"]}
    )


SIGN_IN_WINDOW = 15 * 60


class SignInView(LoginView):
    """Django's LoginView puts the contrib.sites "site" into the context, hiding our SiteSettings
    (name and brand colour) from base.html; this puts ours back."""

    template_name = "system/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Password guessing is limited per client address and per account name, so neither one
        # address trying many accounts nor many addresses trying one account gets far.
        username = request.POST.get("username", "").strip().lower()
        verdicts = [
            hit_request(request, "sign-in", limit=settings.SIGN_IN_RATE, window=SIGN_IN_WINDOW),
            hit("sign-in-account", username, limit=settings.SIGN_IN_RATE, window=SIGN_IN_WINDOW),
        ]
        refused = next((v for v in verdicts if not v), None)
        if refused is not None:
            form = self.get_form()
            context = self.get_context_data(form=form, rate_limited=math.ceil(refused.retry_after / 60))
            response = self.render_to_response(context, status=429)
            response["Retry-After"] = str(refused.retry_after)
            return response
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["site"] = SiteSettings.load()
        return context


# --- the page ---------------------------------------------------------------------------------------


def _agents_and_teams() -> tuple[list[Agent], list[Team]]:
    agents = list(Agent.objects.select_related("user").prefetch_related("teams").order_by("display_name"))
    teams = list(Team.objects.all())
    members: dict[int, list[Agent]] = {t.pk: [] for t in teams}
    for agent in agents:
        for team in agent.teams.all():
            members[team.pk].append(agent)
    for team in teams:
        team.members = members[team.pk]  # type: ignore[attr-defined]
    return agents, teams


AUDIT_PHRASES = {
    "people.profile_updated": "edited the profile of {name}",
    "people.photo_set": "changed the photo of {name}",
    "people.photo_removed": "removed the photo of {name}",
    "people.membership_updated": "changed the role or teams of {name}",
    "tickets.priority_updated": "changed the {name} priority",
    "system.settings_updated": "changed the site settings",
    "agent.api_token_issued": "issued an API token for {name}",
    "agent.api_token_revoked": "revoked the API token of {name}",
    "customer.created": "added the customer {name}",
    "customer.imported": "filled in {name} from an import",
    "people.admin_created": "created the admin account {name}",
    "admin.added": "added {name} in the Django admin",
    "admin.changed": "changed {name} in the Django admin",
    "admin.deleted": "deleted {name} in the Django admin",
}
# When people change their own profile, say so the way a person would.
OWN_PHRASES = {
    "people.profile_updated": "edited their profile",
    "people.photo_set": "changed their photo",
    "people.photo_removed": "removed their photo",
}
FIELD_LABELS = {
    "first_response_minutes": "first-response target (minutes)",
    "team_page_enabled": "team page",
    "show_on_team_page": "shown on team page",
    "display_name": "display name",
    "job_title": "job title",
    "time_zone": "time zone",
    "brand_colour": "brand colour",
    "site_name": "site name",
    "support_email": "support email",
}


def _short_value(value: Any) -> str | None:
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value) or "none"
    elif isinstance(value, bool):
        value = "on" if value else "off"
    text = str(value)
    return text if len(text) <= 40 else None


def _describe_changes(changes: dict[str, Any]) -> str:
    parts = []
    for field, pair in changes.items():
        label = FIELD_LABELS.get(field, field.replace("_", " "))
        if isinstance(pair, list) and len(pair) == 2:
            old, new = _short_value(pair[0]), _short_value(pair[1])
            if old is not None and new is not None:
                parts.append(f"{label}: {old} → {new}")
                continue
        parts.append(label)
    return "; ".join(parts)


def _recent_changes(me: Agent) -> list[dict[str, Any]]:
    entries = AuditEntry.objects.select_related("actor__agent")
    if not me.is_admin:
        # Leads see the history of what they may change themselves.
        entries = entries.filter(Q(object_type="tickets.priority") | Q(actor_id=me.user_id))
    rows = list(entries[:RECENT_CHANGES])
    # Name what was changed with one query per kind of object, however many entries there are.
    names: dict[tuple[str, str], str] = {}
    ids = {
        kind: {e.object_id for e in rows if e.object_type == kind}
        for kind in ("people.agent", "people.customer", "tickets.priority")
    }
    for pk, name in Agent.objects.filter(pk__in=ids["people.agent"]).values_list("pk", "display_name"):
        names[("people.agent", str(pk))] = name
    for pk, name in Priority.objects.filter(pk__in=ids["tickets.priority"]).values_list("pk", "name"):
        names[("tickets.priority", str(pk))] = name
    for pk, name in Customer.objects.filter(pk__in=ids["people.customer"]).values_list("pk", "name"):
        names[("people.customer", str(pk))] = name
    items = []
    for entry in rows:
        agent = getattr(entry.actor, "agent", None) if entry.actor_id else None
        name = names.get((entry.object_type, entry.object_id), f"{entry.object_type} {entry.object_id}")
        own = agent is not None and entry.object_type == "people.agent" and entry.object_id == str(agent.pk)
        if own and entry.action in OWN_PHRASES:
            phrase = OWN_PHRASES[entry.action]
        else:
            phrase = AUDIT_PHRASES.get(entry.action, entry.action + " {name}").format(name=name)
        detail = _describe_changes(entry.changes) if entry.action != "people.photo_set" else ""
        who = agent.display_name if agent else entry.actor_label
        items.append({"entry": entry, "who": who, "phrase": phrase, "detail": detail})
    return items


def _context(request: HttpRequest, **overrides: Any) -> dict[str, Any]:
    me: Agent = request.agent_profile  # type: ignore[attr-defined]
    site = SiteSettings.load()
    agents, teams = _agents_and_teams()
    ctx: dict[str, Any] = {
        "nav": "settings",
        "me": me,
        "can_edit_site": can_edit_site(me),
        "can_edit_priorities": can_edit_priorities(me),
        "can_manage_people": can_manage_people(me),
        "worker": worker_status(),
        "site_form": SiteSettingsForm(site=site) if can_edit_site(me) else None,
        "priority_forms": [PriorityForm(priority=p) for p in Priority.objects.all()],
        "agent_rows": [_agent_row(a, teams, me) for a in agents],
        "teams": teams,
        "recent_changes": _recent_changes(me),
    }
    ctx.update(overrides)
    return ctx


def _agent_row(
    agent: Agent, teams: list[Team], me: Agent, form: MembershipForm | None = None
) -> dict[str, Any]:
    if form is None and can_manage_people(me):
        form = MembershipForm(agent=agent, teams=Team.objects.all())
        # Choices from the list we already have and initial teams from the prefetch: no query per row.
        form.fields["teams"].choices = [(t.pk, t.name) for t in teams]  # type: ignore[attr-defined]
    return {"agent": agent, "form": form, "is_me": agent.pk == me.pk}


@lead_required
@require_GET
def settings_page(request: HttpRequest) -> HttpResponse:
    return render(request, "system/settings.html", _context(request))


# --- sections ---------------------------------------------------------------------------------------


def _back(request: HttpRequest, anchor: str) -> HttpResponse:
    return redirect(reverse("system-settings") + f"#{anchor}")


@lead_required
@require_POST
def update_site(request: HttpRequest) -> HttpResponse:
    if not can_edit_site(request.agent_profile):  # type: ignore[attr-defined]
        raise PermissionDenied("Only admins can change the site settings.")
    site = SiteSettings.load()
    form = SiteSettingsForm(request.POST, site=site)
    if form.is_valid():
        changes = do_update_site_settings(site, actor=request.user, **form.cleaned_data)
        messages.success(request, "Site settings saved." if changes else "No changes to save.")
        if request.htmx:  # type: ignore[attr-defined]
            # The brand colour and name appear in the header, so reload the whole page.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse("system-settings") + "#site"
            return response
        return _back(request, "site")
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "system/settings.html#site-section", _context(request, site_form=form))
    return render(request, "system/settings.html", _context(request, site_form=form), status=400)


@lead_required
@require_POST
def update_priority(request: HttpRequest, pk: int) -> HttpResponse:
    me: Agent = request.agent_profile  # type: ignore[attr-defined]
    if not can_edit_priorities(me):
        raise PermissionDenied("Only team leads and admins can change priorities.")
    priority = get_object_or_404(Priority, pk=pk)
    form = PriorityForm(request.POST, priority=priority)
    saved = False
    if form.is_valid():
        try:
            changes = do_update_priority(
                priority,
                actor=request.user,
                name=form.cleaned_data["name"],
                definition=form.cleaned_data["definition"],
                first_response_minutes=form.cleaned_data["first_response_minutes"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            saved = bool(changes)
            if not request.htmx:  # type: ignore[attr-defined]
                messages.success(request, f"{priority.name} saved." if changes else "No changes to save.")
                return _back(request, f"priority-{priority.pk}")
            form = PriorityForm(priority=priority)
    ctx = {"form": form, "saved": saved, "can_edit_priorities": True}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "system/settings.html#priority-row", ctx)
    return render(
        request, "system/settings.html", _context(request, priority_forms=_swap_form(form)), status=400
    )


def _swap_form(bound: PriorityForm) -> list[PriorityForm]:
    return [bound if p.pk == bound.priority.pk else PriorityForm(priority=p) for p in Priority.objects.all()]


@lead_required
@require_POST
def update_agent(request: HttpRequest, pk: int) -> HttpResponse:
    agent = get_agent_for_admin(request.user, pk)
    me: Agent = request.agent_profile  # type: ignore[attr-defined]
    teams = list(Team.objects.all())
    bound = MembershipForm(request.POST, agent=agent, teams=Team.objects.all())
    form: MembershipForm | None = bound
    saved = False
    if bound.is_valid():
        try:
            changes = do_update_membership(
                agent, role=bound.cleaned_data["role"], teams=bound.cleaned_data["teams"], actor=request.user
            )
        except ValidationError as exc:
            bound.add_error("role", exc)
        else:
            saved = bool(changes)
            if not request.htmx:  # type: ignore[attr-defined]
                messages.success(
                    request, f"{agent.display_name} saved." if changes else "No changes to save."
                )
                return _back(request, f"agent-{agent.pk}")
            agent = Agent.objects.select_related("user").prefetch_related("teams").get(pk=agent.pk)
            form = None
    row = _agent_row(agent, teams, me, form)
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request, "system/settings.html#agent-row", {"row": row, "saved": saved, "can_manage_people": True}
        )
    ctx = _context(request)
    ctx["agent_rows"] = [row if r["agent"].pk == agent.pk else r for r in ctx["agent_rows"]]
    return render(request, "system/settings.html", ctx, status=400)
