"""What only the API changes: agents' API tokens, and the API's compound ticket writes.

Ticket changes themselves are tickets.actions', called here with channel="api".
"""

import contextlib
import dataclasses
import functools
import logging
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Field, Q
from django.utils import timezone

from helpwell.lib.group_commit import GroupCommit
from helpwell.lib.sqlite_writers import write_turn
from helpwell.people.actions import do_find_or_create_customer, look_up_customers_for_batch
from helpwell.people.models import Agent, Customer, Team
from helpwell.system import deferred, memo
from helpwell.system.audit import audit
from helpwell.tickets.actions import do_create_ticket, do_set_tags
from helpwell.tickets.models import Category, Channel, Priority, Ticket, new_reference

from . import lookups
from .auth import forget_token, hash_token, new_token
from .errors import ApiError
from .models import TicketSubmission
from .schemas import TicketIn

log = logging.getLogger(__name__)


@transaction.atomic
def do_issue_api_token(agent: Agent, *, actor: Any = None) -> str:
    """Give the agent a new API token, replacing any old one; returns it (the only time it is seen)."""
    token = new_token()
    forget_token(agent.api_token_hash)
    agent.api_token_hash = hash_token(token)
    agent.save(update_fields=["api_token_hash"])
    audit(actor, "agent.api_token_issued", agent)
    return token


@transaction.atomic
def do_revoke_api_token(agent: Agent, *, actor: Any = None) -> None:
    if not agent.api_token_hash:
        return
    forget_token(agent.api_token_hash)
    agent.api_token_hash = ""
    agent.save(update_fields=["api_token_hash"])
    audit(actor, "agent.api_token_revoked", agent)


# savepoint=False: this is all or nothing, so nested savepoints would only cost round trips.
@transaction.atomic(savepoint=False)
def do_open_ticket(
    *,
    subject: str,
    body: str,
    customer: Customer | None = None,
    customer_email: str = "",
    customer_name: str = "",
    actor: Any = None,
    priority: Priority | None = None,
    category: Category | None = None,
    team: Team | None = None,
    tags: Iterable[str] = (),
    reference: str = "",
) -> Ticket:
    """A ticket opened through the API, acknowledged to the customer by mail like any other.

    Agents name the customer by address (found, or created); customers pass themselves.
    """
    if customer is None:
        customer, _ = do_find_or_create_customer(
            email=customer_email, name=customer_name, actor=actor, via="api"
        )
    ticket = do_create_ticket(
        customer=customer,
        subject=subject,
        body=body,
        channel=Channel.API,
        priority=priority,
        category=category,
        team=team,
        actor=actor,
        reference=reference,
    )
    tags = list(tags)
    if tags:
        do_set_tags(ticket, tags, actor=actor, channel=Channel.API)
    return ticket


# A ticket accepted for opening in the background: one row now, the ticket from the worker.
REFERENCE_ATTEMPTS = 5
# A claim older than this belongs to a worker that died, or failed: the row is taken again.
STALE_CLAIM = timedelta(minutes=5)
# After this many tries that ended in an unexpected error, the submission is marked failed.
MAX_ATTEMPTS = 5


def do_accept_ticket_submission(
    *, agent: Agent, payload: TicketIn, received_at: datetime | None = None
) -> str:
    """Store a ticket for the worker to open and return its reference, which is final. `received_at`
    (now if not given) lets the caller answer with the very time that is stored.

    Not audited as a change by a person: the ticket the worker opens records who asked for it
    (its created event names the agent), exactly as a ticket opened at once does.
    """
    submission = _Submission(
        agent_id=agent.pk,
        payload=payload.model_dump_json(),  # pydantic's own encoder: a third of json.dumps's time
        received_at=connection.ops.adapt_datetimefield_value(received_at or timezone.now()),
    )
    if connection.in_atomic_block:  # the row must commit with the caller's transaction: alone, here
        return _store_submissions([submission])[0]
    return _store_with_others(submission)


@dataclasses.dataclass(frozen=True, slots=True)
class _Submission:
    agent_id: int
    payload: str  # the request as JSON
    received_at: Any  # as the database takes it


def _store_submissions(submissions: list[_Submission]) -> list[str]:
    """Store the submissions in one statement (and, outside a transaction, one commit); returns
    their references, in order. A reference that a ticket or another submission already has is
    drawn again, for that row alone."""
    references = _draw_references(len(submissions), taken=set())
    waiting = list(range(len(submissions)))
    for _ in range(REFERENCE_ATTEMPTS):
        params: list[Any] = []
        for i in waiting:
            sub = submissions[i]
            params += [
                references[i],
                sub.agent_id,
                sub.payload,
                TicketSubmission.State.QUEUED,
                sub.received_at,
            ]
        with _write_turn(), connection.cursor() as cursor:
            cursor.execute(_accept_sql(connection.vendor, len(waiting)), params)
            stored = {row[0] for row in cursor.fetchall()}
        waiting = [i for i in waiting if references[i] not in stored]
        if not waiting:
            return references
        fresh = _draw_references(len(waiting), taken=set(references))
        for i, reference in zip(waiting, fresh, strict=True):
            references[i] = reference
    raise RuntimeError("Could not draw a free ticket reference")  # 5 clashes in 31^7: not in practice


def _write_turn() -> contextlib.AbstractContextManager[None]:
    """On an SQLite file, outside a transaction: wait for the write turn, so the web processes'
    intake writes queue in the kernel instead of sleeping in SQLite's busy handler. Not inside a
    transaction, which may already hold SQLite's lock that the turn's holder waits for."""
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        return write_turn(connection.settings_dict["NAME"])
    return contextlib.nullcontext()


def _draw_references(count: int, *, taken: set[str]) -> list[str]:
    """`count` new references, none in `taken` and no two alike (one statement stores them all, and
    a row that repeats another's reference would be skipped as taken)."""
    drawn: list[str] = []
    while len(drawn) < count:
        reference = new_reference()
        if reference not in taken:
            taken.add(reference)
            drawn.append(reference)
    return drawn


# Concurrent submissions in this process share one INSERT and one commit (see GroupCommit): under a
# burst most of a submission's cost is the round trip and the commit, not its row.
_store_with_others: GroupCommit[_Submission, str] = GroupCommit(_store_submissions, max_batch=64)


@functools.cache
def _accept_sql(vendor: str, rows: int) -> str:
    """One statement that stores `rows` submissions, each under a reference no ticket has yet.

    Written once per batch size by hand because this is the API's hottest write: an INSERT … SELECT
    that checks the references against the tickets and stores the rows, one round trip on
    PostgreSQL and no ORM compilation, so a burst of submissions costs little more than plain
    requests. RETURNING names the rows stored; a reference already taken is skipped, not an error.
    """
    q = connection.ops.quote_name
    meta = TicketSubmission._meta
    fields = [
        cast(Field, meta.get_field(name))
        for name in ("reference", "agent", "payload", "state", "received_at")
    ]
    if vendor == "postgresql":  # parameters inside VALUES have no column to take their type from
        row = "(" + ", ".join(f"CAST(%s AS {field.db_type(connection)})" for field in fields) + ")"
    else:
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    columns = ", ".join(q(cast(str, field.column)) for field in fields)
    reference = q("reference")
    return (
        f"WITH {q('given')} ({columns}) AS (VALUES {', '.join([row] * rows)}) "
        f"INSERT INTO {q(meta.db_table)} ({columns}, {q('attempts')}, {q('error')}, {q('claimed_by')}) "
        f"SELECT {columns}, 0, '', '' FROM {q('given')} WHERE NOT EXISTS ("
        f"SELECT 1 FROM {q(Ticket._meta.db_table)} WHERE {q(Ticket._meta.db_table)}.{reference}"
        f" = {q('given')}.{reference}) "
        f"ON CONFLICT ({reference}) DO NOTHING RETURNING {reference}"
    )


def _claim_batch(size: int, now: Any) -> list[TicketSubmission]:
    """Take up to `size` waiting submissions, oldest first, for this worker alone.

    One conditional UPDATE marks them with a token of this pass; only rows still waiting (and not
    held by a live worker) are taken, so two workers never get the same one.
    """
    token = secrets.token_hex(8)
    waiting = (
        TicketSubmission.objects.filter(state=TicketSubmission.State.QUEUED)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM))
        .order_by("received_at")
        .values_list("pk", flat=True)[:size]
    )
    TicketSubmission.objects.filter(pk__in=list(waiting), state=TicketSubmission.State.QUEUED).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM)
    ).update(claimed_at=now, claimed_by=token, attempts=F("attempts") + 1)
    return list(
        TicketSubmission.objects.filter(claimed_by=token, state=TicketSubmission.State.QUEUED)
        .select_related("agent__user")
        .order_by("received_at")
    )


def _problem(exc: Exception) -> str:
    if isinstance(exc, ApiError):
        return exc.message
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return "the reference was taken by another ticket"


def _open_claimed(submission: TicketSubmission, now: Any) -> None:
    """Open one claimed submission; a request that cannot be opened is marked failed with the reason.

    Runs inside the batch's transaction, in a savepoint of its own: opening the ticket and marking
    the submission opened commit together, so a worker that dies in between opens nothing twice.
    """
    data = submission.payload
    try:
        with deferred.item():  # atomic(); in a batch, its savepoint only once a statement needs one
            problems = lookups.Problems()
            category = lookups.category(data["category"], problems) if data.get("category") else None
            priority = lookups.priority(data["priority"], problems) if data.get("priority") else None
            team = lookups.team(data["team"], problems) if data.get("team") else None
            problems.raise_if_any()
            ticket = do_open_ticket(
                customer_email=data["customer_email"],
                customer_name=data.get("customer_name") or "",
                subject=data["subject"],
                body=data["body"],
                actor=submission.agent.user,
                priority=priority,
                category=category,
                team=team,
                tags=data.get("tags") or [],
                reference=submission.reference,
            )
            submission.state, submission.ticket, submission.finished_at, submission.error = (
                TicketSubmission.State.OPENED, ticket, now, "",
            )  # fmt: skip
            deferred.later("api:opened", _mark_opened, submission)
    except (ApiError, ValidationError, IntegrityError) as exc:
        # The request itself is wrong (a category deleted since, say): no retry will help.
        TicketSubmission.objects.filter(pk=submission.pk).update(
            state=TicketSubmission.State.FAILED, error=_problem(exc)[:2000], finished_at=now
        )


def _mark_opened(submissions: list[TicketSubmission]) -> None:
    TicketSubmission.objects.bulk_update(submissions, ["state", "ticket", "finished_at", "error"])


# Submissions opened in one transaction: one commit (one disk flush on PostgreSQL) for the lot,
# while a batch stays short enough (tens of milliseconds) not to hold up the web server's writes.
# Its customers are looked up at once and its new rows written a table at a time (system.deferred).
BATCH = 25


def open_submitted_tickets(limit: int = 200) -> int:
    """Open the tickets waiting in the submission queue, oldest first; returns how many were handled."""
    handled = 0
    while handled < limit:
        now = timezone.now()
        batch = _claim_batch(min(BATCH, limit - handled), now)
        if not batch:
            break
        try:
            with transaction.atomic(), memo.per_batch(), deferred.deferring(rows_per_table=2 * len(batch)):
                look_up_customers_for_batch(s.payload.get("customer_email") or "" for s in batch)
                for submission in batch:
                    _open_claimed(submission, now)
        except Exception:
            # Something unexpected (a database error, a bug on one odd request): open them one by
            # one so that one bad submission cannot hold back the others.
            log.exception("opening %d submitted tickets together failed; trying one by one", len(batch))
            for submission in batch:
                _open_alone(submission, now)
        handled += len(batch)
    return handled


def _open_alone(submission: TicketSubmission, now: Any) -> None:
    try:
        with transaction.atomic():
            _open_claimed(submission, now)
    except Exception as exc:
        log.exception("opening submitted ticket %s failed", submission.reference)
        still_waiting = TicketSubmission.objects.filter(pk=submission.pk, state=TicketSubmission.State.QUEUED)
        if submission.attempts >= MAX_ATTEMPTS:
            still_waiting.update(
                state=TicketSubmission.State.FAILED, error=f"gave up: {exc}"[:2000], finished_at=now
            )
        # Otherwise the claim stays: the submission is tried again once it goes stale, so a fault
        # that lasts (the database down) is retried every few minutes rather than in a tight loop.
