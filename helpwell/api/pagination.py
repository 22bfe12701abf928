"""Keyset ("cursor") pagination: pages cost the same at row 10 and at row 1,000,000.

A list is ordered by a unique key, e.g. (updated_at DESC, id DESC). A page is the first `limit`
rows after the last row of the previous page, found with an indexed range condition
(`updated_at < t OR (updated_at = t AND id < i)`) instead of OFFSET, and nobody counts the
table. The cursor is that last row's key, base64-encoded JSON, opaque to clients. It names the
ordering it belongs to, so a cursor from one ordering is refused by another instead of
silently skipping rows.

A row whose key changes while a client pages (a ticket updated meanwhile) moves to the front
of the list; clients that sync use `sort=updated_at` with `updated_after` and see it again.
"""

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Model, Q, QuerySet

from .errors import invalid

MAX_LIMIT = 100
DEFAULT_LIMIT = 25


@dataclass(frozen=True)
class Key:
    """One column of an ordering: its name, direction and how to read it back from a cursor."""

    field: str
    descending: bool
    parse: Callable[[Any], Any] = int

    @property
    def order_by(self) -> str:
        return f"-{self.field}" if self.descending else self.field


def parse_datetime(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


def encode(values: Sequence[Any]) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(cursor: str, keys: Sequence[Key], name: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(data, list) or len(data) != len(keys) + 1 or data[0] != name:
            raise ValueError("cursor for another list")
        return [key.parse(value) for key, value in zip(keys, data[1:], strict=True)]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise invalid("cursor", "This cursor is not valid for this list; start again without one.") from None


def after(keys: Sequence[Key], values: Sequence[Any]) -> Q:
    """Rows strictly after `values` in the ordering, as a condition an index range can answer."""
    condition = Q()
    equal: dict[str, Any] = {}
    for key, value in zip(keys, values, strict=True):
        lookup = "lt" if key.descending else "gt"
        condition |= Q(**equal, **{f"{key.field}__{lookup}": value})
        equal[key.field] = value
    # The OR above is exact; this redundant bound on the first column lets PostgreSQL and
    # SQLite start the index scan at the cursor instead of filtering from the top.
    first = keys[0]
    bound = Q(**{f"{first.field}__{'lte' if first.descending else 'gte'}": values[0]})
    return bound & condition


@dataclass
class Page:
    items: list[Any]
    next: str | None


def paginate(qs: QuerySet[Any], keys: Sequence[Key], *, cursor: str | None, limit: int, name: str) -> Page:
    """One page of `qs` in the order of `keys`, with the cursor for the next page (or None)."""
    limit = max(1, min(limit, MAX_LIMIT))
    qs = qs.order_by(*(key.order_by for key in keys))
    if cursor:
        qs = qs.filter(after(keys, decode(cursor, keys, name)))
    rows = list(qs[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last: Model = rows[-1]
        next_cursor = encode([name, *(getattr(last, key.field) for key in keys)])
    return Page(items=rows, next=next_cursor)
