"""Forms of the agent workspace: the ticket's properties, the reply box and the queue's bulk actions."""

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from helpwell.lib.choices import RowsOnceModelChoiceField
from helpwell.lib.widgets import (
    QuickClearableFileInput,
    QuickHiddenInput,
    QuickRadioSelect,
    QuickSelect,
    QuickTextInput,
)
from helpwell.people.models import Team

from . import options
from .actions import normalise_tags, validate_attachments
from .models import Category, Message, Priority, Status, Ticket


class AgentChoiceField(RowsOnceModelChoiceField):
    """Users shown by their agent display name (the queryset selects `agent`)."""

    def label_from_instance(self, obj: Any) -> str:
        agent = getattr(obj, "agent", None)
        return agent.display_name if agent else obj.get_username()


class PropertiesForm(forms.Form):
    """The ticket's sidebar. Each field carries the value the page showed (show_hidden_initial), so
    only what this agent changed is applied: a colleague's change to another field is not undone."""

    # Rendered in Python (helpwell.lib.widgets): this form is on every ticket page.
    assignee = AgentChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Unassigned", show_hidden_initial=True,
        widget=QuickSelect,
    )  # fmt: skip
    status = forms.ChoiceField(choices=Status.choices, show_hidden_initial=True, widget=QuickSelect)
    # Options from the per-process cache (.options); submitted values are checked against the queryset.
    priority = RowsOnceModelChoiceField(
        queryset=Priority.objects.all(), empty_label=None, show_hidden_initial=True, widget=QuickSelect,
        rows=options.priorities,
    )  # fmt: skip
    team = RowsOnceModelChoiceField(
        queryset=Team.objects.all(), empty_label=None, show_hidden_initial=True, widget=QuickSelect,
        rows=options.teams,
    )  # fmt: skip
    category = RowsOnceModelChoiceField(
        queryset=Category.objects.all(), required=False, empty_label="No category", show_hidden_initial=True,
        widget=QuickSelect, rows=options.categories,
    )  # fmt: skip
    tags = forms.CharField(
        required=False,
        max_length=500,
        show_hidden_initial=True,
        help_text="Separate tags with commas.",
        widget=QuickTextInput(attrs={"placeholder": "e.g. refund, vip", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, ticket: Ticket, user: Any, tag_names: list[str], **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "assignee": ticket.assignee_id,
                "team": ticket.team_id,
                "status": ticket.status,
                "priority": ticket.priority_id,
                "category": ticket.category_id,
                "tags": ", ".join(tag_names),
            },
        )
        kwargs.setdefault("auto_id", "prop_%s")
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        for field in self.fields.values():
            field.hidden_widget = QuickHiddenInput
        assignee_field: Any = self.fields["assignee"]
        also = (ticket.assignee_id, user.pk)
        assignee_field.rows = lambda: options.assignable(ticket.team_id, also)
        if self.is_bound:  # only a submitted value is checked against the database
            assignee_field.queryset = options.assignable_agents(team_ids=[ticket.team_id], also=also)

    def clean_tags(self) -> list[str]:
        names = normalise_tags(self.cleaned_data["tags"].split(","))
        if len(names) > 20:
            raise ValidationError("A ticket can have at most 20 tags.")
        return names

    def changes(self) -> dict[str, Any]:
        """The fields this agent changed, as keyword arguments for do_update_ticket."""
        return {name: self.cleaned_data[name] for name in self.changed_data}


class MultipleFileInput(QuickClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


KEEP_STATUS = ""
SUBMIT_AS = [(KEEP_STATUS, "Keep status"), (Status.PENDING, "Pending customer"), (Status.ON_HOLD, "On hold"),
             (Status.SOLVED, "Solved")]  # fmt: skip


class ReplyForm(forms.Form):
    kind = forms.ChoiceField(
        choices=Message.Kind.choices, initial=Message.Kind.PUBLIC, widget=QuickRadioSelect, label="Type"
    )
    body = forms.CharField(
        max_length=50_000,
        strip=True,
        label="Message",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Write your reply or note first."},
    )
    attachments = MultipleFileField(required=False, widget=MultipleFileInput(attrs={"multiple": True}))
    submit_as = forms.ChoiceField(choices=SUBMIT_AS, required=False, label="Submit as", widget=QuickSelect)

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "reply_%s")
        super().__init__(*args, **kwargs)
        # A public reply opens a new ticket by itself (do_reply), so for a new ticket "keep" reads "Open".
        keep = "Open" if ticket.status == Status.NEW else f"Keep as {Status(ticket.status).label}"
        submit_as: Any = self.fields["submit_as"]
        submit_as.choices = [(KEEP_STATUS, keep)] + [c for c in SUBMIT_AS[1:] if c[0] != ticket.status]

    def clean_attachments(self) -> list[Any]:
        files = self.cleaned_data.get("attachments") or []
        validate_attachments(files)
        return files

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors.get("attachments") is None and self.files.getlist("attachments") and self.errors:
            self.add_error(None, "Please attach your files again: browsers do not keep them after an error.")
        return data

    @property
    def internal(self) -> bool:
        return self.cleaned_data.get("kind") == Message.Kind.INTERNAL

    @property
    def status(self) -> str | None:
        return self.cleaned_data.get("submit_as") or None


class IdListField(forms.Field):
    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        ids = []
        for item in value or []:
            try:
                ids.append(int(item))
            except (TypeError, ValueError):
                continue
        return ids[:500]


BULK_ACTIONS = [
    ("assign_me", "Assign to me"),
    ("assign", "Assign to"),
    ("unassign", "Unassign"),
    ("status", "Set status"),
    ("priority", "Set priority"),
    ("tag", "Add tag"),
]


class BulkForm(forms.Form):
    """One change to the selected tickets; only tickets the agent may change are touched."""

    action = forms.ChoiceField(choices=BULK_ACTIONS)
    ticket = IdListField(required=False)
    assignee = AgentChoiceField(queryset=User.objects.none(), required=False, empty_label="Assign to…")
    status = forms.ChoiceField(choices=[("", "Set status…"), *Status.choices], required=False)
    priority = RowsOnceModelChoiceField(
        queryset=Priority.objects.all(), required=False, empty_label="Set priority…", rows=options.priorities
    )
    tag = forms.CharField(required=False, max_length=50)

    def __init__(
        self, *args: Any, assignees: QuerySet[User], assignee_rows: list[User] | None = None, **kwargs: Any
    ) -> None:
        """`assignees` decides what a submitted assignee may be; `assignee_rows`, when given, are the
        options shown (from the per-process cache) instead of reading `assignees`."""
        kwargs.setdefault("auto_id", "bulk_%s")
        super().__init__(*args, **kwargs)
        field: Any = self.fields["assignee"]
        field.queryset = assignees
        if assignee_rows is not None:
            field.rows = lambda: assignee_rows

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if not data.get("ticket"):
            raise ValidationError("Select at least one ticket first.")
        needs = {"assign": "assignee", "status": "status", "priority": "priority", "tag": "tag"}
        if action in needs and not data.get(needs[action]):
            label = dict(BULK_ACTIONS)[action].lower()
            raise ValidationError(f"Choose what to {label}.")
        if action == "tag":
            names = normalise_tags([data.get("tag", "")])
            if not names:
                raise ValidationError("Type a tag to add.")
            data["tag"] = names[0]
        return data

    def update_kwargs(self, user: Any) -> dict[str, Any]:
        """Keyword arguments for do_bulk_update."""
        data = self.cleaned_data
        return {
            "assign_me": {"assignee": user},
            "assign": {"assignee": data.get("assignee")},
            "unassign": {"unassign": True},
            "status": {"status": data.get("status")},
            "priority": {"priority": data.get("priority")},
            "tag": {"add_tag": data.get("tag")},
        }[data["action"]]
