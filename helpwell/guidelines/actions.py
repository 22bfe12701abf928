"""Every change in the guidelines domain, and the functions other apps call.

- The ticket page and the API check drafts with check_ticket_draft() / check_text();
- tickets.actions.do_reply calls enforce_blocking_rules() before a public reply is stored;
- tickets.actions calls do_read_customer_message() for every incoming customer message.
"""

from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from helpwell.people.models import Agent, Customer, Team
from helpwell.system import deferred, memo
from helpwell.system.audit import audit
from helpwell.tickets.models import Message, Ticket

from .checks import BLOCKING, CHECKS, SEVERITIES, DraftContext, Finding, check_draft
from .checks.reading import read_message
from .models import (
    AbuseTerm,
    CheckSetting,
    CodeOfConduct,
    CustomerReview,
    DelayNotice,
    FindingOutcome,
    GlossaryEntry,
    Guideline,
    MessageReading,
    ShieldOpening,
)


class BlockedByGuidelines(ValidationError):
    """A public reply broke a rule a lead marked blocking; the message says which and why."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        reasons = " ".join(f"{f.what} {f.why}" for f in findings)
        super().__init__(f"Not sent: {reasons}")


# --- the team's settings, resolved ------------------------------------------------------------------------


def guideline_for(team: Team | None) -> Guideline:
    if team is not None:
        own = Guideline.objects.filter(team=team).first()
        if own is not None:
            return own
    default = Guideline.objects.filter(team=None).first()
    return default or Guideline(team=None)


def check_settings_for(team: Team | None) -> tuple[set[str], dict[str, str]]:
    """(enabled checks, severities) for a team: its own settings over the all-teams row over the defaults."""
    enabled = set(CHECKS)
    severities = {key: c.severity for key, c in CHECKS.items()}
    rows = (
        CheckSetting.objects.filter(team=None)
        if team is None
        else CheckSetting.objects.filter(team__in=[team])
    )
    shared = list(CheckSetting.objects.filter(team=None)) if team is not None else []
    for row in [*shared, *rows]:
        severities[row.check_key] = row.severity
        if row.enabled:
            enabled.add(row.check_key)
        else:
            enabled.discard(row.check_key)
    return enabled, severities


def glossary_for(team: Team | None) -> dict[str, str]:
    entries = GlossaryEntry.objects.filter(team=None)
    out = {e.term: e.plain for e in entries}
    if team is not None:
        out.update({e.term: e.plain for e in GlossaryEntry.objects.filter(team=team)})
    return out


def delay_for(team: Team | None) -> DelayNotice | None:
    notices = DelayNotice.objects.filter(active=True)
    notices = (
        notices.filter(team=None)
        if team is None
        else notices.filter(team__in=[team]) | notices.filter(team=None)
    )
    return notices.order_by("-min_days").first()


def _customer_upset(ticket: Ticket) -> bool:
    last = ticket.messages.filter(author_customer__isnull=False).order_by("-created_at", "-id").first()
    if last is None:
        return False
    reading = MessageReading.objects.filter(message=last).first()
    if reading is None:
        return read_message(last.body_text).tone == MessageReading.Tone.UPSET
    return reading.tone == MessageReading.Tone.UPSET


def context_for(
    team: Team | None,
    *,
    customer_name: str = "",
    agent_name: str = "",
    customer_language: str = "en",
    customer_upset: bool = False,
    sla_hours: float | None = None,
) -> DraftContext:
    guideline = guideline_for(team)
    delay = delay_for(team)
    return DraftContext(
        customer_name=customer_name,
        agent_name=agent_name,
        customer_language=customer_language,
        customer_upset=customer_upset,
        sla_hours=sla_hours,
        delay_notice=delay.text if delay else "",
        delay_min_hours=delay.min_days * 24 if delay else None,
        glossary=glossary_for(team),
        target_grade=guideline.target_grade,
        min_words=guideline.min_words,
        max_words=guideline.max_words,
    )


def ticket_context(ticket: Ticket, user: Any) -> DraftContext:
    agent = getattr(user, "agent", None)
    ctx = context_for(
        ticket.team,
        customer_name=ticket.customer.name,
        agent_name=agent.display_name if agent else "",
        customer_language=ticket.customer.language,
        customer_upset=_customer_upset(ticket),
        sla_hours=ticket.priority.first_response_minutes / 60,
    )
    # An incident notice this ticket is linked to (the sla app's delay notices) with an estimated fix:
    # promising a delivery before that time contradicts what the customer has been told.
    notices = getattr(ticket, "delay_notices", None)
    if notices is not None:
        now = timezone.now()
        notice = (
            notices.filter(is_active=True, estimated_resolution__gt=now)
            .order_by("-estimated_resolution")
            .first()
        )
        if notice is not None:
            hours = (notice.estimated_resolution - now).total_seconds() / 3600
            if ctx.delay_min_hours is None or hours > ctx.delay_min_hours:
                ctx.delay_min_hours, ctx.delay_notice = hours, notice.title
    return ctx


def dismissed_checks(ticket: Ticket, user: Any) -> set[str]:
    return set(
        FindingOutcome.objects.filter(
            ticket=ticket, agent_id=user.pk, outcome=FindingOutcome.Outcome.DISMISSED
        ).values_list("check_key", flat=True)
    )


def check_ticket_draft(ticket: Ticket, user: Any, draft: str) -> list[Finding]:
    """The findings for an agent's draft on this ticket, less the ones they dismissed (never blocking ones)."""
    enabled, severities = check_settings_for(ticket.team)
    findings = check_draft(draft, ticket_context(ticket, user), severities=severities, enabled=enabled)
    dismissed = dismissed_checks(ticket, user)
    return [f for f in findings if f.blocks or f.check not in dismissed]


def check_text(draft: str, ctx: DraftContext, *, team: Team | None = None) -> list[Finding]:
    enabled, severities = check_settings_for(team)
    return check_draft(draft, ctx, severities=severities, enabled=enabled)


def enforce_blocking_rules(ticket: Ticket, user: Any, body: str) -> None:
    """Raise BlockedByGuidelines when a public reply breaks a blocking rule; the stop is recorded."""
    enabled, severities = check_settings_for(ticket.team)
    blocking = {k for k in enabled if severities.get(k) == BLOCKING}
    if not blocking:
        return
    findings = check_draft(body, ticket_context(ticket, user), severities=severities, enabled=blocking)
    if findings:
        raise BlockedByGuidelines(findings)


def do_record_blocked(ticket: Ticket, user: Any, findings: list[Finding]) -> None:
    """Called by the reply view after the send's transaction rolled back, so the stop is on record."""
    for key in sorted({f.check for f in findings}):
        FindingOutcome.objects.create(
            ticket=ticket, agent=user if getattr(user, "pk", None) else None, team=ticket.team,
            check_key=key, outcome=FindingOutcome.Outcome.BLOCKED,
        )  # fmt: skip


@transaction.atomic
def do_record_outcome(
    ticket: Ticket, user: Any, check_key: str, outcome: str, reason: str = ""
) -> FindingOutcome:
    if check_key not in CHECKS:
        raise ValidationError("Unknown check.")
    if outcome not in (FindingOutcome.Outcome.APPLIED, FindingOutcome.Outcome.DISMISSED):
        raise ValidationError("Unknown outcome.")
    reason = reason.strip()[:300]
    if outcome == FindingOutcome.Outcome.DISMISSED:
        _, severities = check_settings_for(ticket.team)
        if severities.get(check_key) == BLOCKING:
            raise ValidationError("A blocking rule cannot be dismissed; change the draft instead.")
        if not reason:
            raise ValidationError("Say why you are dismissing it, so the guidelines can be tuned.")
    return FindingOutcome.objects.create(
        ticket=ticket, agent=user, team=ticket.team, check_key=check_key, outcome=outcome, reason=reason
    )


# --- reading customer messages ----------------------------------------------------------------------------


ABUSE_TERMS_KEY = "guidelines:abuse-terms"
# Every incoming message is read against the team's own words; they change rarely, so each process
# keeps them a minute (a change clears them at once in the process that made it).
ABUSE_TERMS_SECONDS = 60


def extra_abuse_terms() -> tuple[tuple[str, str], ...]:
    terms = cache.get(ABUSE_TERMS_KEY)
    if terms is None:
        terms = tuple(AbuseTerm.objects.order_by("pk").values_list("category", "term"))
        cache.set(ABUSE_TERMS_KEY, terms, ABUSE_TERMS_SECONDS)
    return terms


def forget_abuse_terms(**kwargs: Any) -> None:
    cache.delete(ABUSE_TERMS_KEY)


def open_review(customer: Customer) -> CustomerReview | None:
    """A bulk job looks these up for its batch's customers at once (open_reviews_for_batch)."""
    return memo.read(
        f"guidelines:open-review:{customer.pk}",
        lambda: CustomerReview.objects.filter(customer=customer, ended_at__isnull=True).first(),
    )


def open_reviews_for_batch(customer_ids: Iterable[int]) -> None:
    ids = set(customer_ids)
    if not ids:
        return
    found: dict[int, CustomerReview] = {}
    for review in CustomerReview.objects.filter(customer_id__in=ids, ended_at__isnull=True).order_by("-pk"):
        found[review.customer_id] = review
    for customer_id in ids:
        memo.remember(f"guidelines:open-review:{customer_id}", found.get(customer_id))


def team_leads(team: Team) -> list[Agent]:
    return list(Agent.objects.filter(teams=team, role__in=["lead"]).select_related("user").order_by("pk"))


def do_read_customer_message(
    message: Message, *, notify: bool = True, new_customer: bool = False
) -> MessageReading:
    """Read an incoming customer message; shield it (and route the ticket to a lead) when it is abusive
    or the customer is on review. Called inside the ticket action's transaction.

    `new_customer`: the author was created in this same transaction, so nobody has put them on review."""
    reading = read_message(message.body_text, extra_abuse_terms())
    ticket = message.ticket
    review = (
        open_review(message.author_customer)  # type: ignore[arg-type]
        if message.author_customer_id and not new_customer
        else None
    )
    row = deferred.insert(MessageReading(
        message=message,
        ticket=ticket,
        tone=reading.tone,
        compound=reading.compound,
        abusive=reading.abusive,
        categories=list(reading.categories) or (["insult"] if reading.abusive else []),
        shielded=reading.abusive or review is not None,
        exposed_agent_id=ticket.assignee_id if reading.abusive else None,
        created_at=message.created_at,
    ))  # fmt: skip
    if reading.abusive and notify:
        _flag_to_leads(ticket, row)
    if review is not None and review.started_by_id:
        # On review: the customer's messages go to the lead who put them there, before anyone else.
        from helpwell.tickets.actions import do_assign_ticket

        lead = review.started_by
        if ticket.assignee_id != lead.pk:  # type: ignore[union-attr]
            do_assign_ticket(ticket, lead, actor=None)
    return row


def _flag_to_leads(ticket: Ticket, reading: MessageReading) -> None:
    """Tell the team's leads, by mail, that a message was held back; the text itself is not in the mail."""
    from django.conf import settings

    from helpwell.mail.outbox import queue_mail

    assignee = getattr(ticket.assignee, "agent", None) if ticket.assignee_id else None
    for lead in team_leads(ticket.team):
        if not lead.user.email or lead.user_id == ticket.assignee_id:
            continue
        queue_mail(
            kind="abuse-flag",
            to=lead.user.email,
            template="abuse_flag",
            context={
                "ticket": ticket,
                "categories": ", ".join(reading.categories) or "abusive",
                "agent_name": assignee.display_name if assignee else "",
                "url": settings.SITE_URL + reverse("tickets-detail", args=[ticket.reference]),
                "wellbeing_url": settings.SITE_URL + reverse("guidelines-wellbeing"),
            },
            ticket=ticket,
        )


def readings_for(ticket: Ticket) -> dict[int, MessageReading]:
    return {r.message_id: r for r in MessageReading.objects.filter(ticket=ticket)}


@transaction.atomic
def do_open_shielded(reading: MessageReading, user: Any) -> bool:
    """The agent chose to read a shielded message. Counted once per agent and message."""
    _, created = ShieldOpening.objects.get_or_create(reading=reading, user=user)
    return created


@transaction.atomic
def do_take_over(ticket: Ticket, lead: Any) -> None:
    """Take the heat: the lead takes the ticket over from the agent the abuse landed on."""
    from helpwell.tickets.actions import do_assign_ticket

    previous = ticket.assignee
    do_assign_ticket(ticket, lead, actor=lead)
    _mark_handled(ticket, lead, f"taken over by {_name(lead)}")
    audit(lead, "guidelines.took_over", ticket, {"from": str(previous or "nobody"), "to": str(lead)})


@transaction.atomic
def do_reassign_after_abuse(ticket: Ticket, lead: Any, assignee: Any) -> None:
    from helpwell.tickets.actions import do_assign_ticket

    previous = ticket.assignee
    do_assign_ticket(ticket, assignee, actor=lead)
    _mark_handled(ticket, lead, f"reassigned to {_name(assignee)}")
    audit(
        lead,
        "guidelines.reassigned_after_abuse",
        ticket,
        {"from": str(previous or "nobody"), "to": str(assignee)},
    )


def _name(user: Any) -> str:
    agent = getattr(user, "agent", None)
    return agent.display_name if agent else str(user)


def _mark_handled(ticket: Ticket, lead: Any, handling: str) -> None:
    MessageReading.objects.filter(ticket=ticket, shielded=True, handled_at__isnull=True).update(
        handled_at=timezone.now(), handled_by=lead, handling=handling
    )


@transaction.atomic
def do_put_on_review(customer: Customer, lead: Any, reason: str) -> CustomerReview:
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why, for the record: the customer may ask.")
    if open_review(customer) is not None:
        raise ValidationError(f"{customer.name} is already on review.")
    review = CustomerReview.objects.create(customer=customer, reason=reason[:300], started_by=lead)
    audit(lead, "guidelines.customer_on_review", customer, {"reason": reason[:300]})
    return review


@transaction.atomic
def do_end_review(customer: Customer, lead: Any) -> None:
    review = open_review(customer)
    if review is None:
        return
    review.ended_at = timezone.now()
    review.ended_by = lead
    review.save(update_fields=["ended_at", "ended_by"])
    audit(lead, "guidelines.customer_review_ended", customer, {"since": review.started_at.isoformat()})


def conduct_reply(ticket: Ticket, user: Any, conduct_url: str) -> str:
    template = CodeOfConduct.load().reply_template
    agent = getattr(user, "agent", None)
    values = {
        "customer": ticket.customer.name.split()[0] if ticket.customer.name else "there",
        "agent": agent.first_name if agent else "",
        "conduct_url": conduct_url,
    }
    out = template
    for key, value in values.items():
        out = out.replace("{" + key + "}", value)
    return out


def conduct_url(request: Any) -> str:
    return request.build_absolute_uri(reverse("guidelines-conduct"))


# --- leads edit the guidelines (every change audited) -----------------------------------------------------


@transaction.atomic
def do_update_guideline(
    team: Team | None, lead: Any, *, text: str, target_grade: float, min_words: int, max_words: int
) -> dict[str, list[Any]]:
    if not text.strip():
        raise ValidationError("The guidelines page cannot be empty.")
    if not 1 <= target_grade <= 20:
        raise ValidationError("The target reading grade is between 1 and 20.")
    if min_words >= max_words:
        raise ValidationError("The shortest reply must be shorter than the longest.")
    guideline = Guideline.objects.filter(team=team).first() or Guideline(team=team)
    changes: dict[str, list[Any]] = {}
    for field, new in (("text", text.strip()), ("target_grade", target_grade), ("min_words", min_words),
                       ("max_words", max_words)):  # fmt: skip
        old = getattr(guideline, field) if guideline.pk else None
        if old != new:
            setattr(guideline, field, new)
            changes[field] = [
                old if field != "text" else "(previous text)",
                new if field != "text" else "(new text)",
            ]
    if changes:
        guideline.updated_at = timezone.now()
        guideline.save()
        audit(lead, "guidelines.updated", guideline, {"team": str(team or "all teams"), **changes})
    return changes


@transaction.atomic
def do_update_check_settings(
    team: Team | None, lead: Any, wanted: dict[str, tuple[bool, str]]
) -> dict[str, Any]:
    """wanted: check key → (enabled, severity). Only what changed is stored and audited."""
    enabled, severities = check_settings_for(team)
    changes: dict[str, Any] = {}
    for key, (on, severity) in wanted.items():
        if key not in CHECKS or severity not in SEVERITIES:
            raise ValidationError(f"Unknown check or severity: {key} {severity}.")
        if (key in enabled) == on and severities[key] == severity:
            continue
        CheckSetting.objects.update_or_create(
            team=team, check_key=key, defaults={"enabled": on, "severity": severity}
        )
        changes[key] = {"enabled": [key in enabled, on], "severity": [severities[key], severity]}
    if changes:
        target = team or Guideline.objects.filter(team=None).first() or Guideline.objects.create(team=None)
        audit(lead, "guidelines.checks_changed", target, {"team": str(team or "all teams"), **changes})
    return changes


@transaction.atomic
def do_add_glossary_entry(team: Team | None, lead: Any, term: str, plain: str) -> GlossaryEntry:
    term, plain = term.strip(), plain.strip()
    if not term or not plain:
        raise ValidationError("A glossary entry needs the term and the plain words to use instead.")
    if GlossaryEntry.objects.filter(team=team, term__iexact=term).exists():
        raise ValidationError(f"“{term}” is already in the glossary.")
    entry = GlossaryEntry.objects.create(team=team, term=term[:60], plain=plain[:120])
    audit(lead, "guidelines.glossary_added", entry, {"term": term, "plain": plain})
    return entry


@transaction.atomic
def do_remove_glossary_entry(entry: GlossaryEntry, lead: Any) -> None:
    audit(lead, "guidelines.glossary_removed", entry, {"term": entry.term, "plain": entry.plain})
    entry.delete()


@transaction.atomic
def do_add_abuse_term(lead: Any, category: str, term: str) -> AbuseTerm:
    term = " ".join(term.lower().split())
    if category not in AbuseTerm.Category.values or not term:
        raise ValidationError("Choose a category and type the word.")
    row, created = AbuseTerm.objects.get_or_create(category=category, term=term[:60])
    if created:
        audit(lead, "guidelines.abuse_term_added", row, {"category": category, "term": term})
    return row


@transaction.atomic
def do_set_delay_notice(team: Team | None, lead: Any, text: str, min_days: int) -> DelayNotice:
    if not text.strip() or min_days < 1:
        raise ValidationError("A delay notice needs its wording and the shortest delay in days.")
    notice = DelayNotice.objects.create(team=team, text=text.strip()[:200], min_days=min_days)
    audit(lead, "guidelines.delay_notice_opened", notice, {"text": notice.text, "min_days": min_days})
    return notice


@transaction.atomic
def do_close_delay_notice(notice: DelayNotice, lead: Any) -> None:
    notice.active = False
    notice.save(update_fields=["active"])
    audit(lead, "guidelines.delay_notice_closed", notice, {"text": notice.text})


@transaction.atomic
def do_update_conduct(lead: Any, *, text: str, reply_template: str) -> dict[str, Any]:
    if not text.strip() or not reply_template.strip():
        raise ValidationError("The code of conduct and its reply cannot be empty.")
    conduct = CodeOfConduct.load()
    changes = {}
    if conduct.text != text.strip():
        changes["text"] = "changed"
    if conduct.reply_template != reply_template.strip():
        changes["reply_template"] = "changed"
    if changes:
        conduct.text, conduct.reply_template = text.strip(), reply_template.strip()
        conduct.updated_at = timezone.now()
        conduct.save()
        audit(lead, "guidelines.conduct_updated", conduct, changes)
    return changes


def teams_for_lead(agent: Agent) -> Iterable[Team]:
    return Team.objects.all() if agent.is_admin else agent.teams.all()
