"""The Helpwell API, version 1: one NinjaAPI, its auth, its error shape and its routers."""

from ninja import NinjaAPI

from helpwell.guidelines import api as guidelines_api
from helpwell.search import api as search_api

from . import people, submissions, tickets
from .auth import AgentSessionAuth, BearerAuth
from .docs import LocalSwagger
from .errors import install_error_handlers

DESCRIPTION = """
The Helpwell help desk over JSON: tickets, their messages, customers and agents.

**Authentication.** Send `Authorization: Bearer <token>` with either

- an **agent API token** (`hw_…`), created with `helpwell api-token <username>`: the agent's
  access, exactly as in the agent workspace (their teams' tickets, or all for admins); or
- a **customer access token**, the token in a customer's magic sign-in link: that customer's
  own tickets and public replies only. Writes with a customer token are rate-limited.

A signed-in agent's browser session works too (send `X-CSRFToken` on unsafe methods).

**Errors** always look like
`{"error": {"code": "not_found", "message": "…", "fields": {"subject": ["…"]}}}`;
codes include `unauthorized` (401), `forbidden` (403), `not_found` (404),
`validation_error` (422) and `rate_limited` (429). A ticket you may not see answers 404,
exactly like one that does not exist.

**Opening tickets in bulk.** `POST /api/v1/tickets` answers 201 with the ticket. Send
`Prefer: respond-async` (agents) to have it answered at once with 202 and the ticket's final
reference instead; the worker opens the ticket within seconds, and
`GET /api/v1/ticket-submissions/{reference}` tells how it went.

**Pagination.** Lists return `{"items": […], "next": "<cursor>"}`; pass `?cursor=<next>` with
the same filters for the next page (`limit` up to 100). `next` is null on the last page.
"""

api = NinjaAPI(
    title="Helpwell API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=[BearerAuth(), AgentSessionAuth()],
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)
api.add_router("/tickets", tickets.router)
api.add_router("/ticket-submissions", submissions.router)
api.add_router("", people.router)
api.add_router("/guidelines", guidelines_api.router)
api.add_router("/search", search_api.router)
