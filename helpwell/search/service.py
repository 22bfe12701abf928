"""The one search service: what a person may find, ranked, with highlighted snippets.

Every function takes the searcher and filters by what they may see before anything is returned:
customers find public articles (and signed-in-only ones once signed in) and their own tickets'
public messages; agents find every article and the tickets helpwell.tickets.access lets them open.
"""

import re
from dataclasses import dataclass
from typing import Any

from helpwell.kb.models import DEFAULT_LANGUAGE, Article, Visibility
from helpwell.people.models import Customer, Organisation
from helpwell.tickets.access import agent_of, team_ids_of, tickets_for_agent, tickets_for_customer
from helpwell.tickets.models import Ticket

from .engine import Query, TicketScope, engine, parse
from .models import PersonDoc

TICKET_WINDOW = 200  # the most recent matches ranked by relevance; see the engines' tickets()
REFERENCE_RE = re.compile(r"^\s*(HW-[0-9A-Z]{7})\s*$", re.IGNORECASE)


@dataclass
class ArticleResult:
    article: Article
    title: str
    snippet: str
    language: str


@dataclass
class TicketResult:
    ticket: Ticket
    snippet: str


@dataclass
class PersonResult:
    kind: str
    obj: Any
    name: str
    detail: str


def customer_visibilities(customer: Customer | None) -> list[str]:
    if customer is None:
        return [Visibility.PUBLIC]
    return [Visibility.PUBLIC, Visibility.CUSTOMERS]


AGENT_VISIBILITIES: list[str] = [Visibility.PUBLIC, Visibility.CUSTOMERS, Visibility.INTERNAL]


def _article_results(hits: list, language: str) -> list[ArticleResult]:
    articles = (
        Article.objects.select_related("category")
        .only("slug", "title", "visibility", "body", "category__name", "category__slug")
        .in_bulk([h.id for h in hits])
    )
    return [ArticleResult(articles[h.id], h.title, h.snippet, language) for h in hits if h.id in articles]


def _articles(
    q: Query, *, visibilities: list[str], language: str, limit: int, any_term: bool
) -> list[ArticleResult]:
    if not q:
        return []
    eng = engine()
    results = _article_results(
        eng.articles(q, language=language, visibilities=visibilities, limit=limit, any_term=any_term),
        language,
    )
    if len(results) < limit and language != DEFAULT_LANGUAGE:
        seen = {r.article.pk for r in results}
        more = eng.articles(
            q, language=DEFAULT_LANGUAGE, visibilities=visibilities, limit=limit, any_term=any_term
        )
        results += [r for r in _article_results(more, DEFAULT_LANGUAGE) if r.article.pk not in seen]
    return results[:limit]


def suggest_articles(text: str, *, customer: Customer | None = None, language: str = DEFAULT_LANGUAGE,
                     limit: int = 3) -> list[ArticleResult]:  # fmt: skip
    """Articles that may answer what a customer is typing: any of their words counts, rarer ones more."""
    q = parse(text, typing=True)
    return _articles(
        q, visibilities=customer_visibilities(customer), language=language, limit=limit, any_term=True
    )


def search_articles(text: str, *, customer: Customer | None = None, user: Any = None,
                    language: str = DEFAULT_LANGUAGE, limit: int = 20) -> list[ArticleResult]:  # fmt: skip
    """Help centre and agent article search, ranked like the suggestions (rarer words and titles count more)."""
    visibilities = customer_visibilities(customer)
    if user is not None:
        agent_of(user)
        visibilities = AGENT_VISIBILITIES
    q = parse(text, typing=True)
    return _articles(q, visibilities=visibilities, language=language, limit=limit, any_term=True)


def _ticket_results(hits: list, allowed: Any) -> list[TicketResult]:
    # The index narrows; tickets.access decides. Anything the access rules refuse is dropped here.
    # Only what the result lists show: fewer joins to plan and fewer columns to read.
    shown = allowed.select_related("customer", "team").only(
        "reference", "subject", "status", "customer__name", "team__name"
    )
    tickets = shown.in_bulk([h.id for h in hits])
    return [TicketResult(tickets[h.id], h.snippet) for h in hits if h.id in tickets]


def search_tickets_for_agent(
    user: Any, text: str, *, status: str = "", limit: int = 20
) -> list[TicketResult]:
    agent = agent_of(user)
    allowed = tickets_for_agent(user)
    found = REFERENCE_RE.match(text or "")
    if found:
        ticket = (
            allowed.select_related("priority", "customer", "team").filter(reference=found[1].upper()).first()
        )
        return [TicketResult(ticket, "")] if ticket else []
    q = parse(text)
    if not q:
        return []
    if agent.is_admin:
        scope = TicketScope(everything=True, status=status)
    else:
        team_ids = tuple(team_ids_of(agent))
        scope = TicketScope(team_ids=team_ids, assignee_id=user.pk, status=status)
    hits = engine().tickets(q, scope=scope, internal=True, limit=limit, window=TICKET_WINDOW)
    return _ticket_results(hits, allowed)


def search_tickets_for_customer(customer: Customer, text: str, *, limit: int = 20) -> list[TicketResult]:
    """A customer's own requests, searched in what they can read (never internal notes)."""
    q = parse(text)
    if not q:
        return []
    scope = TicketScope(customer_id=customer.pk)
    hits = engine().tickets(q, scope=scope, internal=False, limit=limit, window=TICKET_WINDOW)
    return _ticket_results(hits, tickets_for_customer(customer))


def search_people(user: Any, text: str, *, limit: int = 10) -> list[PersonResult]:
    """Customers and organisations, for agents only."""
    agent_of(user)
    q = parse(text)
    if not q:
        return []
    hits = engine().people(q, limit=limit)
    docs = PersonDoc.objects.in_bulk([h.id for h in hits])
    customer_ids = [d.object_id for d in docs.values() if d.kind == PersonDoc.Kind.CUSTOMER]
    org_ids = [d.object_id for d in docs.values() if d.kind == PersonDoc.Kind.ORGANISATION]
    customers = Customer.objects.select_related("organisation").in_bulk(customer_ids)
    orgs = Organisation.objects.in_bulk(org_ids)
    out = []
    for h in hits:
        doc = docs.get(h.id)
        if doc is None:
            continue
        obj = (customers if doc.kind == PersonDoc.Kind.CUSTOMER else orgs).get(doc.object_id)
        if obj is not None:
            out.append(PersonResult(doc.kind, obj, doc.name, doc.detail))
    return out
