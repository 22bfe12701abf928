"""Every change to a ticket, from every channel (web, portal, API, mail), goes through here."""

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from helpwell.guidelines import actions as guidelines
from helpwell.lib.html import text_to_html
from helpwell.people.models import Customer, Team
from helpwell.search import index as search_index
from helpwell.sla import hooks as sla
from helpwell.system import deferred, memo
from helpwell.system.queue import enqueue_with_transaction

from . import notifications
from .models import (
    OPEN_STATUSES,
    Attachment,
    Category,
    Channel,
    Message,
    Priority,
    Status,
    Tag,
    Ticket,
    TicketEvent,
    new_reference,
)

# Uploads we accept; anything else is refused with a clear message.
ALLOWED_ATTACHMENT_TYPES = {
    "application/pdf", "application/zip", "application/json", "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-excel", "image/png", "image/jpeg", "image/gif", "image/webp",
    "text/plain", "text/csv", "message/rfc822",
}  # fmt: skip
MAX_ATTACHMENTS = 10


def validate_attachments(files: Sequence[UploadedFile]) -> None:
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError(f"Attach at most {MAX_ATTACHMENTS} files.")
    limit_mb = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
    for f in files:
        if f.size is not None and f.size > settings.ATTACHMENT_MAX_BYTES:
            raise ValidationError(f"“{f.name}” is larger than {limit_mb} MB.")
        content_type = (f.content_type or "").split(";")[0].strip().lower()
        if content_type not in ALLOWED_ATTACHMENT_TYPES:
            raise ValidationError(
                f"“{f.name}” is a kind of file we do not accept ({content_type or 'unknown'})."
            )


def _store_attachments(message: Message, files: Iterable[UploadedFile]) -> None:
    for f in files:
        digest = hashlib.sha256()
        for chunk in f.chunks():
            digest.update(chunk)
        f.seek(0)
        att = Attachment(
            message=message,
            filename=(f.name or "file")[-255:],
            content_type=(f.content_type or "application/octet-stream").split(";")[0],
            size=f.size or 0,
            sha256=digest.hexdigest(),
        )
        att.file.save(f.name or "file", f, save=False)
        att.save()


def _customer_message(ticket: Ticket, customer: Customer, body: str, body_html: str, channel: str,
                      files: Sequence[UploadedFile], *, created_at: Any = None) -> Message:  # fmt: skip
    """A customer's message with its files; `body_html` already sanitised by the channel, or made from body."""
    message = deferred.insert(Message(
        ticket=ticket,
        author_customer=customer,
        body_text=body,
        body_html=body_html or text_to_html(body),
        channel=channel,
        created_at=created_at or timezone.now(),
    ))  # fmt: skip
    _store_attachments(message, files)
    return message


def _event(ticket: Ticket, kind: str, *, user: Any = None, customer: Customer | None = None,
           channel: str = Channel.WEB, old: Any = "", new: Any = "") -> TicketEvent:  # fmt: skip
    return deferred.insert(TicketEvent(
        ticket=ticket,
        kind=kind,
        actor_user=user if getattr(user, "pk", None) else None,
        actor_customer=customer,
        channel=channel,
        old_value=str(old or "")[:200],
        new_value=str(new or "")[:200],
    ))  # fmt: skip


def _touch(ticket: Ticket, *fields: str) -> None:
    ticket.updated_at = timezone.now()
    ticket.save(update_fields=[*fields, "updated_at"])


def default_team() -> Team:
    return memo.read("tickets:default-team", _default_team)


def _default_team() -> Team:
    team = Team.objects.order_by("pk").first()
    if team is None:
        team = Team.objects.create(name="Support", slug="support")
    return team


def default_priority() -> Priority:
    return memo.read("tickets:default-priority", _default_priority)


def _default_priority() -> Priority:
    return Priority.objects.filter(key="normal").first() or Priority.objects.order_by("-rank").first()  # type: ignore[return-value]


REFERENCE_ATTEMPTS = 5


def _insert_with_fresh_reference(ticket: Ticket) -> None:
    """Insert under a random reference that is not taken yet.

    With 31^7 possible references a clash is rare but certain at a million tickets. Looking first
    is one indexed read; two requests drawing the same free reference in the same instant is left
    to the unique index, which then refuses the second insert. A bulk job (system.deferred) leaves the
    check to the index alone: its batch is written again one mail at a time if the index refuses one.
    """
    if deferred.active():
        deferred.insert(ticket)
        return
    for _ in range(REFERENCE_ATTEMPTS):
        if not Ticket.objects.filter(reference=ticket.reference).exists():
            break
        ticket.reference = new_reference()
    ticket.save(force_insert=True)


def do_create_ticket(
    *,
    customer: Customer,
    subject: str,
    body: str,
    channel: str = Channel.WEB,
    priority: Priority | None = None,
    category: Category | None = None,
    team: Team | None = None,
    attachments: Sequence[UploadedFile] = (),
    actor: Any = None,
    impact: str = "",
    urgency: str = "",
    notify: bool = True,
    reference: str = "",
    body_html: str = "",
    received_files: Sequence[UploadedFile] = (),
    new_customer: bool = False,
) -> Ticket:
    """`reference` is one the caller drew earlier and already gave out (a queued API submission);
    by default a fresh one is drawn here.

    `body_html`: the message's HTML, already sanitised by the channel (mail); made from body if empty.
    `received_files`: files that came with a mail, stored whatever their type (served only as
    downloads); the mail channel has already refused those over the size limit.
    `new_customer`: the customer was created in this same transaction (so cannot be on review yet).
    The ticket returned carries its first message as `opening_message`."""
    validate_attachments(attachments)  # before the transaction: a refusal leaves the caller's intact
    # No savepoint of its own: inside a caller's transaction a failure here rolls back that whole
    # transaction (or the caller's own savepoint, as the mail and API queues use), never half a ticket.
    with transaction.atomic(savepoint=False):
        priority = priority or default_priority()
        team = team or (category.team if category and category.team_id else None) or default_team()
        now = timezone.now()
        ticket = Ticket(
            subject=subject.strip()[:200],
            customer=customer,
            priority=priority,
            category=category,
            team=team,
            channel=channel,
            impact=impact,
            urgency=urgency,
            created_at=now,
            updated_at=now,
            first_response_due=now + priority.first_response_delta,
        )
        clocks = sla.plan_new_ticket(ticket, now)  # the due columns go in with the INSERT
        if reference:
            # Promised to a client already, so it is kept; the unique index still guards it.
            ticket.reference = reference
            deferred.insert(ticket)
        else:
            _insert_with_fresh_reference(ticket)
        message = _customer_message(ticket, customer, body, body_html, channel, [*attachments, *received_files],
                                    created_at=now)  # fmt: skip
        # Tone and abuse reading; shields the agent if abusive.
        guidelines.do_read_customer_message(message, new_customer=new_customer)
        _event(ticket, TicketEvent.Kind.CREATED, user=actor, customer=None if actor else customer,
               channel=channel, new=priority.name)  # fmt: skip
        sla.ticket_created(ticket, clocks)
        search_index.index_ticket(ticket.pk)
        if notify:
            acknowledge(ticket)
        ticket.opening_message = message
        return ticket


def acknowledge(ticket: Ticket) -> None:
    """Queue the acknowledgement mail (rendered by the worker). A bulk job (system.deferred) queues
    one task for the acknowledgements of its whole batch."""
    deferred.later("tickets:acknowledge", _enqueue_acknowledgements, ticket.pk)


def _enqueue_acknowledgements(ticket_ids: list[int]) -> None:
    from .tasks import send_acknowledgement, send_acknowledgements

    if len(ticket_ids) == 1:
        enqueue_with_transaction(send_acknowledgement, ticket_ids[0])
    else:
        enqueue_with_transaction(send_acknowledgements, ticket_ids)


@transaction.atomic
def do_reply(
    ticket: Ticket,
    *,
    user: Any,
    body: str,
    internal: bool = False,
    attachments: Sequence[UploadedFile] = (),
    status: str | None = None,
    channel: str = Channel.WEB,
    received_files: Sequence[UploadedFile] = (),
) -> Message:
    """An agent's public reply (emailed to the customer) or internal note.

    With no user and internal, a note from Helpwell itself (e.g. a mail delivery report)."""
    validate_attachments(attachments)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if not internal and user is not None:
        guidelines.enforce_blocking_rules(ticket, user, body)  # a rule a lead marked blocking stops the send
    now = timezone.now()
    message = deferred.insert(Message(
        ticket=ticket,
        kind=Message.Kind.INTERNAL if internal else Message.Kind.PUBLIC,
        author_user=user,
        body_text=body,
        body_html=text_to_html(body),
        channel=channel,
        created_at=now,
    ))  # fmt: skip
    _store_attachments(message, [*attachments, *received_files])
    fields = []
    if internal:
        _event(ticket, TicketEvent.Kind.NOTED, user=user, channel=channel)
    else:
        _event(ticket, TicketEvent.Kind.REPLIED, user=user, channel=channel)
        if ticket.first_response_at is None:
            ticket.first_response_at = now
            fields.append("first_response_at")
        if ticket.assignee_id is None:
            ticket.assignee = user
            fields.append("assignee")
            _event(ticket, TicketEvent.Kind.ASSIGNED, user=user, channel=channel, new=_agent_name(user))
        if status is None and ticket.status == Status.NEW:
            status = Status.OPEN
    _touch(ticket, *fields)
    if not internal:
        sla.agent_replied(ticket, now)
    if status and status != ticket.status:
        do_change_status(ticket, status, user=user, channel=channel, notify=False)
    if not internal:
        notifications.agent_replied(ticket, message)
    search_index.index_ticket(ticket.pk)
    return message


@transaction.atomic
def do_customer_reply(
    ticket: Ticket,
    *,
    customer: Customer,
    body: str,
    attachments: Sequence[UploadedFile] = (),
    channel: str = Channel.WEB,
    body_html: str = "",
    received_files: Sequence[UploadedFile] = (),
) -> Message:
    """A reply from the customer reopens a pending or solved request (`body_html`, `received_files`:
    as for do_create_ticket)."""
    validate_attachments(attachments)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status == Status.CLOSED:
        raise ValidationError("This request is closed; please open a new one.")
    message = _customer_message(ticket, customer, body, body_html, channel, [*attachments, *received_files])
    _event(ticket, TicketEvent.Kind.CUSTOMER_REPLIED, customer=customer, channel=channel)
    guidelines.do_read_customer_message(message)  # tone and abuse reading; shields the agent if abusive
    _touch(ticket)
    if ticket.status in (Status.PENDING, Status.SOLVED, Status.ON_HOLD, Status.NEW):
        target = Status.NEW if ticket.status == Status.NEW else Status.OPEN
        if target != ticket.status:
            do_change_status(ticket, target, customer=customer, channel=channel, notify=False)
    sla.customer_replied(ticket, message.created_at)
    notifications.customer_replied(ticket, message)
    search_index.index_ticket(ticket.pk)
    return message


def _agent_name(user: Any) -> str:
    if user is None:
        return "nobody"
    agent = getattr(user, "agent", None)
    return agent.display_name if agent else user.get_username()


@transaction.atomic
def do_assign_ticket(ticket: Ticket, assignee: Any, *, actor: Any, channel: str = Channel.WEB) -> None:
    if ticket.assignee_id == (assignee.pk if assignee else None):
        return
    old = _agent_name(ticket.assignee) if ticket.assignee_id else ""
    ticket.assignee = assignee
    _touch(ticket, "assignee")
    _event(ticket, TicketEvent.Kind.ASSIGNED, user=actor, channel=channel, old=old,
           new=_agent_name(assignee) if assignee else "")  # fmt: skip
    if assignee is not None and assignee != actor:
        notifications.assigned(ticket, assignee, actor)


@transaction.atomic
def do_change_status(
    ticket: Ticket,
    status: str,
    *,
    user: Any = None,
    customer: Customer | None = None,
    channel: str = Channel.WEB,
    notify: bool = True,
) -> None:
    if status not in Status.values:
        raise ValidationError(f"Unknown status {status!r}.")
    if status == ticket.status:
        return
    old = ticket.status
    now = timezone.now()
    ticket.status = status
    fields = ["status"]
    if status == Status.SOLVED:
        ticket.solved_at = now
        fields.append("solved_at")
    elif status == Status.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
        if ticket.solved_at is None:
            ticket.solved_at = now
            fields.append("solved_at")
    elif status in OPEN_STATUSES and old in (Status.SOLVED, Status.CLOSED):
        ticket.solved_at = None
        ticket.closed_at = None
        fields += ["solved_at", "closed_at"]
    _touch(ticket, *fields)
    sla.status_changed(ticket, old, status, now)
    _event(ticket, TicketEvent.Kind.STATUS, user=user, customer=customer, channel=channel,
           old=Status(old).label, new=Status(status).label)  # fmt: skip
    if notify and status == Status.SOLVED:
        notifications.solved(ticket, by_customer=customer is not None)


@transaction.atomic
def do_change_priority(ticket: Ticket, priority: Priority, *, actor: Any, channel: str = Channel.WEB) -> None:
    if ticket.priority_id == priority.pk:
        return
    old = ticket.priority.name
    ticket.priority = priority
    _touch(ticket, "priority")
    # New targets from the policy that now matches; time already counted stays counted.
    sla.retargeted(ticket, ticket.updated_at)
    _event(ticket, TicketEvent.Kind.PRIORITY, user=actor, channel=channel, old=old, new=priority.name)


@transaction.atomic
def do_change_category(
    ticket: Ticket, category: Category | None, *, actor: Any, channel: str = Channel.WEB
) -> None:
    if ticket.category_id == (category.pk if category else None):
        return
    old = ticket.category.name if ticket.category else ""
    ticket.category = category
    _touch(ticket, "category")
    sla.retargeted(ticket, ticket.updated_at)
    _event(ticket, TicketEvent.Kind.CATEGORY, user=actor, channel=channel, old=old,
           new=category.name if category else "")  # fmt: skip


@transaction.atomic
def do_change_team(ticket: Ticket, team: Team, *, actor: Any, channel: str = Channel.WEB) -> None:
    if ticket.team_id == team.pk:
        return
    old = ticket.team.name
    ticket.team = team
    _touch(ticket, "team")
    sla.retargeted(ticket, ticket.updated_at)
    _event(ticket, TicketEvent.Kind.TEAM, user=actor, channel=channel, old=old, new=team.name)


def normalise_tags(names: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for name in names:
        clean = "-".join(name.strip().lower().split())[:50]
        if clean:
            seen[clean] = None
    return list(seen)


@transaction.atomic
def do_set_tags(ticket: Ticket, names: Iterable[str], *, actor: Any, channel: str = Channel.WEB) -> bool:
    """Replace the ticket's tags; returns whether anything changed."""
    wanted = normalise_tags(names)
    current = sorted(ticket.tags.values_list("name", flat=True))
    if sorted(wanted) == current:
        return False
    tags = [Tag.objects.get_or_create(name=n)[0] for n in wanted]
    ticket.tags.set(tags)
    _touch(ticket)
    _event(ticket, TicketEvent.Kind.TAGS, user=actor, channel=channel, old=", ".join(current),
           new=", ".join(sorted(wanted)))  # fmt: skip
    sla.tags_changed(ticket)
    return True


@transaction.atomic
def do_bulk_update(
    tickets: Iterable[Ticket],
    *,
    actor: Any,
    status: str | None = None,
    assignee: Any = None,
    unassign: bool = False,
    priority: Priority | None = None,
    add_tag: str | None = None,
) -> int:
    """Apply one change to many tickets; each gets its own history entry."""
    count = 0
    for ticket in tickets:
        if status:
            do_change_status(ticket, status, user=actor)
        if assignee is not None:
            do_assign_ticket(ticket, assignee, actor=actor)
        elif unassign:
            do_assign_ticket(ticket, None, actor=actor)
        if priority is not None:
            do_change_priority(ticket, priority, actor=actor)
        if add_tag:
            names = list(ticket.tags.values_list("name", flat=True)) + [add_tag]
            do_set_tags(ticket, names, actor=actor)
        count += 1
    return count


@transaction.atomic
def do_update_priority(
    priority: Priority, *, actor: Any, name: str, definition: str, first_response_minutes: int
) -> dict[str, list[Any]]:
    """A lead rewords a priority or changes its first-response target; audited.

    Tickets already acknowledged keep the due time they were promised: the customer has it in writing.
    The new target applies to tickets created (or re-prioritised) from now on.
    """
    from helpwell.system.audit import audit

    if first_response_minutes < 1:
        raise ValidationError("The first-response target must be at least one minute.")
    if not name.strip() or not definition.strip():
        raise ValidationError("A priority needs a name and a plain-language definition.")
    changes: dict[str, list[Any]] = {}
    for field, new in (
        ("name", name.strip()),
        ("definition", definition.strip()),
        ("first_response_minutes", first_response_minutes),
    ):
        old = getattr(priority, field)
        if old != new:
            setattr(priority, field, new)
            changes[field] = [old, new]
    if changes:
        priority.save(update_fields=list(changes))
        audit(actor, "tickets.priority_updated", priority, changes)
    return changes


# Marks a property the agent did not touch, so "no category" (None) and "unchanged" stay distinct.
UNCHANGED: Any = object()


@transaction.atomic
def do_update_ticket(
    ticket: Ticket,
    *,
    actor: Any,
    channel: str = Channel.WEB,
    team: Any = UNCHANGED,
    assignee: Any = UNCHANGED,
    priority: Any = UNCHANGED,
    category: Any = UNCHANGED,
    tags: Any = UNCHANGED,
    status: Any = UNCHANGED,
) -> list[str]:
    """Apply the properties an agent changed on the ticket page, each through its own action.

    Every change gets its own history entry. Status goes last, so that "solved" (which asks the
    customer for a rating) sees the ticket as it ends up. Returns the names of what changed.
    """
    changed = []
    if team is not UNCHANGED and team.pk != ticket.team_id:
        do_change_team(ticket, team, actor=actor, channel=channel)
        changed.append("team")
    if assignee is not UNCHANGED and (assignee.pk if assignee else None) != ticket.assignee_id:
        do_assign_ticket(ticket, assignee, actor=actor, channel=channel)
        changed.append("assignee")
    if priority is not UNCHANGED and priority.pk != ticket.priority_id:
        do_change_priority(ticket, priority, actor=actor, channel=channel)
        changed.append("priority")
    if category is not UNCHANGED and (category.pk if category else None) != ticket.category_id:
        do_change_category(ticket, category, actor=actor, channel=channel)
        changed.append("category")
    if tags is not UNCHANGED and do_set_tags(ticket, tags, actor=actor, channel=channel):
        changed.append("tags")
    if status is not UNCHANGED and status != ticket.status:
        do_change_status(ticket, status, user=actor, channel=channel)
        changed.append("status")
    return changed
