"""Rows that rarely change (the default priority, the SLA policies, the open delay notices), read once per
batch of a bulk job instead of once per item.

A bulk job (`helpwell import-mail`) wraps each of its transactions in `per_batch()`; inside it,
`read(key, load)` keeps what `load()` returned for the rest of the batch. Outside a batch `read()` just
calls `load()`, so the web, the API and the workers always read the rows as they are. A change saved in
this process clears the memo at once (`forget_when_changed`); a change another process commits is seen
from the next batch, a fraction of a second later (on SQLite, where the batch holds the only write
lock, nobody else can commit one during it).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db.models import Model
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

_memo: ContextVar[dict[str, Any] | None] = ContextVar("helpwell_batch_memo", default=None)


@contextmanager
def per_batch() -> Iterator[None]:
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def read(key: str, load: Callable[[], T]) -> T:
    memo = _memo.get()
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]  # type: ignore[no-any-return]


def remember(key: str, value: Any) -> None:
    """Keep `value` under `key` for the rest of the batch (what a bulk job looked up ahead, for many
    items at once); nothing outside a batch."""
    memo = _memo.get()
    if memo is not None:
        memo[key] = value


def peek(key: str, default: Any = None) -> Any:
    memo = _memo.get()
    return default if memo is None else memo.get(key, default)


def forget(**kwargs: Any) -> None:
    memo = _memo.get()
    if memo:
        memo.clear()


def forget_when_changed(*models: type[Model]) -> None:
    """Any save or delete of these models (admin, settings pages, actions) clears the batch's memo."""
    for model in models:
        label = model._meta.label_lower
        post_save.connect(forget, sender=model, dispatch_uid=f"memo-saved-{label}")
        post_delete.connect(forget, sender=model, dispatch_uid=f"memo-deleted-{label}")
