"""/api/v1/tickets: list, open, read and change tickets, and their messages.

Thin on purpose: parse, ask access who may see what, call an action, present the result.
"""

from datetime import UTC

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status

from helpwell.lib import ratelimit
from helpwell.people.models import Customer
from helpwell.tickets.actions import do_customer_reply, do_reply, do_update_ticket, normalise_tags
from helpwell.tickets.models import Channel, Message, Ticket

from . import lookups, present
from .access import TICKET_LIST_COLUMNS, get_ticket_for_caller, messages_for_caller, tickets_for_caller
from .actions import do_open_ticket
from .auth import Caller, caller_of, require_agent
from .errors import ApiError, invalid
from .intake import accept, wants_async
from .pagination import Key, paginate, parse_datetime
from .schemas import (
    CustomerTicketOut,
    ErrorOut,
    MessageIn,
    MessageOut,
    MessagePage,
    PageParams,
    TicketFilters,
    TicketIn,
    TicketOut,
    TicketPage,
    TicketPatch,
    TicketSubmissionOut,
)

router = Router(tags=["tickets"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
TICKET_KEYS = {
    "-updated_at": (Key("updated_at", True, parse_datetime), Key("id", True)),
    "updated_at": (Key("updated_at", False, parse_datetime), Key("id", False)),
}
MESSAGE_KEYS = (Key("created_at", False, parse_datetime), Key("id", False))


def limit_customer_writes(caller: Caller) -> None:
    """Customers' tokens travel in mail; cap what one can write, per customer, per hour."""
    if not caller.is_customer:
        return
    assert caller.customer is not None
    limit = getattr(settings, "API_CUSTOMER_WRITES_PER_HOUR", 30)
    verdict = ratelimit.hit("api-customer-write", str(caller.customer.pk), limit=limit)
    if not verdict:
        raise ApiError(
            429,
            "rate_limited",
            f"Too many changes from this customer token; try again in {verdict.retry_after} seconds.",
            headers={"Retry-After": str(verdict.retry_after)},
        )


def present_ticket(caller: Caller, ticket: Ticket, urls: present.Urls) -> TicketOut | CustomerTicketOut:
    if caller.is_agent:
        return present.ticket_for_agent(ticket, urls)
    return present.ticket_for_customer(ticket, urls)


@router.get("", response={200: TicketPage, **ERRORS}, summary="List tickets")
def list_tickets(request: HttpRequest, filters: Query[TicketFilters]) -> TicketPage:
    """Tickets the caller may see, most recently changed first, a page at a time.

    Agents see their teams' tickets and those assigned to them (admins see all); a customer sees
    their own. Follow `next` with `?cursor=` (and the same filters) for the next page.
    """
    caller = caller_of(request)
    problems = lookups.Problems()
    statuses = lookups.statuses(filters.status, problems)
    if caller.is_customer:
        lookups.only_for_agents(
            problems,
            [
                (name, getattr(filters, name) is not None)
                for name in ("priority", "team", "assignee", "customer")
            ],
        )
    problems.raise_if_any()

    qs = tickets_for_caller(caller).only(*TICKET_LIST_COLUMNS)
    if len(statuses) == 1:
        qs = qs.filter(status=statuses[0])
    elif statuses:
        qs = qs.filter(status__in=statuses)
    if filters.updated_after is not None:
        after = filters.updated_after
        if timezone.is_naive(after):
            after = after.replace(tzinfo=UTC)
        qs = qs.filter(updated_at__gt=after)
    if filters.priority:
        qs = qs.filter(priority__key__in=[k.lower() for k in lookups.split_list(filters.priority)])
    if filters.team:
        qs = qs.filter(team__slug=filters.team.strip().lower())
    if filters.assignee:
        who = filters.assignee.strip().lower()
        if who == "me":
            qs = qs.filter(assignee_id=caller.user.pk)
        elif who == "none":
            qs = qs.filter(assignee__isnull=True)
        elif who.isdigit():
            qs = qs.filter(assignee__agent__id=int(who))
        else:
            raise invalid("assignee", "Use an agent id, `me` or `none`.")
    if filters.customer:
        qs = qs.filter(customer__in=Customer.objects.with_email(filters.customer))

    page = paginate(
        qs, TICKET_KEYS[filters.sort], cursor=filters.cursor, limit=filters.limit, name=filters.sort
    )
    urls = present.Urls(request)
    return TicketPage(items=[present_ticket(caller, t, urls) for t in page.items], next=page.next)


@router.post(
    "",
    response={201: TicketOut | CustomerTicketOut, 202: TicketSubmissionOut, **ERRORS},
    summary="Open a ticket",
)
def create_ticket(request: HttpRequest, response: HttpResponse, payload: TicketIn) -> Status:
    """Agents open a ticket for a customer, found or created by `customer_email`; customers open
    one for themselves. The customer gets the usual acknowledgement mail with the reference.

    Agents sending many tickets (an order feed, a monitoring system) may send
    `Prefer: respond-async`: the request is checked and stored, and answered at once with 202,
    the ticket's final reference and a submission URL to poll; the worker opens the ticket,
    normally within a second or two. Customers' requests are always opened at once.
    """
    caller = caller_of(request)
    problems = lookups.Problems()
    category = lookups.category(payload.category, problems) if payload.category else None
    urls = present.Urls(request)

    if caller.is_customer:
        assert caller.customer is not None
        lookups.only_for_agents(
            problems,
            [
                ("priority", payload.priority is not None),
                ("team", payload.team is not None),
                ("tags", bool(payload.tags)),
            ],
        )
        if payload.customer_email and payload.customer_email.lower() != caller.customer.email.lower():
            problems.add("customer_email", "You can only open requests for yourself.")
        problems.raise_if_any()
        limit_customer_writes(caller)
        ticket = do_open_ticket(
            customer=caller.customer, subject=payload.subject, body=payload.body, category=category
        )
        return Status(201, present.ticket_for_customer(ticket, urls))

    if not payload.customer_email:
        problems.add("customer_email", "Say whom the ticket is for.")
    priority = lookups.priority(payload.priority, problems) if payload.priority else None
    team = lookups.team(payload.team, problems) if payload.team else None
    problems.raise_if_any()
    if wants_async(request):
        assert caller.agent is not None
        return Status(202, accept(caller.agent, payload, urls, response))
    ticket = do_open_ticket(
        customer_email=payload.customer_email or "",
        customer_name=payload.customer_name or "",
        subject=payload.subject,
        body=payload.body,
        actor=caller.user,
        priority=priority,
        category=category,
        team=team,
        tags=payload.tags,
    )
    return Status(201, present.ticket_for_agent(ticket, urls, tags=sorted(normalise_tags(payload.tags))))


@router.get("/{reference}", response={200: TicketOut | CustomerTicketOut, **ERRORS}, summary="Get a ticket")
def get_ticket(request: HttpRequest, reference: str) -> TicketOut | CustomerTicketOut:
    caller = caller_of(request)
    ticket = get_ticket_for_caller(caller, reference)
    return present_ticket(caller, ticket, present.Urls(request))


@router.patch("/{reference}", response={200: TicketOut, **ERRORS}, summary="Change a ticket (agents)")
def update_ticket(request: HttpRequest, reference: str, payload: TicketPatch) -> TicketOut:
    """Change status, priority, assignee, team, category or tags; only the fields sent change.
    Each change is recorded in the ticket's history with channel `api`."""
    caller = require_agent(request)
    ticket = get_ticket_for_caller(caller, reference)
    sent = payload.model_fields_set
    problems = lookups.Problems()
    for field in ("status", "priority", "team", "tags"):
        if field in sent and getattr(payload, field) is None:
            problems.add(field, "This cannot be null.")
    changes: dict = {}
    if payload.status is not None:
        changes["status"] = payload.status
    if payload.priority is not None:
        changes["priority"] = lookups.priority(payload.priority, problems)
    if payload.team is not None:
        changes["team"] = lookups.team(payload.team, problems)
    if "assignee" in sent:
        changes["assignee"] = lookups.agent_user(payload.assignee, problems) if payload.assignee else None
    if "category" in sent:
        changes["category"] = lookups.category(payload.category, problems) if payload.category else None
    if payload.tags is not None:
        changes["tags"] = payload.tags
    problems.raise_if_any()
    if changes:
        # The actions update this instance as they go, so it is presented as it now is (even when
        # the change moved it out of the caller's sight, e.g. to another team).
        do_update_ticket(ticket, actor=caller.user, channel=Channel.API, **changes)
    tags = sorted(normalise_tags(payload.tags)) if payload.tags is not None else None
    return present.ticket_for_agent(ticket, present.Urls(request), tags=tags)


@router.get(
    "/{reference}/messages", response={200: MessagePage, **ERRORS}, summary="List a ticket's messages"
)
def list_messages(request: HttpRequest, reference: str, params: Query[PageParams]) -> MessagePage:
    """The thread, oldest first. Customers see public replies only, never internal notes."""
    caller = caller_of(request)
    ticket = get_ticket_for_caller(caller, reference, with_tags=False)
    page = paginate(
        messages_for_caller(caller, ticket),
        MESSAGE_KEYS,
        cursor=params.cursor,
        limit=params.limit,
        name="messages",
    )
    urls = present.Urls(request)
    return MessagePage(
        items=[present.message(m, urls, for_customer=caller.is_customer) for m in page.items], next=page.next
    )


@router.post("/{reference}/messages", response={201: MessageOut, **ERRORS}, summary="Reply or add a note")
def create_message(request: HttpRequest, reference: str, payload: MessageIn) -> Status:
    """Agents send a public reply (emailed to the customer) or, with `internal: true`, a note;
    customers reply on their own tickets."""
    caller = caller_of(request)
    ticket = get_ticket_for_caller(caller, reference, with_tags=False)
    urls = present.Urls(request)
    message: Message
    if caller.is_customer:
        assert caller.customer is not None
        problems = lookups.Problems()
        lookups.only_for_agents(
            problems, [("internal", payload.internal), ("status", payload.status is not None)]
        )
        problems.raise_if_any()
        limit_customer_writes(caller)
        message = do_customer_reply(ticket, customer=caller.customer, body=payload.body, channel=Channel.API)
    else:
        message = do_reply(
            ticket,
            user=caller.user,
            body=payload.body,
            internal=payload.internal,
            status=payload.status,
            channel=Channel.API,
        )
    return Status(201, present.message(message, urls, for_customer=caller.is_customer, attachments=[]))
