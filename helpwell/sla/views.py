"""Service levels for leads (deadlines, compliance, settings) and the customer's "escalate this request".

Views parse, check access, call an action and render; the actions audit and recompute.
"""

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from helpwell.lib.timefmt import local_time_phrase
from helpwell.people.access import lead_required
from helpwell.people.models import Customer
from helpwell.portal import access as portal_access
from helpwell.portal.views import customer_required, rate_limited
from helpwell.tickets.queue import due_info

from . import access, reports
from .escalations import do_customer_escalate, escalation_offer, next_step_words, respond_by_if_escalated
from .forms import (
    CalendarForm,
    ClosureForm,
    EscalateForm,
    LevelForm,
    NoticeForm,
    NoticeUpdateForm,
    PathForm,
    PolicyForm,
)
from .models import (
    BusinessCalendar,
    Closure,
    DelayNotice,
    Escalation,
    EscalationLevel,
    EscalationPath,
    RecomputeJob,
    SlaPolicy,
)
from .notices import do_open_notice, do_update_notice, matching_tickets
from .settings_actions import do_delete_setting, do_save_setting

PERIODS = {7: "Last 7 days", 30: "Last 30 days", 90: "Last 90 days"}


def _days(request: HttpRequest) -> int:
    try:
        days = int(request.GET.get("days", "30"))
    except ValueError:
        return 30
    return days if days in PERIODS else 30


# --- the lead's deadlines and compliance --------------------------------------------------------------


@never_cache
@lead_required
def dashboard(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    days = _days(request)
    since = now - timedelta(days=days)
    tickets = access.tickets_for_lead(request.user)
    soon = reports.due_soon(tickets, now, timedelta(hours=1))
    late = reports.overdue(tickets, now)
    for t in (*soon, *late):
        t.due = due_info(t, now)  # type: ignore[attr-defined]
    context = {
        "nav": "sla",
        "now": now,
        "soon": soon,
        "late": late,
        "days": days,
        "periods": [(d, label, "?" + urlencode({"days": d})) for d, label in PERIODS.items()],
        "report": reports.compliance(tickets, since, now),
        "buckets": reports.open_buckets(tickets, now),
        "breaches": list(
            access.breaches_for_lead(request.user)
            .select_related("ticket", "team")
            .order_by("-recorded_at")[:10]
        ),
        "escalations": list(
            access.escalations_for_lead(request.user)
            .filter(source=Escalation.Source.CUSTOMER, created_at__gte=since)
            .select_related("ticket", "customer")
            .order_by("-created_at")[:50]
        ),
        "notices": list(DelayNotice.objects.filter(is_active=True)),
        "jobs": list(RecomputeJob.objects.filter(finished_at__isnull=True)[:5]),
    }
    return render(request, "sla/dashboard.html", context)


@never_cache
@lead_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(RecomputeJob, pk=pk)
    return render(request, "sla/settings.html#job", {"job": job})


# --- settings: policies, calendars, paths ---------------------------------------------------------------


def _settings_context(**extra: Any) -> dict[str, Any]:
    return {
        "nav": "sla",
        "policies": list(SlaPolicy.objects.select_related("priority", "category", "escalation_path")),
        "calendars": list(BusinessCalendar.objects.select_related("team").prefetch_related("closures")),
        "paths": list(EscalationPath.objects.prefetch_related("levels__team", "levels__agent__agent")),
        "jobs": list(RecomputeJob.objects.all()[:3]),
        **extra,
    }


@never_cache
@lead_required
def settings_page(request: HttpRequest) -> HttpResponse:
    return render(request, "sla/settings.html", _settings_context())


EDITABLE: dict[str, tuple[type[Model], type[ModelForm], bool]] = {
    "policy": (SlaPolicy, PolicyForm, True),
    "calendar": (BusinessCalendar, CalendarForm, True),
    "path": (EscalationPath, PathForm, False),  # its levels' changes recompute (warning points move)
}


@never_cache
@require_http_methods(["GET", "POST"])
@lead_required
def edit_setting(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    if kind not in EDITABLE:
        raise Http404("Nothing to edit here.")
    model, form_class, recompute = EDITABLE[kind]
    obj = get_object_or_404(model, pk=pk) if pk else model()
    form = form_class(request.POST or None, instance=obj)
    if request.method == "POST":
        if "delete" in request.POST and obj.pk:
            do_delete_setting(obj, actor=request.user, kind=kind)
            messages.success(request, f"Deleted {obj}.")
            return redirect("sla-settings")
        if form.is_valid():
            saved = do_save_setting(form, actor=request.user, kind=kind, recompute=recompute)
            messages.success(
                request, f"Saved {saved}." + (" Due times are being recomputed." if recompute else "")
            )
            return redirect(reverse("sla-edit", args=[kind, saved.pk]))
    extra: dict[str, Any] = {"form": form, "kind": kind, "obj": obj}
    if kind == "calendar" and obj.pk:
        extra["closure_form"] = ClosureForm()
        extra["holidays_soon"] = _upcoming_holidays(obj)  # type: ignore[arg-type]
    if kind == "path" and obj.pk:
        extra["level_form"] = LevelForm(initial={"position": obj.levels.count() + 1})  # type: ignore[attr-defined]
    return render(request, "sla/edit.html", _settings_context(**extra), status=400 if form.errors else 200)


def _upcoming_holidays(calendar: BusinessCalendar) -> list[tuple[Any, str]]:
    today = timezone.now().astimezone(calendar.zone).date()
    days = calendar.closed_days(range(today.year, today.year + 2))
    return [(d, name) for d, name in sorted(days.items()) if d >= today and calendar.hours_for(d.weekday())][
        :8
    ]


@require_POST
@lead_required
def add_closure(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = get_object_or_404(BusinessCalendar, pk=pk)
    form = ClosureForm(request.POST, instance=Closure(calendar=calendar))
    if form.is_valid():
        do_save_setting(form, actor=request.user, kind="closure", recompute=True)
        messages.success(request, "Closure added; due times are being recomputed.")
    else:
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(reverse("sla-edit", args=["calendar", calendar.pk]))


@require_POST
@lead_required
def delete_closure(request: HttpRequest, pk: int) -> HttpResponse:
    closure = get_object_or_404(Closure, pk=pk)
    calendar_pk = closure.calendar_id
    do_delete_setting(closure, actor=request.user, kind="closure")
    return redirect(reverse("sla-edit", args=["calendar", calendar_pk]))


@require_POST
@lead_required
def add_level(request: HttpRequest, pk: int) -> HttpResponse:
    path = get_object_or_404(EscalationPath, pk=pk)
    form = LevelForm(request.POST, instance=EscalationLevel(path=path))
    if form.is_valid():
        do_save_setting(form, actor=request.user, kind="escalation_level", recompute=True)
        messages.success(request, "Level added.")
    else:
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(reverse("sla-edit", args=["path", path.pk]))


@require_POST
@lead_required
def delete_level(request: HttpRequest, pk: int) -> HttpResponse:
    level = get_object_or_404(EscalationLevel, pk=pk)
    path_pk = level.path_id
    do_delete_setting(level, actor=request.user, kind="escalation_level")
    return redirect(reverse("sla-edit", args=["path", path_pk]))


# --- delay notices ------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@lead_required
def notices(request: HttpRequest) -> HttpResponse:
    form = NoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        notice = do_open_notice(actor=request.user, **form.cleaned_data)
        messages.success(
            request, f"Notice opened; {notice.tickets.count()} open tickets linked, their customers are told."
        )
        return redirect("sla-notice", pk=notice.pk)
    return render(
        request,
        "sla/notices.html",
        {"nav": "sla", "form": form, "notices": list(DelayNotice.objects.all()[:50])},
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@lead_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(DelayNotice, pk=pk)
    form = NoticeUpdateForm(
        request.POST or None, initial={"estimated_resolution": notice.estimated_resolution}
    )
    if request.method == "POST" and form.is_valid():
        try:
            do_update_notice(notice, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Update sent to every affected customer.")
            return redirect("sla-notice", pk=notice.pk)
    linked = list(notice.tickets.select_related("customer", "priority").order_by("-created_at")[:100])
    return render(
        request,
        "sla/notice_detail.html",
        {
            "nav": "sla",
            "notice": notice,
            "form": form,
            "linked": linked,
            "linked_count": notice.tickets.count(),
            "matching_count": matching_tickets(notice).count(),
            "updates": list(notice.updates.all()),
        },
        status=400 if form.errors else 200,
    )


# --- the customer's escalation ---------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("portal-escalate")
@customer_required
def escalate(request: HttpRequest, customer: Customer, reference: str) -> HttpResponse:
    ticket = portal_access.get_request_for_customer(customer, reference)
    offer = escalation_offer(ticket)
    form = EscalateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            escalation = do_customer_escalate(ticket, customer=customer, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("sla-escalated", reference=ticket.reference, pk=escalation.pk)
    who = next_step_words(ticket, offer.level) if offer.level else ""
    respond_by = respond_by_if_escalated(ticket, offer.level) if offer.level else None
    return render(
        request,
        "sla/escalate.html",
        {
            "customer": customer,
            "ticket": ticket,
            "offer": offer,
            "form": form,
            "who": who,
            "respond_by": respond_by,
        },
        status=400 if form.errors else 200,
    )


@never_cache
@customer_required
def escalated(request: HttpRequest, customer: Customer, reference: str, pk: int) -> HttpResponse:
    ticket = portal_access.get_request_for_customer(customer, reference)
    escalation = get_object_or_404(Escalation, pk=pk, ticket=ticket, customer=customer)
    by_when = local_time_phrase(escalation.respond_by, customer.zone) if escalation.respond_by else ""
    return render(
        request,
        "sla/escalated.html",
        {"customer": customer, "ticket": ticket, "escalation": escalation, "by_when": by_when},
    )
