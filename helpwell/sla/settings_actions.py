"""Leads change service levels here; every change is audited, and due times follow in the background."""

from typing import Any

from django.db import models, transaction
from django.forms import ModelForm
from django.utils import timezone

from helpwell.system.audit import audit

from .models import BusinessCalendar, Closure, RecomputeJob
from .recompute import start_job


def _changes(form: ModelForm) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in form.changed_data:
        value = form.cleaned_data.get(name)
        out[name] = str(value.pk if isinstance(value, models.Model) else value)[:200]
    return out


@transaction.atomic
def do_save_setting(form: ModelForm, *, actor: Any, kind: str, recompute: bool = False) -> models.Model:
    """Save a policy, calendar, path or level form; audit it; recompute due times when they may move."""
    created = form.instance.pk is None
    changes = _changes(form)
    obj = form.save(commit=False)
    if hasattr(obj, "updated_at"):
        obj.updated_at = timezone.now()
    if isinstance(obj, BusinessCalendar):
        obj.weekly_hours = form.cleaned_data["weekly_hours"]
    obj.save()
    form.save_m2m()
    audit(actor, f"sla.{kind}_{'created' if created else 'updated'}", obj, changes)
    if recompute and (changes or created):
        _recompute_for(obj, kind)
    return obj


@transaction.atomic
def do_delete_setting(obj: models.Model, *, actor: Any, kind: str) -> None:
    audit(actor, f"sla.{kind}_deleted", obj, {"name": str(obj)})
    calendar = obj.calendar if isinstance(obj, Closure) else None
    obj.delete()
    if calendar is not None:
        start_job(calendar=calendar, reason=f"Closure removed from {calendar}")
    else:
        # A policy, calendar, path or level gone: targets, hours or warning points may move anywhere.
        start_job(calendar=None, reason=f"{kind.replace('_', ' ').capitalize()} {obj} removed")


def _recompute_for(obj: models.Model, kind: str) -> RecomputeJob:
    if isinstance(obj, BusinessCalendar):
        return start_job(calendar=obj, reason=f"Calendar {obj} changed")
    if isinstance(obj, Closure):
        return start_job(calendar=obj.calendar, reason=f"Closure on {obj.date} for {obj.calendar}")
    return start_job(calendar=None, reason=f"{kind.capitalize()} {obj} changed")
