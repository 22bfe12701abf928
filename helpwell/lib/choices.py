"""Select boxes backed by a query that runs once per form, however often the widget asks for choices.

Django's ModelChoiceField runs its query each time the choices are iterated: once to decide whether the
`required` attribute applies and once more to render the options, each through a server-side cursor on
PostgreSQL (three round trips). A ticket page has four such boxes.

`rows`, when given, supplies the options instead of the queryset (from a per-process cache, say,
see helpwell.lib.process_cache); the queryset still decides what a submitted value may be.
"""

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django import forms
from django.db.models import Model
from django.forms.models import ModelChoiceIterator


class _RowsOnceIterator(ModelChoiceIterator):
    def _rows(self) -> list[Model]:
        field: Any = self.field
        rows = field.rows
        source = rows or self.queryset
        cached = getattr(field, "_rows_once", None)
        if cached is None or cached[0] is not source:
            cached = (source, list(rows() if rows else self.queryset))
            field._rows_once = cached
        return cached[1]

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self._rows():
            yield self.choice(obj)

    def __len__(self) -> int:
        return len(self._rows()) + (1 if self.field.empty_label is not None else 0)

    def __bool__(self) -> bool:
        return self.field.empty_label is not None or bool(self._rows())


class RowsOnceModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose options are read once per form instance: with one plain query, or
    from `rows`."""

    iterator = _RowsOnceIterator

    def __init__(self, *args: Any, rows: Callable[[], Sequence[Model]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
