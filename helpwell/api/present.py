"""Models to API shapes. Pure functions over rows already fetched: no queries in here.

The querysets in the routers select_related/prefetch everything these read; the query-count
tests hold both sides to that.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest

from helpwell.people.models import Agent, Customer
from helpwell.tickets.models import Message, Ticket

from .models import TicketSubmission
from .schemas import (
    AgentBrief,
    AgentOut,
    AttachmentOut,
    AuthorOut,
    CategoryOut,
    CustomerBrief,
    CustomerOut,
    CustomerTicketOut,
    MessageOut,
    OrganisationOut,
    PriorityOut,
    TeamOut,
    TicketOut,
    TicketSubmissionOut,
)


class Urls:
    """Absolute URLs for the host the client called, worked out once per request."""

    def __init__(self, request: HttpRequest) -> None:
        self.base = request.build_absolute_uri("/").rstrip("/")

    def photo(self, agent_id: int) -> str:
        return f"{self.base}/people/photo/{agent_id}/"

    def api_ticket(self, reference: str) -> str:
        return f"{self.base}/api/v1/tickets/{reference}"

    def submission(self, reference: str) -> str:
        return f"{self.base}/api/v1/ticket-submissions/{reference}"

    def agent_ticket(self, reference: str) -> str:
        return f"{self.base}/agent/tickets/{reference}/"

    def portal_request(self, reference: str) -> str:
        return f"{self.base}/portal/requests/{reference}/"

    def attachment(self, pk: int, *, for_customer: bool) -> str:
        if for_customer:
            return f"{self.base}/portal/attachments/{pk}/"
        return f"{self.base}/agent/attachments/{pk}/"


def agent_brief(user: Any, urls: Urls) -> AgentBrief | None:
    agent = getattr(user, "agent", None) if user is not None else None
    if agent is None:
        return None
    return AgentBrief(id=agent.pk, display_name=agent.display_name, photo_url=urls.photo(agent.pk))


def _priority(ticket: Ticket) -> PriorityOut:
    return PriorityOut(key=ticket.priority.key, name=ticket.priority.name)


def _category(ticket: Ticket) -> CategoryOut | None:
    category = ticket.category
    return CategoryOut(slug=category.slug, name=category.name) if category else None


def ticket_for_agent(ticket: Ticket, urls: Urls, tags: list[str] | None = None) -> TicketOut:
    """`tags` may be passed when known (e.g. just set); otherwise the prefetched tags are read."""
    if tags is None:
        tags = sorted(tag.name for tag in ticket.tags.all())
    return TicketOut(
        reference=ticket.reference,
        subject=ticket.subject,
        status=ticket.status,  # type: ignore[arg-type]
        priority=_priority(ticket),
        category=_category(ticket),
        channel=ticket.channel,
        customer=CustomerBrief(id=ticket.customer.pk, name=ticket.customer.name, email=ticket.customer.email),
        assignee=agent_brief(ticket.assignee, urls) if ticket.assignee_id else None,
        team=TeamOut(slug=ticket.team.slug, name=ticket.team.name),
        tags=tags,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        first_response_due=ticket.first_response_due,
        first_response_at=ticket.first_response_at,
        solved_at=ticket.solved_at,
        closed_at=ticket.closed_at,
        url=urls.agent_ticket(ticket.reference),
    )


def ticket_for_customer(ticket: Ticket, urls: Urls) -> CustomerTicketOut:
    return CustomerTicketOut(
        reference=ticket.reference,
        subject=ticket.subject,
        status=ticket.status,  # type: ignore[arg-type]
        priority=_priority(ticket),
        category=_category(ticket),
        channel=ticket.channel,
        assignee=agent_brief(ticket.assignee, urls) if ticket.assignee_id else None,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        first_response_due=ticket.first_response_due,
        first_response_at=ticket.first_response_at,
        solved_at=ticket.solved_at,
        closed_at=ticket.closed_at,
        url=urls.portal_request(ticket.reference),
    )


def message(
    message: Message, urls: Urls, *, for_customer: bool, attachments: list[Any] | None = None
) -> MessageOut:
    """`attachments` may be passed when known (a message just written); otherwise prefetched ones are read."""
    if message.author_user_id:
        brief = agent_brief(message.author_user, urls)
        if brief is not None:
            author = AuthorOut(type="agent", id=brief.id, name=brief.display_name, photo_url=brief.photo_url)
        else:  # a staff account without an agent profile
            author = AuthorOut(type="agent", id=None, name="Support team")
    elif message.author_customer_id and message.author_customer is not None:
        author = AuthorOut(type="customer", id=message.author_customer.pk, name=message.author_customer.name)
    else:
        author = AuthorOut(type="system", id=None, name="Helpwell")
    return MessageOut(
        id=message.pk,
        kind=message.kind,  # type: ignore[arg-type]
        author=author,
        body_text=message.body_text,
        body_html=message.body_html,
        channel=message.channel,
        created_at=message.created_at,
        attachments=[
            AttachmentOut(
                id=a.pk,
                filename=a.filename,
                content_type=a.content_type,
                size=a.size,
                url=urls.attachment(a.pk, for_customer=for_customer),
            )
            for a in (message.attachments.all() if attachments is None else attachments)
        ],
    )


def agent(agent: Agent, urls: Urls) -> AgentOut:
    return AgentOut(
        id=agent.pk,
        display_name=agent.display_name,
        job_title=agent.job_title,
        role=agent.role,  # type: ignore[arg-type]
        photo_url=urls.photo(agent.pk),
        teams=[TeamOut(slug=t.slug, name=t.name) for t in agent.teams.all()],
        time_zone=agent.time_zone,
        languages=[lang.strip() for lang in agent.languages.split(",") if lang.strip()],
    )


def customer(customer: Customer) -> CustomerOut:
    org = customer.organisation
    return CustomerOut(
        id=customer.pk,
        name=customer.name,
        email=customer.email,
        organisation=OrganisationOut(id=org.pk, name=org.name) if org else None,
        language=customer.language,
        time_zone=customer.time_zone,
        created_at=customer.created_at,
    )


def queued_submission(reference: str, urls: Urls, received_at: datetime) -> TicketSubmissionOut:
    """What a client hears at once when it submits a ticket for the background."""
    return TicketSubmissionOut(
        reference=reference, state="queued", received_at=received_at, url=urls.submission(reference),
        ticket_url=None,
    )  # fmt: skip


def submission(sub: TicketSubmission, urls: Urls) -> TicketSubmissionOut:
    return TicketSubmissionOut(
        reference=sub.reference,
        state=sub.state,  # type: ignore[arg-type]
        received_at=sub.received_at,
        error=sub.error,
        url=urls.submission(sub.reference),
        ticket_url=urls.api_ticket(sub.reference) if sub.state == TicketSubmission.State.OPENED else None,
    )
