"""POST /api/v1/guidelines/check: the reply box's checks for other tools (agents only)."""

from typing import Literal

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from pydantic import Field

from helpwell.api.auth import require_agent
from helpwell.api.schemas import ErrorOut
from helpwell.people.models import Team
from helpwell.tickets.access import get_ticket_for_agent

from . import actions
from .checks import CHECKS

router = Router()

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
CheckKey = Literal[tuple(CHECKS)]  # type: ignore[valid-type]


class DraftIn(Schema):
    draft: str = Field(..., max_length=20_000, description="The reply as the agent has written it so far.")
    ticket: str | None = Field(
        None, description="A ticket reference (HW-…): the customer's name, language and mood, the priority's "
        "response target and the team's settings come from it.",
    )  # fmt: skip
    team: str | None = Field(None, description="A team slug, for a draft without a ticket.")
    customer_name: str = Field("", max_length=200, description="Without a ticket: whom the reply is for.")
    customer_language: str = Field(
        "en", max_length=8, description="Without a ticket: the customer's language."
    )
    customer_upset: bool = Field(
        False, description="Without a ticket: whether the customer's last message read upset."
    )
    sla_hours: float | None = Field(
        None, description="Without a ticket: the response time promised, in hours."
    )


class FixOut(Schema):
    label: str
    start: int = Field(..., description="Replace draft[start:end] with text.")
    end: int
    text: str
    result: str = Field(..., description="The whole draft with this fix applied.")


class FindingOut(Schema):
    check: CheckKey  # type: ignore[valid-type]
    name: str
    severity: Literal["suggestion", "warning", "blocking"]
    what: str
    why: str
    start: int
    end: int
    fix: FixOut | None


class CheckOut(Schema):
    findings: list[FindingOut]
    blocking: bool = Field(..., description="True when a rule the team marked blocking would stop this send.")


@router.post("/check", response={200: CheckOut, **ERRORS}, tags=["guidelines"], summary="Check a draft reply")
def check(request: HttpRequest, payload: DraftIn) -> CheckOut:
    """Run the team's communication guidelines over a draft: each finding says what, why, and a fix where one exists."""
    caller = require_agent(request)
    if payload.ticket:
        ticket = get_ticket_for_agent(caller.user, payload.ticket)
        findings = actions.check_ticket_draft(ticket, caller.user, payload.draft)
    else:
        team = None
        if payload.team:
            team = Team.objects.filter(slug=payload.team).first()
            if team is None:
                raise Http404("No such team.")
        agent = caller.agent
        ctx = actions.context_for(
            team, customer_name=payload.customer_name, agent_name=agent.display_name if agent else "",
            customer_language=payload.customer_language, customer_upset=payload.customer_upset,
            sla_hours=payload.sla_hours,
        )  # fmt: skip
        findings = actions.check_text(payload.draft, ctx, team=team)
    out = [
        FindingOut(
            check=f.check,
            name=CHECKS[f.check].name,
            severity=f.severity,  # type: ignore[arg-type]
            what=f.what,
            why=f.why,
            start=f.start,
            end=f.end,
            fix=FixOut(
                label=f.fix.label,
                start=f.fix.start,
                end=f.fix.end,
                text=f.fix.text,
                result=f.fix.apply(payload.draft),
            )
            if f.fix
            else None,
        )  # fmt: skip
        for f in findings
    ]
    return CheckOut(findings=out, blocking=any(f.blocks for f in findings))
