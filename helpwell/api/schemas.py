"""The shapes the API reads and writes; they are also the OpenAPI document's components."""

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Field, Schema
from pydantic import BaseModel, field_validator

from .pagination import DEFAULT_LIMIT, MAX_LIMIT

# Kept literal so the OpenAPI document lists the values; a test checks them against Status.
StatusValue = Literal["new", "open", "pending", "on_hold", "solved", "closed"]
MAX_BODY = 50_000
MAX_TAGS = 20


def _stripped(value: str | None, *, required: bool = True) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if required and not value:
        raise ValueError("This cannot be blank.")
    return value


class Out(BaseModel):
    """Base of everything the API returns.

    Plain pydantic, not ninja.Schema: responses are built from model rows by helpwell.api.present,
    so ninja's attribute-reading validator (which costs ~20 µs a field) is not needed.
    """


# ---------------------------------------------------------------- shared pieces


class ErrorDetail(Out):
    code: str = Field(description="Machine-readable, e.g. not_found, validation_error, unauthorized")
    message: str
    fields: dict[str, list[str]] = Field(description="Problems per input field; empty when none")


class ErrorOut(Out):
    error: ErrorDetail


class PriorityOut(Out):
    key: str
    name: str


class TeamOut(Out):
    slug: str
    name: str


class CategoryOut(Out):
    slug: str
    name: str


class OrganisationOut(Out):
    id: int
    name: str


class AgentBrief(Out):
    id: int
    display_name: str
    photo_url: str


class CustomerBrief(Out):
    id: int
    name: str
    email: str


# ---------------------------------------------------------------- people


class AgentOut(Out):
    id: int
    display_name: str
    job_title: str
    role: Literal["agent", "lead", "admin"]
    photo_url: str = Field(description="The agent's photo, or a generated initials avatar")
    teams: list[TeamOut]
    time_zone: str
    languages: list[str]


class CustomerOut(Out):
    id: int
    name: str
    email: str
    organisation: OrganisationOut | None
    language: str
    time_zone: str
    created_at: datetime


class MeOut(Out):
    type: Literal["agent", "customer"]
    via: Literal["token", "session", "magic-link"]
    agent: AgentOut | None = None
    customer: CustomerOut | None = None


class AgentPage(Out):
    items: list[AgentOut]
    next: str | None = Field(description="Cursor for the next page; null on the last page")


class CustomerPage(Out):
    items: list[CustomerOut]
    next: str | None


class CustomerFilters(Schema):
    q: str | None = Field(None, description="Part of the name or email address")
    email: str | None = Field(None, description="Exact email address (case-insensitive)")
    cursor: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class PageParams(Schema):
    cursor: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


# ---------------------------------------------------------------- tickets


class TicketOut(Out):
    """A ticket as an agent sees it."""

    reference: str
    subject: str
    status: StatusValue
    priority: PriorityOut
    category: CategoryOut | None
    channel: str
    customer: CustomerBrief
    assignee: AgentBrief | None
    team: TeamOut
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    first_response_due: datetime | None
    first_response_at: datetime | None
    solved_at: datetime | None
    closed_at: datetime | None
    url: str = Field(description="The ticket in the agent workspace")


class CustomerTicketOut(Out):
    """A ticket as its customer sees it: no tags, team routing or other internals."""

    reference: str
    subject: str
    status: StatusValue
    priority: PriorityOut
    category: CategoryOut | None
    channel: str
    assignee: AgentBrief | None
    created_at: datetime
    updated_at: datetime
    first_response_due: datetime | None
    first_response_at: datetime | None
    solved_at: datetime | None
    closed_at: datetime | None
    url: str = Field(description="The request in the customer portal")


class TicketPage(Out):
    items: list[TicketOut | CustomerTicketOut]
    next: str | None = Field(description="Cursor for the next page; null on the last page")


class TicketFilters(Schema):
    status: str | None = Field(None, description="One or more statuses, comma separated: new,open")
    priority: str | None = Field(None, description="Priority keys, comma separated (agents only)")
    team: str | None = Field(None, description="Team slug (agents only)")
    assignee: str | None = Field(None, description="Agent id, `me` or `none` (agents only)")
    customer: str | None = Field(None, description="Customer email address (agents only)")
    updated_after: datetime | None = Field(
        None, description="Only tickets changed after this time (ISO 8601)"
    )
    sort: Literal["-updated_at", "updated_at"] = Field(
        "-updated_at", description="`-updated_at` (recent first) or `updated_at` (for syncing)"
    )
    cursor: str | None = None
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class TicketIn(BaseModel):  # plain pydantic: ninja.Schema's ORM-reading validator is for output
    subject: str = Field(max_length=200)
    body: str = Field(max_length=MAX_BODY, description="Plain text; the first message of the ticket")
    customer_email: str | None = Field(
        None, description="Agents: the customer (found or created). Customers: omit, or your own address."
    )
    customer_name: str | None = Field(None, max_length=200, description="Name for a new customer")
    priority: str | None = Field(None, description="Priority key, e.g. `high` (agents only)")
    category: str | None = Field(None, description="Category slug")
    team: str | None = Field(None, description="Team slug; defaults to the category's team (agents only)")
    tags: list[str] = Field(default_factory=list, max_length=MAX_TAGS, description="Tag names (agents only)")

    @field_validator("subject", "body")
    @classmethod
    def not_blank(cls, value: str) -> str:
        return _stripped(value) or ""

    @field_validator("customer_email")
    @classmethod
    def an_email(cls, value: str | None) -> str | None:
        value = _stripped(value, required=False)
        if not value:
            return None
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError("Enter a valid email address.") from None
        return value


class TicketPatch(Schema):
    """Only the fields you send change; `assignee: null` unassigns, `category: null` clears it."""

    status: StatusValue | None = None
    priority: str | None = Field(None, description="Priority key")
    assignee: int | None = Field(None, description="Agent id, or null to unassign")
    team: str | None = Field(None, description="Team slug")
    category: str | None = Field(None, description="Category slug, or null to clear")
    tags: list[str] | None = Field(None, max_length=MAX_TAGS, description="The complete new set of tags")


# ---------------------------------------------------------------- messages


class AuthorOut(Out):
    type: Literal["agent", "customer", "system"]
    id: int | None
    name: str
    photo_url: str | None = None


class AttachmentOut(Out):
    id: int
    filename: str
    content_type: str
    size: int
    url: str


class MessageOut(Out):
    id: int
    kind: Literal["public", "internal"]
    author: AuthorOut
    body_text: str
    body_html: str = Field(description="Sanitised HTML")
    channel: str
    created_at: datetime
    attachments: list[AttachmentOut]


class MessagePage(Out):
    items: list[MessageOut]
    next: str | None


class MessageIn(Schema):
    body: str = Field(max_length=MAX_BODY, description="Plain text")
    internal: bool = Field(False, description="An internal note, never shown to the customer (agents only)")
    status: StatusValue | None = Field(
        None, description="Also set the ticket's status, e.g. pending (agents only)"
    )

    @field_validator("body")
    @classmethod
    def not_blank(cls, value: str) -> str:
        return _stripped(value) or ""


SubmissionState = Literal["queued", "opened", "failed"]


class TicketSubmissionOut(Out):
    """A ticket accepted for opening in the background (`Prefer: respond-async`)."""

    reference: str = Field(description="The ticket's reference, final from the start")
    state: SubmissionState = Field(
        description="`queued` until the worker opens it (normally within seconds), then `opened`, "
        "or `failed` with `error` saying why"
    )
    received_at: datetime
    error: str = ""
    url: str = Field(description="This submission, to poll")
    ticket_url: str | None = Field(description="The ticket in the API, once opened")
