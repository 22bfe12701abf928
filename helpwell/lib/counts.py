"""Several capped counts in one round trip."""

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet


def capped_counts(querysets: dict[str, QuerySet[Any]], cap: int) -> dict[str, int]:
    """How many rows each queryset has, counting no further than `cap` + 1 (enough to say "more
    than `cap`" without walking a big organisation's every ticket), all in one statement: each
    count would otherwise be its own round trip. The querysets must share a database."""
    aliases = {qs.db for qs in querysets.values()}
    if len(aliases) != 1:
        raise ValueError(f"capped_counts needs querysets of one database, got {sorted(aliases)}")
    connection = connections[aliases.pop()]
    parts: list[str] = []
    params: list[Any] = []
    for i, queryset in enumerate(querysets.values()):
        limited = queryset.order_by().values("pk")[: cap + 1]
        try:
            sql, sql_params = limited.query.get_compiler(connection=connection).as_sql()
        except EmptyResultSet:  # .none(), or a filter nothing can match: Django would not ask either
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS {connection.ops.quote_name(f'counted_{i}')})")
        params.extend(sql_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return {name: int(count) for name, count in zip(querysets, row, strict=True)}
