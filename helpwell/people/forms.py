from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from helpwell.lib.images import BadImage, normalise_photo

from .models import TIME_ZONE_CHOICES, Agent, Role, Team

MAX_PHOTO_BYTES = 8 * 1024 * 1024


class ProfileForm(forms.Form):
    """What an agent tells customers and colleagues about themselves. Saved by people.actions."""

    display_name = forms.CharField(
        max_length=100,
        label="Display name",
        help_text="How customers and colleagues see you, e.g. “Alice Martin”.",
        error_messages={"required": "A display name is needed: it is how customers see you."},
    )
    job_title = forms.CharField(max_length=100, required=False, label="Job title")
    bio = forms.CharField(
        max_length=1000,
        required=False,
        label="Short bio",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A few friendly sentences. Shown on the team page and next to your replies.",
    )
    interests = forms.CharField(
        max_length=300,
        required=False,
        label="Interests and hobbies",
        help_text="E.g. bouldering, sourdough, jazz.",
    )
    languages = forms.CharField(
        max_length=200, required=False, label="Languages", help_text="Comma separated, e.g. English, Deutsch."
    )
    time_zone = forms.ChoiceField(choices=TIME_ZONE_CHOICES, label="Time zone")
    photo = forms.FileField(
        required=False,
        label="New photo",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
        help_text="JPEG, PNG, GIF or WebP. We crop it to a square and remove hidden data such as location.",
    )
    remove_photo = forms.BooleanField(required=False, label="Remove my photo and use my initials")
    show_on_team_page = forms.BooleanField(required=False, label="Show me on the public team page")

    def __init__(self, *args: Any, agent: Agent, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {f: getattr(agent, f) for f in self.profile_fields()})
        super().__init__(*args, **kwargs)
        self.agent = agent
        self.photo_data: bytes | None = None

    @staticmethod
    def profile_fields() -> tuple[str, ...]:
        from .actions import PROFILE_FIELDS

        return PROFILE_FIELDS

    def clean_display_name(self) -> str:
        value = self.cleaned_data["display_name"].strip()
        if not value:
            raise forms.ValidationError("A display name is needed: it is how customers see you.")
        return value

    def clean_photo(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("photo")
        if not upload:
            return None
        if upload.size and upload.size > MAX_PHOTO_BYTES:
            raise forms.ValidationError(
                f"That picture is {upload.size // (1024 * 1024)} MB; please choose one under 8 MB. "
                "Your other changes are still here, so just choose the picture again."
            )
        data = upload.read()
        try:
            # Decoded here for a clear message next to the field. The action decodes the original bytes
            # again rather than trusting its caller, so the stored JPEG is encoded only once.
            normalise_photo(data)
        except BadImage as exc:
            raise forms.ValidationError(
                f"{exc} Your other changes are still here; choose another picture or leave it empty."
            ) from exc
        self.photo_data = data
        return upload

    def profile_values(self) -> dict[str, Any]:
        return {f: self.cleaned_data[f] for f in self.profile_fields()}


class MembershipForm(forms.Form):
    """An admin's change to one agent's role and teams."""

    role = forms.ChoiceField(choices=Role.choices)
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, agent: Agent, teams: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"agent-{agent.pk}")
        kwargs.setdefault("initial", {"role": agent.role, "teams": [t.pk for t in agent.teams.all()]})
        super().__init__(*args, **kwargs)
        self.agent = agent
        self.fields["teams"].queryset = teams  # type: ignore[attr-defined]
