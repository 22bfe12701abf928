from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from helpwell.feedback.models import SCORE_LABELS
from helpwell.lib.timefmt import is_time_zone
from helpwell.tickets.actions import MAX_ATTACHMENTS, validate_attachments
from helpwell.tickets.models import Category

from .triage import Impact, Urgency


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files in one input, checked against the ticket attachment limits."""

    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        cleaned = [super(AttachmentsField, self).clean(f, initial) for f in files]
        validate_attachments(cleaned)
        return cleaned


def attachments_help() -> str:
    from django.conf import settings

    limit_mb = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
    return (
        f"Up to {MAX_ATTACHMENTS} files, {limit_mb} MB each: images, PDF, Office documents, text, CSV or ZIP."
    )


IMPACT_HINTS = {
    Impact.ME: "Only my own work or account.",
    Impact.SEVERAL: "A few colleagues, a team or a site.",
    Impact.ORGANISATION: "Everyone at our organisation, or all our customers.",
}
URGENCY_HINTS = {
    Urgency.CAN_WAIT: "A question, or something to fix when you can.",
    Urgency.SLOWS: "There is a workaround, but it costs time.",
    Urgency.BLOCKED: "Work has stopped until this is fixed.",
}


class RequestForm(forms.Form):
    name = forms.CharField(
        max_length=200, label="Your name", widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label="Email address",
        help_text="We send the reference and every reply here.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    subject = forms.CharField(
        max_length=200,
        label="Subject",
        help_text="A few words, e.g. “Invoice 1042 charged twice”.",
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(),
        required=False,
        label="What is it about?",
        empty_label="Not sure / something else",
    )
    description = forms.CharField(
        max_length=20000,
        label="Tell us what happened",
        help_text="What did you expect, what happened instead, and what have you tried?",
        widget=forms.Textarea(attrs={"rows": 7}),
    )
    attachments = AttachmentsField(label="Attachments")
    impact = forms.ChoiceField(
        choices=Impact.CHOICES,
        label="Who is affected?",
        widget=forms.RadioSelect,
        error_messages={"required": "Tell us who is affected."},
    )
    urgency = forms.ChoiceField(
        choices=Urgency.CHOICES,
        label="How much does it stop you?",
        widget=forms.RadioSelect,
        error_messages={"required": "Tell us how much this stops you."},
    )
    # Filled in by the browser (Intl API) so a new customer's times are in their own zone.
    time_zone = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    # A honeypot: hidden from people, irresistible to form-filling bots.
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()
        self.fields["email"].error_messages["invalid"] = "Enter an email address like name@example.com."
        for name in ("name", "email", "subject", "description"):
            self.fields[name].error_messages["required"] = {
                "name": "Tell us your name.",
                "email": "Enter your email address so we can reply.",
                "subject": "Give your request a short subject.",
                "description": "Describe what happened.",
            }[name]

    def impact_options(self) -> list[tuple[Any, str, int]]:
        """(radio, hint, level 1-3) for the choice cards."""
        return [
            (radio, IMPACT_HINTS.get(radio.data["value"], ""), i + 1)
            for i, radio in enumerate(self["impact"])
        ]

    def urgency_options(self) -> list[tuple[Any, str, int]]:
        return [
            (radio, URGENCY_HINTS.get(radio.data["value"], ""), i + 1)
            for i, radio in enumerate(self["urgency"])
        ]

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())

    def clean_time_zone(self) -> str:
        value = self.cleaned_data.get("time_zone", "").strip()
        # A wrong value from the browser is not the customer's fault: ignore it.
        return value if is_time_zone(value) else ""

    def clean_description(self) -> str:
        value = self.cleaned_data["description"].strip()
        if not value:
            raise ValidationError("Describe what happened.")
        return value


class SignInForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        error_messages={
            "required": "Enter the email address you wrote to us from.",
            "invalid": "Enter an email address like name@example.com.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        max_length=20000,
        label="Your reply",
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": "Add details, answer a question, say thanks…"}
        ),
        error_messages={"required": "Write a message before sending."},
    )
    attachments = AttachmentsField(label="Attach files")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()

    def clean_body(self) -> str:
        value = self.cleaned_data["body"].strip()
        if not value:
            raise ValidationError("Write a message before sending.")
        return value


SCORE_CHOICES = [(score, SCORE_LABELS[score]) for score in range(1, 6)]


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        choices=SCORE_CHOICES,
        coerce=int,
        label="How would you rate the help you received?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a rating from 1 to 5."},
    )
    comment = forms.CharField(
        required=False,
        max_length=2000,
        label="Anything you would like to tell us?",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What went well, what could be better…"}),
    )
