"""A lead rewords Helpwell's mails: every template's subject, text and HTML, with a live preview."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from helpwell.people.access import lead_required
from helpwell.tickets.models import Ticket

from .models import MailTemplateOverride
from .templates_store import (
    DESCRIPTIONS,
    PARTS,
    do_save_mail_template,
    file_source,
    overrides_for,
    render_part,
    template_names,
    title_of,
)

FIELDS = {"subject.txt": "subject", "body.txt": "text", "body.html": "html"}


class MailTemplateForm(forms.Form):
    subject = forms.CharField(widget=forms.TextInput(attrs={"class": "mono"}), strip=False)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 14, "class": "mono"}), strip=False)
    html = forms.CharField(widget=forms.Textarea(attrs={"rows": 18, "class": "mono"}), strip=False)


def sample_context() -> dict[str, Any]:
    """What the preview renders with: the newest ticket, as the real mail would see it."""
    ticket = Ticket.objects.select_related("customer", "priority", "team").order_by("-pk").first()
    message = ticket.messages.order_by("-pk").first() if ticket else None
    return {
        "ticket": ticket,
        "customer": ticket.customer if ticket else None,
        "priority": ticket.priority if ticket else None,
        "message": message,
        "agent_name": "Alex Example",
        "actor_name": "Alex Example",
        "link": "https://support.example/portal/…",
        "url": "https://support.example/agent/…",
        "site_url": "https://support.example",
        "due_phrase": "tomorrow at 10:00",
        "names": ["scan.pdf"],
        "limit_mb": 10,
        "scores": [],
    }


@lead_required
def template_list(request: HttpRequest) -> HttpResponse:
    overridden = set(MailTemplateOverride.objects.values_list("template", flat=True))
    rows = [
        (name, title_of(name), DESCRIPTIONS.get(name, ""), name in overridden) for name in template_names()
    ]
    return render(request, "mail/templates_list.html", {"nav": "settings", "rows": rows})


@lead_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, name: str) -> HttpResponse:
    if name not in template_names():
        raise Http404("No such mail template.")
    overrides = overrides_for(name)
    current = {FIELDS[p]: overrides.get(p, file_source(name, p)) for p in PARTS}
    if request.method == "POST":
        form = MailTemplateForm(request.POST)
        if form.is_valid():
            if "reset" in request.POST:
                parts = {p: file_source(name, p) for p in PARTS}
            else:
                parts = {p: form.cleaned_data[FIELDS[p]] for p in PARTS}
            try:
                changed = do_save_mail_template(name, parts, actor=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, "Saved: new mail uses this wording." if changed else "No changes to save."
                )
                return redirect(reverse("mail-template-edit", args=[name]))
    else:
        form = MailTemplateForm(initial=current)
    preview: dict[str, str] = {}
    preview_error = ""
    source = {p: (form.data.get(FIELDS[p]) if form.is_bound else current[FIELDS[p]]) or "" for p in PARTS}
    try:
        preview = {FIELDS[p]: render_part(name, p, sample_context(), source) for p in PARTS}
    except Exception as exc:  # noqa: BLE001 - a lead's template error is shown, not raised
        preview_error = f"{type(exc).__name__}: {exc}"
    context = {
        "nav": "settings",
        "name": name,
        "title": title_of(name),
        "description": DESCRIPTIONS.get(name, ""),
        "form": form,
        "overridden": [MailTemplateOverride.Part(p).label.lower() for p in PARTS if p in overrides],
        "preview": preview,
        "preview_error": preview_error,
    }
    # The HTML preview is shown in a sandboxed frame (no scripts, no forms, no same-origin access).
    return render(request, "mail/template_edit.html", context)
