"""The agent workspace: the queue, a ticket's page, and the POSTs that change tickets.

Views parse, ask the access layer, call actions and render; they never write models themselves.
"""

from datetime import timedelta
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST, require_safe

from helpwell.guidelines.actions import BlockedByGuidelines, do_record_blocked
from helpwell.guidelines.views import ticket_panel
from helpwell.lib.counts import capped_counts
from helpwell.people.access import agent_required
from helpwell.people.models import LANGUAGE_CHOICES

from . import options
from .access import get_ticket_for_agent, messages_for_agent, team_ids_of, tickets_for_agent
from .actions import do_assign_ticket, do_bulk_update, do_reply, do_update_ticket
from .forms import BulkForm, PropertiesForm, ReplyForm
from .lists_html import history_items, other_ticket_items, queue_rows, thread_articles
from .models import Attachment, Channel, Status, Ticket, TicketEvent
from .queue import (
    SORTS,
    STATUS_CHOICES,
    TABS,
    QueuePage,
    QueueParams,
    due_info,
    fetch_page,
    queue_queryset,
    reference_in,
)

# A customer or organisation with more tickets than this shows "100+": counting is bounded too.
COUNT_CAP = 100
QUEUE_SESSION_KEY = "tickets_queue_query"


def _hx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


# --- queue ------------------------------------------------------------------------------------------------


@require_safe
@agent_required
def ticket_queue(request: HttpRequest) -> HttpResponse:
    params = QueueParams.from_query(request.GET)
    user = request.user
    reference = reference_in(params.q) if params.q else None
    if reference and tickets_for_agent(user).filter(reference=reference).exists():
        return redirect("tickets-detail", reference=reference)

    # A reference nobody may see here is "not found", never a list of everything.
    page = QueuePage(tickets=[]) if reference else fetch_page(queue_queryset(user, params), params, user)
    now = timezone.now()
    for ticket in page.tickets:
        ticket.due = due_info(ticket, now)  # type: ignore[attr-defined]

    query = request.GET.urlencode()
    if request.session.get(QUEUE_SESSION_KEY) != query:
        request.session[QUEUE_SESSION_KEY] = query  # "Back to queue" returns to this very view
    agent = request.agent_profile  # type: ignore[attr-defined]
    context = {
        "nav": "queue",
        "params": params,
        "page": page,
        "reference_not_found": reference,
        "tabs": [(key, label, params.query_string(tab=key)) for key, label in TABS],
        "sorts": [(key, sort.label) for key, sort in SORTS.items()],
        "status_choices": STATUS_CHOICES,
        "priorities": options.priorities(),
        "categories": options.categories(),
        "teams": options.teams(),
        "bulk_form": BulkForm(
            assignees=_bulk_assignees(agent, user), assignee_rows=_bulk_assignee_rows(agent, user)
        ),
        "next_url": params.query_string(cursor=page.next_cursor) if page.has_next else "",
        "prev_url": params.query_string(cursor=page.prev_cursor) if page.has_prev else "",
        "this_url": request.get_full_path(),
        # Rendered in Python (.lists_html): through the template the rows were most of the page's time.
        # Older activity than a day shows as a date: "Thu 19 Nov".
        "rows": queue_rows(page.tickets, recent_since=now - timedelta(days=1)),
    }
    return render(request, "tickets/queue.html", context)


def _bulk_assignees(agent: Any, user: Any) -> QuerySet:
    """Whom the queue's "Assign to" offers: colleagues on the agent's teams (everyone, for admins)."""
    team_ids = None if agent.is_admin else team_ids_of(agent)
    return options.assignable_agents(team_ids=team_ids, also=(user.pk,))


def _bulk_assignee_rows(agent: Any, user: Any) -> list[User]:
    """The same people as _bulk_assignees, from the per-process cache: the options the queue shows."""
    team_ids = None if agent.is_admin else team_ids_of(agent)
    return options.assignable_on_teams(team_ids, also=(user.pk,))


@require_POST
@agent_required
def bulk_update(request: HttpRequest) -> HttpResponse:
    agent = request.agent_profile  # type: ignore[attr-defined]
    back = request.POST.get("next", "")
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}
    ):
        back = reverse("tickets-queue")  # only ever back to a page of this site
    form = BulkForm(request.POST, assignees=_bulk_assignees(agent, request.user))
    if not form.is_valid():
        for error in form.non_field_errors() or [e for errors in form.errors.values() for e in errors]:
            messages.error(request, str(error))
        return HttpResponseRedirect(back)
    # Only tickets the agent may change; anything else in the request is ignored, never revealed.
    tickets = list(
        tickets_for_agent(request.user)
        .filter(pk__in=form.cleaned_data["ticket"])
        .select_related("priority", "team", "assignee__agent", "category")
    )
    count = do_bulk_update(tickets, actor=request.user, **form.update_kwargs(request.user))
    messages.success(request, f"{count} ticket{'s' if count != 1 else ''} updated.")
    return HttpResponseRedirect(back)


# --- ticket page ------------------------------------------------------------------------------------------

# What a history entry says after the actor's name. Changes of a property show "old → new" below it.
EVENT_PHRASES: dict[str, str] = {
    TicketEvent.Kind.CREATED: "opened the ticket",
    TicketEvent.Kind.REPLIED: "replied to the customer",
    TicketEvent.Kind.NOTED: "added an internal note",
    TicketEvent.Kind.CUSTOMER_REPLIED: "replied",
    TicketEvent.Kind.ASSIGNED: "changed the assignee",
    TicketEvent.Kind.STATUS: "changed the status",
    TicketEvent.Kind.PRIORITY: "changed the priority",
    TicketEvent.Kind.CATEGORY: "changed the category",
    TicketEvent.Kind.TAGS: "changed the tags",
    TicketEvent.Kind.TEAM: "moved the ticket",
    TicketEvent.Kind.RATED: "rated the help",
    TicketEvent.Kind.EMAILED: "sent an email",
}
CHANGE_KINDS = {"assigned", "status", "priority", "category", "tags", "team"}


def _history(ticket: Ticket) -> SafeString:
    """The ticket's events, newest first, as sentences: who did what, from what to what, when
    (the history's list items, rendered in Python: see .lists_html). Read as values, not models:
    a long history was four model instances an event (event, user, agent, customer)."""
    events = ticket.events.order_by("-created_at", "-id").values_list(
        "kind",
        "channel",
        "old_value",
        "new_value",
        "created_at",
        "actor_user_id",
        "actor_user__username",
        "actor_user__agent__display_name",
        "actor_customer_id",
        "actor_customer__name",
    )
    kind_labels = dict(TicketEvent.Kind.choices)
    channel_labels = dict(Channel.choices)
    out = []
    for kind, channel, old, new, at, user_id, username, agent_name, customer_id, customer_name in events:
        is_change = kind in CHANGE_KINDS
        if user_id:  # an agent by display name; a user without an agent profile by username
            actor = agent_name or username
        elif customer_id:
            actor = customer_name
        else:
            actor = "Helpwell"
        out.append(
            {
                "kind": kind,
                "actor": actor,
                "phrase": EVENT_PHRASES.get(kind, kind_labels.get(kind, kind).lower()),
                "old": (old or "none") if is_change else "",
                "new": (new or "none") if is_change else new,
                "is_change": is_change,
                "at": at,
                "channel": channel_labels.get(channel, channel) if channel != Channel.WEB else "",
            }
        )
    return history_items(out)


def _tag_names(ticket: Ticket) -> list[str]:
    return sorted(ticket.tags.values_list("name", flat=True))


def _queue_url(request: HttpRequest) -> str:
    query = request.session.get(QUEUE_SESSION_KEY, "")
    return reverse("tickets-queue") + (f"?{query}" if query else "")


def _detail_context(
    request: HttpRequest,
    ticket: Ticket,
    *,
    properties: PropertiesForm | None = None,
    reply: ReplyForm | None = None,
) -> dict[str, Any]:
    user = request.user
    customer = ticket.customer
    visible = tickets_for_agent(user)
    # Only what the list shows: a ticket row has some twenty columns, eight of them dates to convert.
    others = list(
        visible.filter(customer_id=customer.pk)
        .exclude(pk=ticket.pk)
        .only("pk", "reference", "subject", "status", "created_at")
        .order_by("-created_at")[:10]
    )
    organisation = customer.organisation
    org_counts = None
    if organisation is not None:
        org_tickets = visible.filter(customer__organisation_id=organisation.pk).exclude(pk=ticket.pk)
        org_counts = capped_counts(
            {
                "open": org_tickets.filter(is_open__in=[True]),
                "all": org_tickets,
                "customers": organisation.customers.all(),
            },
            COUNT_CAP,
        )
    now = timezone.now()
    thread = list(messages_for_agent(ticket))
    gl = ticket_panel(request, ticket)  # guideline findings, shielded messages, the lead's options
    return {
        "nav": "queue",
        "ticket": ticket,
        "due": due_info(ticket, now),
        "thread": thread,
        # Rendered in Python (.lists_html): each message was about a millisecond of template rendering.
        "thread_html": thread_articles(thread, ticket=ticket, readings=gl["readings"]),
        "events": _history(ticket),
        "customer": customer,
        "customer_now": now.astimezone(customer.zone),
        "customer_language": dict(LANGUAGE_CHOICES).get(customer.language, customer.language),
        "other_tickets": others,
        "other_tickets_html": other_ticket_items(others),
        "org_counts": org_counts,
        "count_cap": COUNT_CAP,
        "properties": properties or PropertiesForm(ticket=ticket, user=user, tag_names=_tag_names(ticket)),
        "reply": reply or ReplyForm(ticket=ticket),
        "queue_url": _queue_url(request),
        "is_mine": ticket.assignee_id == user.pk,
        "gl": gl,
    }


@require_safe
@agent_required
def ticket_detail(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = get_ticket_for_agent(request.user, reference)
    return render(request, "tickets/detail.html", _detail_context(request, ticket))


@require_POST
@agent_required
def update_properties(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = get_ticket_for_agent(request.user, reference, write=True)
    form = PropertiesForm(request.POST, ticket=ticket, user=request.user, tag_names=_tag_names(ticket))
    changed: list[str] = []
    if form.is_valid():
        changed = do_update_ticket(ticket, actor=request.user, **form.changes())
        if changed and not tickets_for_agent(request.user).filter(pk=ticket.pk).exists():
            # The agent moved it to a team they are not on: it has left their workspace.
            messages.success(request, f"{ticket.reference} moved to {ticket.team.name}.")
            return _redirect(request, reverse("tickets-queue"))
        if not _hx(request):
            if changed:
                messages.success(request, "Ticket updated.")
            return _redirect(request, reverse("tickets-detail", args=[ticket.reference]))
        ticket = get_ticket_for_agent(request.user, reference)
        form = PropertiesForm(ticket=ticket, user=request.user, tag_names=_tag_names(ticket))
    if not _hx(request):
        return render(
            request, "tickets/detail.html", _detail_context(request, ticket, properties=form), status=400
        )
    return _properties_response(request, ticket, form, changed)


def _properties_response(
    request: HttpRequest, ticket: Ticket, form: PropertiesForm, changed: list[str]
) -> HttpResponse:
    """The sidebar form again, plus the header and history swapped out-of-band so the page agrees."""
    context = {
        "ticket": ticket,
        "properties": form,
        "changed": changed,
        "due": due_info(ticket, timezone.now()),
        "is_mine": ticket.assignee_id == request.user.pk,
        "oob": True,
    }
    parts = [render_to_string("tickets/detail.html#properties", context, request)]
    if changed:
        context["events"] = _history(ticket)
        parts.append(render_to_string("tickets/detail.html#ticket-header", context, request))
        parts.append(render_to_string("tickets/detail.html#history", context, request))
        if "status" in changed:
            context["reply"] = ReplyForm(ticket=ticket)  # "Keep as <status>" follows the new status
            parts.append(render_to_string("tickets/detail.html#submit-as", context, request))
    # 200 even with errors: htmx swaps only successful responses, and the errors are in the form.
    return HttpResponse("".join(parts))


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    if _hx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


@require_POST
@agent_required
def claim_ticket(request: HttpRequest, reference: str) -> HttpResponse:
    """Assign to me."""
    ticket = get_ticket_for_agent(request.user, reference, write=True)
    do_assign_ticket(ticket, request.user, actor=request.user)
    if _hx(request):
        ticket = get_ticket_for_agent(request.user, reference)
        form = PropertiesForm(ticket=ticket, user=request.user, tag_names=_tag_names(ticket))
        return _properties_response(request, ticket, form, ["assignee"])
    messages.success(request, "Assigned to you.")
    return HttpResponseRedirect(reverse("tickets-detail", args=[ticket.reference]))


@require_POST
@agent_required
def reply_ticket(request: HttpRequest, reference: str) -> HttpResponse:
    ticket = get_ticket_for_agent(request.user, reference, write=True)
    form = ReplyForm(request.POST, request.FILES, ticket=ticket)
    if form.is_valid():
        try:
            message = do_reply(
                ticket,
                user=request.user,
                body=form.cleaned_data["body"],
                internal=form.internal,
                attachments=form.cleaned_data["attachments"],
                status=form.status,
            )
        except BlockedByGuidelines as error:
            do_record_blocked(
                ticket, request.user, error.findings
            )  # kept: the send was stopped, not the record
            form.add_error("body", error)
        except ValidationError as error:
            form.add_error("attachments", error)
        else:
            if form.internal:
                messages.success(request, "Internal note added.")
            else:
                messages.success(request, f"Reply sent to {ticket.customer.name}.")
            url = reverse("tickets-detail", args=[ticket.reference]) + f"#msg-{message.pk}"
            if form.status == Status.SOLVED:
                url = _queue_url(request)  # solved: on to the next ticket
            return HttpResponseRedirect(url)
    context = _detail_context(request, ticket, reply=form)
    return render(request, "tickets/detail.html", context, status=400)


@require_safe
@agent_required
def download_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        attachment = Attachment.objects.select_related("message__ticket").get(pk=pk)
    except Attachment.DoesNotExist:
        raise Http404("No such attachment.") from None
    get_ticket_for_agent(request.user, attachment.message.ticket.reference)  # 404 unless the agent may see it
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("The file is missing.") from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.filename)
    response["Content-Type"] = attachment.content_type or "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return cast(HttpResponse, response)  # a streaming response; the decorators only pass it on
