from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from helpwell.people.models import TIME_ZONE_CHOICES

from .models import (
    WEEKDAYS,
    BusinessCalendar,
    Closure,
    EscalationLevel,
    EscalationPath,
    SlaPolicy,
    parse_hours,
)

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class PolicyForm(forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = [
            "name", "position", "is_active", "priority", "organisation_tier", "category", "channel",
            "first_response_minutes", "next_response_minutes", "resolution_minutes", "business_hours",
            "escalation_path",
        ]  # fmt: skip
        labels = {
            "position": "Order (lower is tried first)",
            "first_response_minutes": "First response (minutes)",
            "next_response_minutes": "Next response (minutes)",
            "resolution_minutes": "Resolution (minutes)",
            "business_hours": "Count business hours only",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(
            data.get(f) for f in ("first_response_minutes", "next_response_minutes", "resolution_minutes")
        ):
            raise ValidationError("Give at least one target.")
        return data


class CalendarForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=TIME_ZONE_CHOICES)

    class Meta:
        model = BusinessCalendar
        fields = ["name", "team", "time_zone", "always_open", "holiday_country", "holiday_subdivision"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hours = self.instance.weekly_hours or {}
        for d, day in enumerate(WEEKDAYS):
            self.fields[f"day_{d}"] = forms.CharField(
                label=day, required=False, initial=hours.get(str(d), ""),
                help_text="e.g. 09:00-17:00 or 09:00-12:00, 13:00-17:00; empty when closed",
            )  # fmt: skip

    def day_fields(self) -> list[Any]:
        return [self[f"day_{d}"] for d in range(7)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        weekly = {}
        for d in range(7):
            value = (data.get(f"day_{d}") or "").strip()
            try:
                parse_hours(value)
            except ValidationError as exc:
                self.add_error(f"day_{d}", exc)
            weekly[str(d)] = value
        data["weekly_hours"] = weekly
        if not data.get("always_open") and not any(weekly.values()):
            raise ValidationError("Open on at least one day, or choose 24/7.")
        country = (data.get("holiday_country") or "").upper()
        if country:
            import holidays

            if country not in holidays.list_supported_countries():
                self.add_error(
                    "holiday_country", f"“{country}” is not a country code we know, e.g. DE or GB."
                )
            elif data.get("holiday_subdivision"):
                subdivisions = holidays.list_supported_countries().get(country, [])
                if data["holiday_subdivision"].upper() not in subdivisions:
                    self.add_error(
                        "holiday_subdivision",
                        f"Not a region of {country}: try one of {', '.join(subdivisions[:12])}.",
                    )
        data["holiday_country"] = country
        data["holiday_subdivision"] = (data.get("holiday_subdivision") or "").upper()
        return data


class ClosureForm(forms.ModelForm):
    class Meta:
        model = Closure
        fields = ["date", "name"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
        labels = {"name": "Reason"}


class PathForm(forms.ModelForm):
    class Meta:
        model = EscalationPath
        fields = ["name", "description", "customer_escalation_after_minutes"]
        labels = {"customer_escalation_after_minutes": "Customers may escalate after (business minutes)"}


class LevelForm(forms.ModelForm):
    class Meta:
        model = EscalationLevel
        fields = [
            "position",
            "name",
            "trigger",
            "percent",
            "minutes_after",
            "action",
            "target",
            "team",
            "agent",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("target") == EscalationLevel.Target.TEAM and not data.get("team"):
            self.add_error("team", "Choose the team.")
        if data.get("target") == EscalationLevel.Target.AGENT and not data.get("agent"):
            self.add_error("agent", "Choose the person.")
        if (
            data.get("trigger") == EscalationLevel.Trigger.BEFORE_DUE
            and not 1 <= (data.get("percent") or 0) <= 99
        ):
            self.add_error("percent", "Between 1 and 99.")
        return data


class NoticeForm(forms.Form):
    title = forms.CharField(max_length=150, help_text="e.g. Deliveries delayed by a supplier outage")
    what_happened = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    what_we_are_doing = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    estimated_resolution = forms.DateTimeField(required=False, widget=DATETIME)
    category: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None,  # type: ignore[arg-type]
        required=False,
        help_text="Link open tickets in this category",
    )
    tag = forms.CharField(max_length=50, required=False, help_text="…or with this tag")
    search = forms.CharField(
        label="Words in the subject",
        max_length=100,
        required=False,
        help_text="…or with these words in the subject",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from helpwell.tickets.models import Category

        self.fields["category"].queryset = Category.objects.all()  # type: ignore[attr-defined]


class NoticeUpdateForm(forms.Form):
    body = forms.CharField(label="What changed", widget=forms.Textarea(attrs={"rows": 3}))
    estimated_resolution = forms.DateTimeField(required=False, widget=DATETIME)
    resolved = forms.BooleanField(required=False, label="The problem is solved: close the notice")


class EscalateForm(forms.Form):
    reason = forms.CharField(
        label="Why do you want to escalate?",
        max_length=2000,
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "placeholder": "e.g. The answer did not fix it, and I need this for a deadline on Friday.",
            }
        ),
    )
