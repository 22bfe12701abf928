"""/api/v1/ticket-submissions: follow a ticket submitted with `Prefer: respond-async`."""

from django.http import HttpRequest
from ninja import Router

from . import present
from .access import get_submission_for_caller
from .auth import caller_of
from .schemas import ErrorOut, TicketSubmissionOut

router = Router(tags=["tickets"])


@router.get(
    "/{reference}",
    response={200: TicketSubmissionOut, 401: ErrorOut, 404: ErrorOut},
    summary="Follow a ticket submitted for the background",
)
def get_submission(request: HttpRequest, reference: str) -> TicketSubmissionOut:
    """`queued` until the worker opens the ticket, then `opened` with `ticket_url`, or `failed`
    with `error` saying why (a category deleted in the meantime, say). Only the agent who
    submitted it, and admins, may follow a submission."""
    submission = get_submission_for_caller(caller_of(request), reference)
    return present.submission(submission, present.Urls(request))
