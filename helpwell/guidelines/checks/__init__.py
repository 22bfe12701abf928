"""The draft checker: the shipped checks, what each is for, and running the ones a team turned on.

Nothing here imports Django, so the checker runs as people type (see bench/guidelines.py).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .base import BLOCKING, SEVERITIES, SUGGESTION, WARNING, DraftContext, Finding, Fix
from .rules import CHECK_FUNCTIONS


@dataclass(frozen=True)
class Check:
    key: str
    name: str
    explanation: str
    example_bad: str
    example_good: str
    severity: str  # the default; a lead may change it per team


CHECKS: dict[str, Check] = {
    c.key: c
    for c in [
        Check("greeting", "Greets the customer by name",
              "Open with the customer's name, so they know a person read their message.",
              "Your refund has been processed.", "Hi Carol, your refund has been processed.", SUGGESTION),
        Check("thanks", "Thanks the customer",
              "Thank them for writing, for their patience or for the details they sent.",
              "Here is your invoice.", "Thanks for sending the order number, here is your invoice.", SUGGESTION),
        Check("empathy", "Acknowledges feelings",
              "When the customer's last message reads upset, say that you understand before you solve.",
              "The parcel left our warehouse on Monday.",
              "I'm sorry your parcel is late; I can see why you're frustrated. It left us on Monday.", WARNING),
        Check("blame", "No blaming or dismissive phrases",
              "Phrases like “as I already said” or “you should have” put the customer in the wrong.",
              "As I already said, you should have checked the size chart.",
              "To recap, the size chart is on each product page; next time it can help.", WARNING),
        Check("jargon", "Plain language, not internal terms",
              "Use the plain-language alternatives in the team glossary.",
              "I've raised an RMA with L2.", "I've opened a return for you with our specialist team.", SUGGESTION),
        Check("readability", "Easy to read",
              "Aim for the team's target reading grade: short sentences, everyday words.",
              "Pursuant to the aforementioned correspondence, remuneration shall be facilitated.",
              "We'll pay you back this week.", SUGGESTION),
        Check("length", "A sensible length",
              "Not so short it reads curt, not so long it gets skimmed.", "Done.",
              "Done: I've changed the address on your order, and it ships today.", SUGGESTION),
        Check("shouting", "No shouting",
              "No words in capitals for emphasis and no strings of exclamation marks.",
              "Please do NOT reply to this email!!!", "Please reply in the portal rather than by email.", WARNING),
        Check("promise", "Promises that we can keep",
              "A time you promise must not contradict the ticket's response target or an open delay notice.",
              "Your parcel will arrive tomorrow.", "Deliveries are taking 5 to 7 days longer at the moment.", WARNING),
        Check("sensitive", "No sensitive data",
              "Never send card numbers, passwords or security codes.",
              "Your card 4111 1111 1111 1111 was charged.", "Your card ending 1111 was charged.", BLOCKING),
        Check("language", "The customer's language",
              "Reply in the language the customer uses.", "(English to a customer who writes in German)",
              "(German to a customer who writes in German)", WARNING),
        Check("signoff", "Signs off with your name",
              "End with your own first name, so the customer knows who helped.", "Kind regards, Support team",
              "Kind regards, Alice", SUGGESTION),
    ]
}  # fmt: skip

SEVERITY_ORDER = {BLOCKING: 0, WARNING: 1, SUGGESTION: 2}


def check_draft(
    draft: str,
    ctx: DraftContext,
    *,
    severities: Mapping[str, str] | None = None,
    enabled: Iterable[str] | None = None,
) -> list[Finding]:
    """Run the enabled checks (all by default) at the team's severities; blocking first, then by position."""
    keys = list(CHECKS) if enabled is None else [k for k in CHECKS if k in set(enabled)]
    out: list[Finding] = []
    if not draft.strip():
        return out
    for key in keys:
        severity = (severities or {}).get(key, CHECKS[key].severity)
        for finding in CHECK_FUNCTIONS[key](draft, ctx):
            out.append(
                Finding(
                    finding.check,
                    finding.what,
                    finding.why,
                    severity,
                    finding.start,
                    finding.end,
                    finding.fix,
                )
            )
    out.sort(key=lambda f: (SEVERITY_ORDER.get(f.severity, 3), f.start))
    return out


__all__ = [
    "BLOCKING",
    "CHECKS",
    "SEVERITIES",
    "SUGGESTION",
    "WARNING",
    "Check",
    "DraftContext",
    "Finding",
    "Fix",
    "check_draft",
]
