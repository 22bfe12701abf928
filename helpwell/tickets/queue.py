"""The agent queue: request parameters in, one page of tickets out.

Two rules keep the queue as fast at a million tickets as at a hundred:

* Keyset ("cursor") pagination. A page is "the 25 rows after this row's sort key", found with an
  index range condition, never with OFFSET, and nobody counts the table. The cursor is the edge
  row's key (plus the sort it belongs to and the direction), base64-encoded JSON: opaque in the URL.
* Every default view is one index range. Open tickets by last activity read
  (is_open, -updated_at, -id); "Mine" reads (assignee, is_open, ...); a team reads
  (team, is_open, ...); a status filter reads (status, -updated_at, -id). When a view spans
  several values of the leading column (an agent on two teams, or "any status"), we ask each
  value's index range for its first rows and merge them (see `fetch_page`), instead of letting the
  database sort every matching row.

Nothing here reads the request or renders anything: `QueueParams.from_query` parses, `queue_queryset`
filters, `fetch_page` pages; the view glues them together.
"""

import base64
import binascii
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import reduce
from operator import or_
from typing import Any
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects

from .access import agent_of, team_ids_of, tickets_for_agent
from .models import REFERENCE_ALPHABET, REFERENCE_LENGTH, Priority, Status, Tag, Ticket

PAGE_SIZE = 25

TABS = [("mine", "Mine"), ("unassigned", "Unassigned"), ("teams", "My teams"), ("all", "All")]
DEFAULT_TAB = "mine"

ANY_STATUS = "any"
STATUS_CHOICES = [("", "Open (not solved)"), *Status.choices, (ANY_STATUS, "Any status")]


@dataclass(frozen=True)
class Key:
    """One column of a sort order: the field path, its direction, and how a cursor value is read back."""

    field: str
    descending: bool
    kind: type = int

    def order_by(self, forward: bool = True) -> str:
        return f"-{self.field}" if self.descending == forward else self.field

    def parse(self, value: Any) -> Any:
        if self.kind is datetime:
            return datetime.fromisoformat(str(value))
        return int(value)

    def read(self, ticket: Ticket) -> Any:
        value: Any = ticket
        for part in self.field.split("__"):
            value = getattr(value, part)
        return value


@dataclass(frozen=True)
class Sort:
    label: str
    keys: tuple[Key, ...]
    # What the sort means for which rows it lists: "first-response due" lists tickets still awaiting one.
    where: Q = field(default_factory=Q)


UPDATED = Key("updated_at", True, datetime)
ID_DESC = Key("id", True)
SORTS: dict[str, Sort] = {
    "activity": Sort("Last activity", (UPDATED, ID_DESC)),
    "newest": Sort("Newest first", (Key("created_at", True, datetime), ID_DESC)),
    "priority": Sort("Priority, then activity", (Key("priority__rank", False), UPDATED, ID_DESC)),
    "due": Sort(
        "First response due",
        (Key("first_response_due", False, datetime), Key("id", False)),
        Q(first_response_at__isnull=True, first_response_due__isnull=False),
    ),
    # The earliest running SLA clock (first response, next response or resolution); paused and solved
    # tickets have none. Reads (next_due, id), or (team|assignee, next_due, id) in a team or "Mine".
    "deadline": Sort(
        "Next deadline",
        (Key("next_due", False, datetime), Key("id", False)),
        Q(next_due__isnull=False),
    ),
}
DEFAULT_SORT = "activity"

_REFERENCE_RE = re.compile(rf"^HW-[{REFERENCE_ALPHABET}]{{{REFERENCE_LENGTH}}}$")


def reference_in(q: str) -> str | None:
    """'hw-7k3p9qa ' -> 'HW-7K3P9QA' when the search box holds exactly a ticket reference."""
    candidate = q.strip().upper()
    if candidate.startswith("HW") and not candidate.startswith("HW-"):
        candidate = "HW-" + candidate[2:]
    return candidate if _REFERENCE_RE.match(candidate) else None


def _clean_int(value: Any) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


@dataclass(frozen=True)
class QueueParams:
    """What the agent asked the queue for. Unknown or malformed values fall back to the defaults."""

    tab: str = DEFAULT_TAB
    status: str = ""
    priority: str = ""
    category: str = ""
    tag: str = ""
    team: int | None = None
    q: str = ""
    sort: str = DEFAULT_SORT
    cursor: str = ""

    @classmethod
    def from_query(cls, data: Mapping[str, Any]) -> "QueueParams":
        get = lambda name: str(data.get(name) or "").strip()  # noqa: E731
        q = get("q")[:200]
        tab = get("tab")
        if tab not in dict(TABS):
            # A search from the top bar looks everywhere the agent may look; otherwise start with "Mine".
            tab = "all" if q else DEFAULT_TAB
        status = get("status")
        if "status" not in data and q:
            status = ANY_STATUS
        if status not in dict(STATUS_CHOICES):
            status = ""
        sort = get("sort")
        return cls(
            tab=tab,
            status=status,
            priority=get("priority")[:50],
            category=get("category")[:50],
            tag=get("tag")[:50].lower(),
            team=_clean_int(data.get("team")),
            q=q,
            sort=sort if sort in SORTS else DEFAULT_SORT,
            cursor=get("cursor")[:500],
        )

    @property
    def sort_spec(self) -> Sort:
        return SORTS[self.sort]

    @property
    def is_filtered(self) -> bool:
        return bool(self.status or self.priority or self.category or self.tag or self.team or self.q)

    def query_string(self, **changes: Any) -> str:
        """This view's URL query with `changes`; it starts at the first page unless a cursor is given."""
        changes.setdefault("cursor", "")
        params = replace(self, **changes)
        pairs = [
            ("tab", params.tab),
            ("status", params.status),
            ("priority", params.priority),
            ("category", params.category),
            ("tag", params.tag),
            ("team", params.team or ""),
            ("q", params.q),
            ("sort", params.sort if params.sort != DEFAULT_SORT else ""),
            ("cursor", params.cursor),
        ]
        # An empty status means "open"; next to a search (which defaults to any status) it is spelled out.
        keep = [(k, v) for k, v in pairs if v != "" or (k == "status" and params.q)]
        return urlencode(keep)


# --- the queryset -----------------------------------------------------------------------------------------


def queue_queryset(user: Any, params: QueueParams) -> QuerySet[Ticket]:
    """The tickets of this view that `user` may see, with what a queue row shows, in sort order.

    Tags are not prefetched here: `fetch_page` fetches them for the page's rows only, in one query.
    """
    agent = agent_of(user)
    qs = tickets_for_agent(user)
    if params.tab == "mine":
        qs = qs.filter(assignee_id=user.pk)
    elif params.tab == "unassigned":
        qs = qs.filter(assignee__isnull=True)
    elif params.tab == "teams":
        qs = qs.filter(team_id__in=team_ids_of(agent))

    if params.status == "":
        # `is_open IN (true)` rather than `is_open = true`: Django writes the latter as a bare
        # `WHERE is_open`, which SQLite cannot match to the (…, is_open, updated_at) indexes.
        qs = qs.filter(is_open__in=[True])
    elif params.status != ANY_STATUS:
        qs = qs.filter(status=params.status)
    if params.priority:
        qs = qs.filter(priority__key=params.priority)
    if params.category:
        qs = qs.filter(category__slug=params.category)
    if params.tag:
        # EXISTS, not a join: the database keeps reading the (…, updated_at) index in order and checks
        # each ticket's tags, instead of sorting every ticket that ever had the tag.
        tag_id = Tag.objects.filter(name=params.tag).values_list("pk", flat=True).first()
        if tag_id is None:
            return Ticket.objects.none()
        qs = qs.filter(Exists(Ticket.tags.through.objects.filter(ticket_id=OuterRef("pk"), tag_id=tag_id)))
    if params.team:
        qs = qs.filter(team_id=params.team)
    if params.q and not reference_in(params.q):
        qs = qs.filter(subject__icontains=params.q)

    sort = params.sort_spec
    return (
        qs.filter(sort.where)
        .select_related("priority", "customer__organisation", "assignee__agent", "team")
        .order_by(*(key.order_by() for key in sort.keys))
    )


# --- cursors ------------------------------------------------------------------------------------------------


def encode_cursor(sort: str, forward: bool, values: Sequence[Any]) -> str:
    raw = [sort, "n" if forward else "p", *(v.isoformat() if isinstance(v, datetime) else v for v in values)]
    return base64.urlsafe_b64encode(json.dumps(raw, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[bool, list[Any]] | None:
    """(forward, key values), or None for a cursor that is malformed or belongs to another sort."""
    if not cursor:
        return None
    keys = SORTS[sort].keys
    try:
        data = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        if not isinstance(data, list) or len(data) != len(keys) + 2 or data[0] != sort or data[1] not in "np":
            return None
        return data[1] == "n", [key.parse(value) for key, value in zip(keys, data[2:], strict=True)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None


def beyond(keys: Sequence[Key], values: Sequence[Any], *, forward: bool) -> Q:
    """Rows strictly after (forward) or before the row whose sort key is `values`."""
    terms = []
    equal: dict[str, Any] = {}
    for key, value in zip(keys, values, strict=True):
        lookup = "lt" if key.descending == forward else "gt"
        terms.append(Q(**equal, **{f"{key.field}__{lookup}": value}))
        equal[key.field] = value
    # The OR is exact; this redundant bound on the first column lets PostgreSQL and SQLite start
    # the index scan at the cursor instead of reading from the top and filtering.
    first = keys[0]
    bound = Q(**{f"{first.field}__{'lte' if first.descending == forward else 'gte'}": values[0]})
    return bound & reduce(or_, terms)


# --- one page ---------------------------------------------------------------------------------------------


@dataclass
class QueuePage:
    tickets: list[Ticket]
    next_cursor: str = ""
    prev_cursor: str = ""

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)

    @property
    def has_prev(self) -> bool:
        return bool(self.prev_cursor)


@dataclass(frozen=True)
class Branch:
    """One index range of a view: equality filters, and the values it fixes for the leading sort keys."""

    filters: dict[str, Any] = field(default_factory=dict)
    fixed: tuple[Any, ...] = ()


def branches(user: Any, params: QueueParams) -> list[Branch]:
    """Split a view that spans several values of an index's leading column into one range per value.

    `team IN (1, 2) ORDER BY updated_at DESC` cannot be read in order from (team, is_open, updated_at),
    so the database would sort every match; `team = 1 … LIMIT 26` and `team = 2 … LIMIT 26` can each
    be read straight from the index, and merging 52 rows is nothing. Likewise "any status" in a
    (…, is_open, updated_at) index is two ranges, and "priority, then activity" is one range per priority.
    """
    if params.sort not in ("activity", "priority", "deadline"):
        return [Branch()]
    parts: list[list[Branch]] = []
    leading_equality = params.tab in ("mine", "unassigned", "teams") or params.team
    if params.tab == "teams" and not params.team:
        teams = team_ids_of(agent_of(user))
        if len(teams) > 1:
            parts.append([Branch({"team_id": t}) for t in teams])
    if params.status == ANY_STATUS and leading_equality:
        parts.append([Branch({"is_open__in": [True]}), Branch({"is_open__in": [False]})])
    if params.sort == "priority":
        priorities = Priority.objects.order_by("rank").values_list("pk", "rank")
        if params.priority:
            priorities = priorities.filter(key=params.priority)
        parts.append([Branch({"priority_id": pk}, (rank,)) for pk, rank in priorities])
    combined = [Branch()]
    for options in parts:
        combined = [Branch({**a.filters, **b.filters}, a.fixed + b.fixed) for a in combined for b in options]
    return combined


def fetch_page(qs: QuerySet[Ticket], params: QueueParams, user: Any = None) -> QueuePage:
    """One page of `qs` at the cursor in `params`, with the cursors of the pages either side.

    Pass the agent as `user` to read multi-range views range by range (see `branches`).
    """
    keys = params.sort_spec.keys
    decoded = decode_cursor(params.cursor, params.sort)
    forward, values = decoded if decoded else (True, None)
    parts = branches(user, params) if user is not None else [Branch()]

    rows = _read(qs, parts, keys, values, forward)
    if not forward and len(rows) <= PAGE_SIZE:
        # Back at the start: show a full first page rather than the few rows left before the cursor.
        forward, values = True, None
        rows = _read(qs, parts, keys, None, True)

    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    if not forward:
        rows.reverse()
    prefetch_related_objects(rows, Prefetch("tags", queryset=Tag.objects.order_by("name")))
    page = QueuePage(tickets=rows)
    if rows:
        if more or not forward:
            page.next_cursor = encode_cursor(params.sort, True, [k.read(rows[-1]) for k in keys])
        if (forward and values is not None) or (not forward and more):
            page.prev_cursor = encode_cursor(params.sort, False, [k.read(rows[0]) for k in keys])
    return page


def _read(
    qs: QuerySet[Ticket], parts: list[Branch], keys: Sequence[Key], values: Any, forward: bool
) -> list[Ticket]:
    """The first PAGE_SIZE + 1 rows beyond the cursor, in sort order, merged across the ranges."""
    limit = PAGE_SIZE + 1
    found: dict[int, Ticket] = {}
    previous: tuple[Any, ...] | None = None
    for part in sorted(parts, key=lambda p: _key_order(keys, p.fixed, forward)):
        if len(found) >= limit and part.fixed != previous:
            break  # every row of this range and the ones after it sorts after the rows we already have
        previous = part.fixed
        where = _beyond_in(part, keys, values, forward)
        if where is None:
            continue
        order = [k.order_by(forward) for k in keys[len(part.fixed) :]]
        for ticket in qs.filter(**part.filters).filter(where).order_by(*order)[:limit]:
            found[ticket.pk] = ticket
    if len(parts) == 1:
        return list(found.values())
    return sorted(found.values(), key=lambda t: _sort_tuple(keys, t, forward))[:limit]


def _beyond_in(part: Branch, keys: Sequence[Key], values: Any, forward: bool) -> Q | None:
    """The cursor condition within one range, or None when the whole range lies before the cursor."""
    if values is None:
        return Q()
    for key, fixed, value in zip(keys, part.fixed, values, strict=False):
        if fixed != value:
            later = fixed > value if key.descending != forward else fixed < value
            return Q() if later else None
    n = len(part.fixed)
    return beyond(keys[n:], values[n:], forward=forward) if len(keys) > n else None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _key_order(keys: Sequence[Key], values: Sequence[Any], forward: bool) -> tuple[int, ...]:
    """A tuple that sorts ascending in the order of the page being read."""
    out = []
    for key, value in zip(keys, values, strict=False):
        number = (value - _EPOCH) // timedelta(microseconds=1) if isinstance(value, datetime) else int(value)
        out.append(-number if key.descending == forward else number)
    return tuple(out)


def _sort_tuple(keys: Sequence[Key], ticket: Ticket, forward: bool) -> tuple[int, ...]:
    return _key_order(keys, [key.read(ticket) for key in keys], forward)


# --- first-response clock, in words -----------------------------------------------------------------------


def duration_text(seconds: float) -> str:
    """3125 -> '52 min', 7300 -> '2 h', 200000 -> '2 d 7 h': short enough for a table cell."""
    minutes = max(0, int(seconds // 60))
    if minutes < 60:
        return f"{max(minutes, 1)} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if hours < 3 and minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if days < 3 and hours else f"{days} d"


@dataclass(frozen=True)
class Due:
    """Where a ticket stands against its first-response target, in words (colour only repeats it)."""

    state: str  # overdue | soon | ok | met | late | none
    text: str  # for a table cell: "2 h overdue", "in 35 min", "Answered"
    sentence: str  # for the ticket page
    at: datetime | None = None


SOON = 60 * 60  # the last hour before a first response is due


def due_info(ticket: Ticket, now: datetime) -> Due:
    later = _later_deadline(ticket, now)
    if later is not None:
        return later
    due = ticket.first_response_due
    if ticket.first_response_at is not None:
        took = duration_text((ticket.first_response_at - ticket.created_at).total_seconds())
        promised = f"the {ticket.priority.target_label} promised"
        if due is not None and ticket.first_response_at > due:
            late = duration_text((ticket.first_response_at - due).total_seconds())
            return Due(
                "late", "Answered late", f"First response after {took}: {late} later than {promised}.", due
            )
        return Due("met", "Answered", f"First response after {took}, within {promised}.", due)
    if not ticket.is_open:
        return Due("none", "—", "Closed without a public reply.", due)
    if due is None:
        return Due("none", "—", "No first-response target.", None)
    left = (due - now).total_seconds()
    if left < 0:
        late = duration_text(-left)
        return Due("overdue", f"{late} overdue", f"First response overdue by {late}.", due)
    state = "soon" if left <= SOON else "ok"
    return Due(state, f"in {duration_text(left)}", f"First response due in {duration_text(left)}.", due)


def _later_deadline(ticket: Ticket, now: datetime) -> Due | None:
    """Once the first response is out, the next deadline is a next response or the resolution."""
    due = ticket.next_due
    if not ticket.is_open or due is None or due not in (ticket.next_response_due, ticket.resolution_due):
        return None
    if ticket.first_response_at is None and ticket.first_response_due == due:
        return None
    kind = "Next response" if due == ticket.next_response_due else "Resolution"
    left = (due - now).total_seconds()
    if left < 0:
        late = duration_text(-left)
        return Due("overdue", f"{kind}: {late} overdue", f"{kind} overdue by {late}.", due)
    state = "soon" if left <= SOON else "ok"
    text = duration_text(left)
    return Due(state, f"{kind} in {text}", f"{kind} due in {text}.", due)
