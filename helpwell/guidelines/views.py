"""The draft check in the reply box, shielding on the ticket page, the leads' pages and the public code of conduct.

Views parse, ask the access layer, call an action and render.
"""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe
from markdown_it import MarkdownIt

from helpwell.lib.html import sanitise_html
from helpwell.people.access import agent_required, lead_required
from helpwell.people.models import Agent, Customer, Team
from helpwell.tickets.access import get_ticket_for_agent, tickets_for_agent
from helpwell.tickets.models import Ticket

from . import actions
from .checks import CHECKS, SEVERITIES, Finding
from .models import (
    AbuseTerm,
    CodeOfConduct,
    CustomerReview,
    DelayNotice,
    FindingOutcome,
    GlossaryEntry,
    MessageReading,
    ShieldOpening,
)

_md = MarkdownIt("commonmark", {"html": False})


def render_page(text: str) -> str:
    return sanitise_html(_md.render(text or ""))


MAX_DRAFT = 20_000


# --- the ticket page --------------------------------------------------------------------------------------


def ticket_panel(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    """What the ticket page needs from this app: readings per message, the lead's options, the reply template."""
    user = request.user
    agent = getattr(user, "agent", None)
    readings = actions.readings_for(ticket)
    shielded = [r for r in readings.values() if r.shielded]
    open_flags = [r for r in shielded if r.handled_at is None]
    is_lead = bool(agent and agent.is_lead)
    panel: dict[str, Any] = {
        "readings": readings,
        "shielded": shielded,
        "open_flags": open_flags,
        "is_lead": is_lead,
        "review": actions.open_review(ticket.customer),
    }
    if shielded:
        panel["conduct_reply"] = actions.conduct_reply(ticket, user, actions.conduct_url(request))
        if is_lead:
            panel["colleagues"] = (
                User.objects.filter(agent__teams=ticket.team, is_active=True)
                .exclude(pk=ticket.assignee_id or 0)
                .select_related("agent")
                .order_by("agent__display_name")
                .distinct()
            )
            panel["abusive_count"] = MessageReading.objects.filter(
                ticket__customer=ticket.customer, abusive=True
            ).count()
    return panel


def _findings_response(request: HttpRequest, ticket: Ticket, draft: str, **extra: Any) -> HttpResponse:
    kind = request.POST.get("kind", "public")
    # A browser's textarea value has "\n" line ends; a form post may send "\r\n". Fix positions are the page's.
    draft = draft.replace("\r\n", "\n")
    findings: list[Finding] = []
    if kind != "internal":
        findings = actions.check_ticket_draft(ticket, request.user, draft[:MAX_DRAFT])
    if "error" in extra:  # shown beside its dismiss form, or on top when the finding has none (blocking)
        extra["error_general"] = not any(
            f.check == extra.get("error_check") and not f.blocks for f in findings
        )
    context = {
        "ticket": ticket,
        "findings": findings,
        # The text each fix replaces, so the page applies it only to the draft it was computed for.
        "items": [{"f": f, "orig": draft[f.fix.start : f.fix.end] if f.fix else ""} for f in findings],
        "draft_present": bool(draft.strip()),
        "internal": kind == "internal",
        "checks": CHECKS,
        **extra,
    }
    return render(request, "guidelines/_findings.html", context)


@require_POST
@agent_required
def check_reply_draft(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = get_ticket_for_agent(request.user, reference)
    return _findings_response(request, ticket, request.POST.get("body", ""))


@require_POST
@agent_required
def record_outcome(request: HttpRequest, reference: str) -> HttpResponse:
    """An agent applied a finding's fix, or dismissed it with a reason."""
    ticket = get_ticket_for_agent(request.user, reference, write=True)
    check_key = request.POST.get("check", "")
    outcome = request.POST.get("outcome", "")
    reason = request.POST.get("reason", "")
    try:
        actions.do_record_outcome(ticket, request.user, check_key, outcome, reason)
    except ValidationError as error:
        return _findings_response(
            request,
            ticket,
            request.POST.get("body", ""),
            error_check=check_key,
            error=error.messages[0],
            reason=reason,
        )
    if outcome == FindingOutcome.Outcome.APPLIED:
        return HttpResponse(status=204)
    return _findings_response(request, ticket, request.POST.get("body", ""), dismissed=check_key)


@require_POST
@agent_required
def opened_shielded(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    ticket = get_ticket_for_agent(request.user, reference)
    reading = get_object_or_404(MessageReading, pk=pk, ticket=ticket, shielded=True)
    actions.do_open_shielded(reading, request.user)
    return HttpResponse(status=204)


def _lead_ticket(request: HttpRequest, reference: str) -> Ticket:
    ticket = get_ticket_for_agent(request.user, reference, write=True)
    if not request.agent_profile.is_lead:  # type: ignore[attr-defined]
        raise Http404("No such ticket.")
    return ticket


@require_POST
@lead_required
def take_over(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _lead_ticket(request, reference)
    actions.do_take_over(ticket, request.user)
    messages.success(request, "You have taken this ticket over. Thank you for taking the heat.")
    return HttpResponseRedirect(reverse("tickets-detail", args=[ticket.reference]))


@require_POST
@lead_required
def reassign(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = _lead_ticket(request, reference)
    try:
        assignee = User.objects.get(pk=int(request.POST.get("assignee", "0")), agent__teams=ticket.team)
    except (User.DoesNotExist, ValueError):
        messages.error(request, "Choose a colleague on the ticket's team.")
    else:
        actions.do_reassign_after_abuse(ticket, request.user, assignee)
        messages.success(request, f"Reassigned to {assignee.agent.display_name}.")  # type: ignore[attr-defined]
    return HttpResponseRedirect(reverse("tickets-detail", args=[ticket.reference]))


@require_POST
@lead_required
def customer_review(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=pk)
    # A lead acts on customers they can see through a ticket, nobody else's.
    if not tickets_for_agent(request.user).filter(customer=customer).exists():
        raise Http404("No such customer.")
    back = request.POST.get("next", "")
    if not back.startswith("/agent/"):
        back = reverse("guidelines-wellbeing")
    try:
        if request.POST.get("action") == "end":
            actions.do_end_review(customer, request.user)
            messages.success(request, f"{customer.name} is no longer on review.")
        else:
            actions.do_put_on_review(customer, request.user, request.POST.get("reason", ""))
            messages.success(request, f"{customer.name} is on review: their messages come to you first.")
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return HttpResponseRedirect(back)


# --- pages for everyone on the team -----------------------------------------------------------------------


def _team_from(request: HttpRequest, agent: Agent) -> Team | None:
    slug = request.GET.get("team") or request.POST.get("team") or ""
    if not slug:
        return None
    team = Team.objects.filter(slug=slug).first()
    if team is None or (not agent.is_admin and not agent.teams.filter(pk=team.pk).exists()):
        raise Http404("No such team.")
    return team


@require_safe
@agent_required
def guidelines_page(request: HttpRequest) -> HttpResponse:
    agent = request.agent_profile  # type: ignore[attr-defined]
    team = _team_from(request, agent) if request.GET.get("team") else agent.teams.order_by("name").first()
    guideline = actions.guideline_for(team)
    enabled, severities = actions.check_settings_for(team)
    context = {
        "nav": "guidelines",
        "team": team,
        "page_html": render_page(guideline.text),
        "checks": [(c, c.key in enabled, severities[c.key]) for c in CHECKS.values()],
        "glossary": sorted(actions.glossary_for(team).items(), key=lambda kv: kv[0].lower()),
        "guideline": guideline,
    }
    return render(request, "guidelines/page.html", context)


@require_safe
def code_of_conduct(request: HttpRequest) -> HttpResponse:
    conduct = CodeOfConduct.load()
    return render(
        request, "guidelines/conduct.html", {"conduct_html": render_page(conduct.text), "conduct": conduct}
    )


# --- leads ------------------------------------------------------------------------------------------------


@lead_required
def guideline_settings(request: HttpRequest) -> HttpResponse:
    agent = request.agent_profile  # type: ignore[attr-defined]
    if not agent.is_admin and not request.GET.get("team") and not request.POST.get("team"):
        first = agent.teams.order_by("name").first()
        team = first
    else:
        team = _team_from(request, agent)
    if team is None and not agent.is_admin:
        raise Http404("No team.")
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    if request.method == "POST":
        section = request.POST.get("section", "")
        typed = {k: request.POST.get(k, "") for k in request.POST if k != "csrfmiddlewaretoken"}
        try:
            _apply_settings(request, section, team)
        except (ValidationError, ValueError) as error:
            errors[section] = (
                error.messages[0] if isinstance(error, ValidationError) else "Enter whole numbers."
            )
        else:
            messages.success(request, "Saved.")
            url = reverse("guidelines-settings") + (f"?team={team.slug}" if team else "")
            return HttpResponseRedirect(url + f"#{section}")
    guideline = actions.guideline_for(team)
    enabled, severities = actions.check_settings_for(team)
    context = {
        "nav": "guidelines",
        "team": team,
        "teams": actions.teams_for_lead(agent),
        "can_edit_all": agent.is_admin,
        "guideline": guideline,
        "checks": [(c, c.key in enabled, severities[c.key]) for c in CHECKS.values()],
        "severities": SEVERITIES,
        "glossary": GlossaryEntry.objects.filter(Q(team=team) | Q(team=None)).order_by("term"),
        "abuse_terms": AbuseTerm.objects.all(),
        "abuse_categories": AbuseTerm.Category.choices,
        "delays": DelayNotice.objects.filter(active=True).filter(Q(team=team) | Q(team=None)),
        "conduct": CodeOfConduct.load(),
        "errors": errors,
        "typed": typed,
    }
    return render(request, "guidelines/settings.html", context, status=400 if errors else 200)


def _apply_settings(request: HttpRequest, section: str, team: Team | None) -> None:
    post, user = request.POST, request.user
    if section == "page":
        actions.do_update_guideline(
            team, user, text=post.get("text", ""), target_grade=float(post.get("target_grade", "9")),
            min_words=int(post.get("min_words", "6")), max_words=int(post.get("max_words", "300")),
        )  # fmt: skip
    elif section == "checks":
        wanted = {key: (post.get(f"on_{key}") == "on", post.get(f"severity_{key}", "")) for key in CHECKS}
        actions.do_update_check_settings(team, user, wanted)
    elif section == "glossary":
        if post.get("remove"):
            entry = get_object_or_404(GlossaryEntry, pk=int(post["remove"]))
            if entry.team_id not in (None, team.pk if team else None):
                raise Http404("No such entry.")
            actions.do_remove_glossary_entry(entry, user)
        else:
            actions.do_add_glossary_entry(team, user, post.get("term", ""), post.get("plain", ""))
    elif section == "abuse":
        actions.do_add_abuse_term(user, post.get("category", ""), post.get("abuse_term", ""))
    elif section == "delay":
        if post.get("close"):
            actions.do_close_delay_notice(get_object_or_404(DelayNotice, pk=int(post["close"])), user)
        else:
            actions.do_set_delay_notice(
                team, user, post.get("delay_text", ""), int(post.get("min_days") or 0)
            )
    elif section == "conduct":
        actions.do_update_conduct(
            user, text=post.get("conduct_text", ""), reply_template=post.get("reply_template", "")
        )
    else:
        raise ValidationError("Unknown section.")


PERIOD_DAYS = 30


@require_safe
@lead_required
def outcomes_report(request: HttpRequest) -> HttpResponse:
    """Which rules agents accept (apply the fix) and which they dismiss, with the latest reasons."""
    agent = request.agent_profile  # type: ignore[attr-defined]
    since = timezone.now() - timedelta(days=PERIOD_DAYS)
    rows = FindingOutcome.objects.filter(created_at__gte=since)
    if not agent.is_admin:
        rows = rows.filter(team__in=agent.teams.all())
    counts = {
        r["check_key"]: r
        for r in rows.order_by()
        .values("check_key")
        .annotate(
            applied=Count("pk", filter=Q(outcome="applied")),
            dismissed=Count("pk", filter=Q(outcome="dismissed")),
            blocked=Count("pk", filter=Q(outcome="blocked")),
        )
    }
    report: list[dict[str, Any]] = []
    for key, check in CHECKS.items():
        r = counts.get(key, {"applied": 0, "dismissed": 0, "blocked": 0})
        decided = r["applied"] + r["dismissed"]
        report.append(
            {
                "check": check,
                "applied": r["applied"],
                "dismissed": r["dismissed"],
                "blocked": r["blocked"],
                "dismiss_rate": round(100 * r["dismissed"] / decided) if decided else None,
                "total": decided + r["blocked"],
            }
        )
    report.sort(key=lambda x: (-x["total"], x["check"].name))
    reasons = (
        rows.filter(outcome="dismissed").select_related("agent__agent", "ticket").order_by("-created_at")[:20]
    )
    context = {"nav": "guidelines", "report": report, "reasons": reasons, "days": PERIOD_DAYS}
    return render(request, "guidelines/report.html", context)


@require_safe
@lead_required
def wellbeing(request: HttpRequest) -> HttpResponse:
    """Each agent's exposure to abusive messages, the flags waiting for a lead, and customers on review."""
    agent = request.agent_profile  # type: ignore[attr-defined]
    since = timezone.now() - timedelta(days=PERIOD_DAYS)
    people = Agent.objects.select_related("user").order_by("display_name")
    if not agent.is_admin:
        people = people.filter(teams__in=agent.teams.all()).distinct()
    landed = dict(
        MessageReading.objects.filter(abusive=True, created_at__gte=since, exposed_agent__isnull=False)
        .values_list("exposed_agent")
        .annotate(n=Count("pk"))
        .order_by()
    )
    opened = dict(
        ShieldOpening.objects.filter(at__gte=since, reading__abusive=True)
        .values_list("user")
        .annotate(n=Count("pk"))
        .order_by()
    )
    exposure = [
        {"agent": p, "landed": landed.get(p.user_id, 0), "opened": opened.get(p.user_id, 0)} for p in people
    ]
    exposure.sort(key=lambda e: (-(e["landed"] + e["opened"]), e["agent"].display_name))
    visible = tickets_for_agent(request.user)
    flags = (
        MessageReading.objects.filter(shielded=True, handled_at__isnull=True, ticket__in=visible)
        .select_related("ticket__customer", "ticket__assignee__agent")
        .order_by("-created_at")[:50]
    )
    reviews = CustomerReview.objects.filter(ended_at__isnull=True).select_related(
        "customer", "started_by__agent"
    )
    context = {
        "nav": "guidelines",
        "exposure": exposure,
        "flags": flags,
        "reviews": reviews,
        "days": PERIOD_DAYS,
        "peak": max([e["landed"] + e["opened"] for e in exposure] + [1]),
    }
    return render(request, "guidelines/wellbeing.html", context)
