import re
from typing import Any

from django import forms

from helpwell.tickets.models import Priority

from .models import SiteSettings

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# White button text on the brand colour must stay readable (WCAG AA for normal text).
MIN_CONTRAST_ON_WHITE = 4.5


def contrast_with_white(colour: str) -> float:
    def channel(hex2: str) -> float:
        c = int(hex2, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


class SiteSettingsForm(forms.Form):
    """Organisation-wide choices an admin makes. Saved by system.actions.do_update_site_settings."""

    site_name = forms.CharField(
        max_length=80, label="Site name", help_text="Shown in the header and in every email."
    )
    brand_colour = forms.CharField(
        max_length=7,
        label="Brand colour",
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text="Used for buttons and links; it must be dark enough for white text.",
    )
    support_email = forms.EmailField(
        label="Support email", help_text="The address customers write to and see."
    )
    team_page_enabled = forms.BooleanField(
        required=False, label="Show the public team page (“Meet the people who help you”)"
    )

    def __init__(self, *args: Any, site: SiteSettings, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "site")
        kwargs.setdefault("initial", {f: getattr(site, f) for f in self.base_fields})
        super().__init__(*args, **kwargs)

    def clean_site_name(self) -> str:
        value = self.cleaned_data["site_name"].strip()
        if not value:
            raise forms.ValidationError("Give the site a name; customers see it on every page.")
        return value

    def clean_brand_colour(self) -> str:
        value = self.cleaned_data["brand_colour"].strip()
        if not HEX_COLOUR.match(value):
            raise forms.ValidationError("Use a colour like #2f5bea.")
        ratio = contrast_with_white(value)
        if ratio < MIN_CONTRAST_ON_WHITE:
            raise forms.ValidationError(
                f"White text on {value} is hard to read (contrast {ratio:.1f}:1, needs 4.5:1). "
                "Choose a darker colour."
            )
        return value.lower()


class TargetUnit:
    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"
    FACTORS = {MINUTES: 1, HOURS: 60, DAYS: 24 * 60}
    CHOICES = [(MINUTES, "minutes"), (HOURS, "hours"), (DAYS, "days")]


def split_minutes(minutes: int) -> tuple[int, str]:
    """120 -> (2, "hours"): the largest unit that divides the target exactly."""
    if minutes and minutes % (24 * 60) == 0:
        return minutes // (24 * 60), TargetUnit.DAYS
    if minutes and minutes % 60 == 0:
        return minutes // 60, TargetUnit.HOURS
    return minutes, TargetUnit.MINUTES


class PriorityForm(forms.Form):
    """A lead's wording and first-response target for one priority."""

    name = forms.CharField(max_length=40)
    definition = forms.CharField(
        max_length=300,
        label="What it means, in the customer's words",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    target = forms.IntegerField(min_value=1, max_value=100_000, label="First reply within")
    unit = forms.ChoiceField(choices=TargetUnit.CHOICES, label="Unit")

    def __init__(self, *args: Any, priority: Priority, **kwargs: Any) -> None:
        target, unit = split_minutes(priority.first_response_minutes)
        kwargs.setdefault("prefix", f"priority-{priority.pk}")
        kwargs.setdefault(
            "initial",
            {"name": priority.name, "definition": priority.definition, "target": target, "unit": unit},
        )
        super().__init__(*args, **kwargs)
        self.priority = priority

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "target" in data and "unit" in data:
            minutes = data["target"] * TargetUnit.FACTORS[data["unit"]]
            if minutes > 90 * 24 * 60:
                self.add_error("target", "Keep the promise within 90 days.")
            data["first_response_minutes"] = minutes
        return data
