"""Keeping the search index in step with what it copies.

The actions that write tickets, messages, customers and articles call these functions (inside their
transaction, so the index never shows what was rolled back); `helpwell reindex` rebuilds everything
in set-based batches.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection, transaction

from helpwell.kb.markdown import plain_text
from helpwell.system import deferred

from . import fulltext
from .engine import engine
from .models import ArticleDoc, PersonDoc, TicketDoc

BATCH = 20_000
MAX_TEXT = 60_000  # characters of a thread kept in the index; the first ones say what it is about


def _thread_sql(where: str) -> str:
    if connection.vendor == "postgresql":
        agg = "string_agg(m.body_text, E'\\n\\n' ORDER BY m.created_at, m.id)"
        conflict = "ON CONFLICT (ticket_id) DO UPDATE SET subject = excluded.subject, "
    else:
        agg = "group_concat(m.body_text, char(10) || char(10))"
        conflict = "ON CONFLICT (ticket_id) DO UPDATE SET subject = excluded.subject, "
    conflict += "public_text = excluded.public_text, internal_text = excluded.internal_text"
    part = (
        "coalesce(substr((SELECT {agg} FROM tickets_message m WHERE m.ticket_id = t.id AND m.kind = '{kind}'), "
        f"1, {MAX_TEXT}), '')"
    )
    return (
        "INSERT INTO search_ticketdoc (ticket_id, subject, public_text, internal_text) "
        f"SELECT t.id, t.subject, {part.format(agg=agg, kind='public')}, {part.format(agg=agg, kind='internal')} "
        f"FROM tickets_ticket t WHERE {where} {conflict}"
    )


def index_ticket(ticket_id: int) -> None:
    """Copy a ticket's subject and thread into the index (call after any change to either).

    In a bulk job (system.deferred) every ticket the batch touched is copied in one statement."""
    deferred.later("search:tickets", index_tickets, ticket_id)


def index_tickets(ticket_ids: list[int]) -> None:
    if not ticket_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(_thread_sql(f"t.id IN ({', '.join(['%s'] * len(ticket_ids))})"), ticket_ids)


def index_article(article: object) -> None:
    """One index row per language the article exists in; visibility and state come along."""
    from helpwell.kb.models import DEFAULT_LANGUAGE, Article, ArticleStatus

    assert isinstance(article, Article)
    versions = [(DEFAULT_LANGUAGE, article.title, article.summary, article.body)]
    versions += [(t.language, t.title, t.summary, t.body) for t in article.translations.all()]
    keep = []
    for language, title, summary, body in versions:
        doc, _ = ArticleDoc.objects.update_or_create(
            article=article,
            language=language,
            defaults={
                "title": title,
                "body": plain_text(summary + "\n\n" + body),
                "visibility": article.visibility,
                "published": article.status == ArticleStatus.PUBLISHED,
            },
        )
        keep.append(doc.pk)
    ArticleDoc.objects.filter(article=article).exclude(pk__in=keep).delete()
    forget = getattr(engine(), "forget_lexicon", None)
    if forget is not None:
        forget()


def index_customer(customer: object) -> None:
    """In a bulk job (system.deferred) the batch's customers are copied in one statement."""
    deferred.later("search:customers", index_customers, customer)


def index_customers(customers: list[object]) -> None:
    from helpwell.people.models import Customer

    docs = []
    for customer in customers:
        assert isinstance(customer, Customer)
        org = customer.organisation.name if customer.organisation_id and customer.organisation else ""
        docs.append(
            PersonDoc(
                kind=PersonDoc.Kind.CUSTOMER,
                object_id=customer.pk,
                name=customer.name,
                # The address also in pieces, so "brightleaf" finds olivia@brightleaf.example on every engine.
                detail=f"{customer.email} {_pieces(customer.email)} {org}"[:400].strip(),
            )
        )
    # One upsert (INSERT … ON CONFLICT DO UPDATE) on the (kind, object_id) unique index: no read first.
    PersonDoc.objects.bulk_create(
        docs, update_conflicts=True, unique_fields=["kind", "object_id"], update_fields=["name", "detail"]
    )


def _pieces(email: str) -> str:
    return email.replace("@", " ").replace(".", " ")


def index_organisation(organisation: object) -> None:
    from helpwell.people.models import Organisation

    assert isinstance(organisation, Organisation)
    PersonDoc.objects.update_or_create(
        kind=PersonDoc.Kind.ORGANISATION,
        object_id=organisation.pk,
        defaults={"name": organisation.name, "detail": organisation.domain},
    )


Progress = Callable[[int], None]


@contextmanager
def ticket_index_suspended() -> Iterator[None]:
    """For a bulk load: without per-row trigger (SQLite) or GIN maintenance (PostgreSQL), then rebuilt
    in one pass, which is several times faster at a million tickets."""
    vendor = connection.vendor
    table = "search_ticket_fts" if vendor == "sqlite" else "search_ticketdoc"
    if vendor == "sqlite":
        stop = [f"DROP TRIGGER IF EXISTS {table}_{s}" for s in ("ai", "ad", "au")]
        restart = [sql for sql in fulltext.sqlite_statements() if sql.startswith("CREATE TRIGGER " + table)]
        restart.insert(0, f"INSERT INTO {table}({table}) VALUES ('rebuild')")
    else:
        creates = [sql for sql in fulltext.pg_statements() if "INDEX search_ticketdoc_" in sql]
        stop = ["DROP INDEX IF EXISTS " + sql.split()[2] for sql in creates]
        restart = creates
    with connection.cursor() as cursor:
        for sql in stop:
            cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for sql in restart:
                cursor.execute(sql)


def reindex_tickets(progress: Progress | None = None, *, bulk: bool = False) -> int:
    """Rebuild every ticket's row in batches of ids (set-based SQL, no Python per ticket)."""
    if bulk:
        with ticket_index_suspended():
            return reindex_tickets(progress)
    from helpwell.tickets.models import Ticket

    bounds = Ticket.objects.order_by("pk").values_list("pk", flat=True)
    first, last = bounds.first(), Ticket.objects.order_by("-pk").values_list("pk", flat=True).first()
    if first is None or last is None:
        TicketDoc.objects.all().delete()
        return 0
    TicketDoc.objects.exclude(ticket_id__in=Ticket.objects.values("pk")).delete()
    done = 0
    sql = _thread_sql("t.id BETWEEN %s AND %s")
    for start in range(first, last + 1, BATCH):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [start, start + BATCH - 1])
            count = Ticket.objects.filter(pk__gte=start, pk__lt=start + BATCH).count()
        done += count
        if progress:
            progress(count)
    return done


def reindex_articles(progress: Progress | None = None) -> int:
    from helpwell.kb.models import Article

    count = 0
    for article in Article.objects.prefetch_related("translations").iterator(chunk_size=500):
        with transaction.atomic():
            index_article(article)
        count += 1
        if progress:
            progress(1)
    ArticleDoc.objects.exclude(article_id__in=Article.objects.values("pk")).delete()
    return count


def reindex_people(progress: Progress | None = None) -> int:
    """Every customer and organisation again, set-based (the same rows index_customer writes)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_persondoc")
        cursor.execute(
            "INSERT INTO search_persondoc (kind, object_id, name, detail) "
            "SELECT 'organisation', o.id, o.name, o.domain FROM people_organisation o"
        )
        organisations = cursor.rowcount
        cursor.execute(
            "INSERT INTO search_persondoc (kind, object_id, name, detail) "
            "SELECT 'customer', c.id, c.name, substr(trim(c.email || ' ' || "
            "replace(replace(c.email, '@', ' '), '.', ' ') || ' ' || coalesce(o.name, '')), 1, 400) "
            "FROM people_customer c LEFT JOIN people_organisation o ON o.id = c.organisation_id"
        )
        count = organisations + cursor.rowcount
    if progress:
        progress(count)
    return count


def optimise() -> None:
    """Merge the FTS5 segments after a bulk load (SQLite); refresh planner statistics."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in ("search_article_fts", "search_ticket_fts", "search_person_fts"):
                cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
            cursor.execute("ANALYZE")
        else:
            cursor.execute("ANALYZE search_articledoc, search_ticketdoc, search_persondoc")
