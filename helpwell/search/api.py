"""GET /api/v1/search/tickets and /api/v1/search/articles: the search service for other tools.

The same service and the same permissions as the web: an agent token finds the agent's tickets
(internal notes included) and every article; a customer token finds that customer's own requests
(public messages only) and the articles customers may read.
"""

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from helpwell.api.auth import caller_of
from helpwell.api.schemas import ErrorOut

from . import service

router = Router()
ERRORS = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


class TicketSearchIn(Schema):
    q: str = Field(..., min_length=1, max_length=200, description="Words, or a reference (HW-…).")
    status: str = Field("", description="Agents only: open, new, pending, on_hold, solved or closed.")
    limit: int = Field(20, ge=1, le=50)


class TicketHitOut(Schema):
    reference: str
    subject: str
    status: str
    snippet: str = Field(..., description="HTML-escaped text with <mark> around the words found.")


class ArticleSearchIn(Schema):
    q: str = Field(..., min_length=1, max_length=200)
    language: str = Field("en", max_length=8, description="Preferred language; English fills the rest.")
    limit: int = Field(10, ge=1, le=50)


class ArticleHitOut(Schema):
    slug: str
    title: str
    visibility: str
    language: str
    url: str
    snippet: str


@router.get(
    "/tickets", response={200: list[TicketHitOut], **ERRORS}, tags=["search"], summary="Search tickets"
)
def search_tickets(request: HttpRequest, params: Query[TicketSearchIn]) -> list[TicketHitOut]:
    """Most relevant among the most recent matches the caller may see."""
    caller = caller_of(request)
    if caller.is_agent:
        found = service.search_tickets_for_agent(
            caller.user, params.q, status=params.status, limit=params.limit
        )
    else:
        assert caller.customer is not None
        found = service.search_tickets_for_customer(caller.customer, params.q, limit=params.limit)
    return [
        TicketHitOut(
            reference=r.ticket.reference, subject=r.ticket.subject, status=r.ticket.status, snippet=r.snippet
        )
        for r in found
    ]


@router.get(
    "/articles", response={200: list[ArticleHitOut], **ERRORS}, tags=["search"], summary="Search articles"
)
def search_articles(request: HttpRequest, params: Query[ArticleSearchIn]) -> list[ArticleHitOut]:
    """Help articles, ranked; internal procedures only for agents."""
    caller = caller_of(request)
    if caller.is_agent:
        found = service.search_articles(
            params.q, user=caller.user, language=params.language, limit=params.limit
        )
    else:
        found = service.search_articles(
            params.q, customer=caller.customer, language=params.language, limit=params.limit
        )
    return [
        ArticleHitOut(
            slug=r.article.slug,
            title=r.title,
            visibility=r.article.visibility,
            language=r.language,
            url=f"/help/articles/{r.article.slug}/",
            snippet=r.snippet,
        )  # fmt: skip
        for r in found
    ]
