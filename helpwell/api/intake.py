"""The short path for tickets submitted with `Prefer: respond-async`.

An integration that opens tickets in bursts sends many small, valid requests with the same agent
token. For those, the API framework's per-request machinery (building the operation's parameter
model, running each authentication class, validating and rendering the response through the
schema) costs more than the work itself: checking the request and storing one row. This path
answers exactly those requests itself, with the same schema, the same token check and the same
action, and hands every other request (no agent token, a body that does not validate, fields that
need a lookup, a customer's token) to the API unchanged, so every error is still the API's own.
The tests hold both paths to the same answers.

It answers from a middleware placed right after Django's SecurityMiddleware: these requests carry
their own credentials (an agent token), so the session, CSRF, message, authentication and htmx
middleware below it have nothing to do for them, and the URL resolver nothing to find.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from pydantic import ValidationError

from helpwell.people.models import Agent

from . import present
from .actions import do_accept_ticket_submission
from .auth import TOKEN_PREFIX, agent_for_token
from .schemas import TicketIn, TicketSubmissionOut

BEARER = "bearer "
# Fields whose values name rows (a category, a priority, a team): checking them takes queries and
# yields the API's detailed 422, so such requests take the full path.
LOOKED_UP = ("category", "priority", "team")


def wants_async(request: HttpRequest) -> bool:
    """RFC 7240: `Prefer: respond-async` asks for 202 Accepted instead of waiting for the work."""
    # META, not request.headers: that builds a dictionary of every header on first use.
    prefer = request.META.get("HTTP_PREFER", "")
    return any(part.strip().lower() == "respond-async" for part in prefer.replace(";", ",").split(","))


class TicketIntakeMiddleware:
    """Answers `POST /api/v1/tickets` with `Prefer: respond-async` from an agent token when
    `submit_ticket` can; every other request goes down the stack as usual."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.tickets_path = ""  # reversed on first use: the URLconf may import this module

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and wants_async(request):
            if not self.tickets_path:
                self.tickets_path = reverse("api-v1:list_tickets")
            if request.path == self.tickets_path:
                response = submit_ticket(request)
                if response is not None:
                    return response
        return self.get_response(request)


def submit_ticket(request: HttpRequest) -> HttpResponse | None:
    """202 for a plain, valid submission from an agent token; None to let the API handle it."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[: len(BEARER)].lower() != BEARER:
        return None
    token = header[len(BEARER) :].strip()
    if not token.startswith(TOKEN_PREFIX):
        return None
    agent = agent_for_token(token)
    if agent is None:
        return None
    try:  # parsed and checked in one pass by pydantic's core, not json.loads and then pydantic
        payload = TicketIn.model_validate_json(request.body)
    except ValidationError:  # malformed JSON or a field the API will explain
        return None
    if not payload.customer_email or any(getattr(payload, field) for field in LOOKED_UP):
        return None
    from .api import api  # rendered as the API renders every answer

    response = HttpResponse(status=202, content_type=api.get_content_type())
    accepted = accept(agent, payload, present.Urls(request), response)
    response.content = api.renderer.render(request, accepted.model_dump(), response_status=202)
    return response


def accept(
    agent: Agent, payload: TicketIn, urls: present.Urls, response: HttpResponse
) -> TicketSubmissionOut:
    """Store the submission, put the 202's headers on `response` and return its body; both the short
    path and the API's own handler answer through here."""
    received_at = timezone.now()
    reference = do_accept_ticket_submission(agent=agent, payload=payload, received_at=received_at)
    response["Preference-Applied"] = "respond-async"
    response["Location"] = urls.submission(reference)
    return present.queued_submission(reference, urls, received_at)
