"""Changes to people: agents' profiles, photos, roles and teams, and customers; all audited."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower

from helpwell.lib.images import BadImage, normalise_photo
from helpwell.lib.timefmt import is_time_zone
from helpwell.search import index as search_index
from helpwell.system import deferred, memo
from helpwell.system.audit import audit

from .models import LANGUAGE_CHOICES, Agent, Customer, Organisation, Role, Team

PROFILE_FIELDS = (
    "display_name",
    "job_title",
    "bio",
    "interests",
    "languages",
    "time_zone",
    "show_on_team_page",
)


def _short(value: Any) -> Any:
    # The audit log says what changed; a 1,000-character bio does not need to be copied into it twice.
    if isinstance(value, str) and len(value) > 120:
        return value[:117] + "…"
    return value


@transaction.atomic
def do_update_profile(agent: Agent, *, actor: Any, **values: Any) -> dict[str, list[Any]]:
    """Change the fields an agent edits about themselves; returns {field: [old, new]} for what changed."""
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not profile fields: {', '.join(sorted(unknown))}")
    if "display_name" in values and not str(values["display_name"]).strip():
        raise ValidationError("A display name is needed: it is how customers see you.")
    changes: dict[str, list[Any]] = {}
    for field, new in values.items():
        if isinstance(new, str):
            new = new.strip()
        old = getattr(agent, field)
        if old != new:
            setattr(agent, field, new)
            changes[field] = [_short(old), _short(new)]
    if changes:
        agent.full_clean(exclude=["user", "photo", "teams"])
        agent.save(update_fields=list(changes))
        audit(actor, "people.profile_updated", agent, changes)
    return changes


@transaction.atomic
def do_set_photo(agent: Agent, data: bytes | None, *, actor: Any) -> None:
    """Store an uploaded photo as a 256×256 JPEG without EXIF, or remove it (data=None).

    The old file is deleted once the change has committed, so a failed request never loses a photo.
    """
    old_name = agent.photo.name if agent.photo else ""
    if data is None:
        if not old_name:
            return
        agent.photo = None  # type: ignore[assignment]
        agent.save(update_fields=["photo"])
        audit(actor, "people.photo_removed", agent)
    else:
        try:
            jpeg = normalise_photo(data)
        except BadImage as exc:
            raise ValidationError(str(exc)) from exc
        agent.photo.save("photo.jpg", ContentFile(jpeg), save=False)
        agent.save(update_fields=["photo"])
        audit(actor, "people.photo_set", agent, {"size": len(jpeg)})
    if old_name:
        storage = agent.photo.storage
        transaction.on_commit(lambda: storage.delete(old_name))


@transaction.atomic
def do_update_membership(
    agent: Agent, *, role: str, teams: Iterable[Team], actor: Any
) -> dict[str, list[Any]]:
    """An admin changes someone's role or teams. Helpwell always keeps at least one admin."""
    if role not in Role.values:
        raise ValidationError(f"Unknown role {role!r}.")
    changes: dict[str, list[Any]] = {}
    if agent.role != role:
        if (
            agent.role == Role.ADMIN
            and not Agent.objects.filter(role=Role.ADMIN).exclude(pk=agent.pk).exists()
        ):
            raise ValidationError(
                f"{agent.display_name} is the only admin; make someone else an admin first."
            )
        changes["role"] = [agent.role, role]
        agent.role = role
        agent.save(update_fields=["role"])
    wanted = sorted({t.pk: t.name for t in teams}.items())
    current = sorted(agent.teams.values_list("pk", "name"))
    if wanted != current:
        agent.teams.set([pk for pk, _ in wanted])
        agent.__dict__.pop("_team_ids", None)  # helpwell.tickets.access.team_ids_of's memo
        changes["teams"] = [[name for _, name in current], [name for _, name in wanted]]
    if changes:
        audit(actor, "people.membership_updated", agent, changes)
    return changes


def normalise_email(email: str) -> str:
    """Lower-case the domain (case-insensitive by standard); keep the local part as typed."""
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if local else email.strip()


# No savepoint of its own: a failure rolls back the caller's transaction (or the caller's savepoint).
@transaction.atomic(savepoint=False)
def do_find_or_create_customer(
    *, email: str, name: str = "", time_zone: str = "", actor: Any = None, via: str
) -> tuple[Customer, bool]:
    """The customer with this address, or a new one (matched to an organisation by mail domain).

    An existing customer keeps their name and time zone: anyone can type anyone's address into a
    public form or an API call, so what was typed there must never change who the customer is.
    """
    email = normalise_email(email)
    # One index lookup finds the address in any letter case; the exact spelling wins if several do.
    # A bulk job looks up its batch's senders at once (look_up_customers_for_batch) into its memo.
    matches = memo.read(
        customer_memo_key(email), lambda: list(Customer.objects.with_email(email).order_by("pk")[:10])
    )
    existing = next((c for c in matches if c.email == email), matches[0] if matches else None)
    if existing is not None:
        return existing, False
    domain = email.rpartition("@")[2]
    customer = deferred.insert(Customer(
        name=name.strip()[:200] or email.partition("@")[0],
        email=email,
        organisation=memo.read(f"people:organisation:{domain}", lambda: organisation_for_domain(domain)),
        time_zone=time_zone if is_time_zone(time_zone) else "UTC",
    ))  # fmt: skip
    audit(actor if actor is not None else customer, "customer.created", customer, {"via": via})
    search_index.index_customer(customer)
    memo.remember(customer_memo_key(email), [customer])
    return customer, True


def customer_memo_key(email: str) -> str:
    return f"people:customers-with-email:{email.strip().lower()}"


def look_up_customers_for_batch(emails: Iterable[str]) -> None:
    """For a bulk job: the customers (and the organisations of new ones' domains) for all these
    addresses in two queries, kept in the batch's memo for do_find_or_create_customer."""
    lowered = {normalise_email(e).lower() for e in emails if "@" in e}
    if not lowered:
        return
    found: dict[str, list[Customer]] = {e: [] for e in lowered}
    rows = Customer.objects.alias(email_lower=Lower("email")).filter(email_lower__in=lowered).order_by("pk")
    for customer in rows:
        found[customer.email.lower()].append(customer)
    for email, matches in found.items():
        memo.remember(customer_memo_key(email), matches[:10])
    domains = {e.rpartition("@")[2] for e, matches in found.items() if not matches}
    if domains:
        orgs: dict[str, Organisation] = {}
        # The last one kept is the first by name, as organisation_for_domain's .first() picks.
        for org in (
            Organisation.objects.alias(d=Lower("domain")).filter(d__in=domains).order_by("-name", "-pk")
        ):
            orgs[org.domain.lower()] = org
        for domain in domains:
            memo.remember(f"people:organisation:{domain}", orgs.get(domain))


def organisation_for_domain(domain: str) -> Organisation | None:
    return Organisation.objects.filter(domain__iexact=domain).first() if domain else None


IMPORTABLE_LANGUAGES = {code for code, _ in LANGUAGE_CHOICES}


@transaction.atomic
def do_import_customer_row(row: dict[str, str]) -> str:
    """One CSV row: create the customer, or fill only the blanks of an existing one. Returns what happened."""
    email = row.get("email", "")
    try:
        validate_email(email)
    except ValidationError:
        raise ValueError(f"“{email}” is not an email address") from None
    time_zone = row.get("time_zone", "")
    if time_zone and not is_time_zone(time_zone):
        raise ValueError(f"“{time_zone}” is not a time zone (use names like Europe/Berlin)")
    language = row.get("language", "").lower()
    if language and language not in IMPORTABLE_LANGUAGES:
        raise ValueError(
            f"“{language}” is not a language Helpwell knows ({', '.join(sorted(IMPORTABLE_LANGUAGES))})"
        )
    organisation = None
    if row.get("organisation"):
        organisation, org_created = Organisation.objects.get_or_create(name=row["organisation"][:200])
        if org_created:
            search_index.index_organisation(organisation)
    customer, created = do_find_or_create_customer(
        email=email, name=row.get("name", ""), time_zone=time_zone, via="import"
    )
    # Only blanks are filled: what the team already knows about an existing customer stays.
    changes: dict[str, str] = {}
    if organisation is not None and customer.organisation_id is None:
        customer.organisation = organisation
        changes["organisation"] = organisation.name
    if language and created and customer.language != language:
        customer.language = language
        changes["language"] = language
    if changes:
        customer.save(update_fields=list(changes))
        search_index.index_customer(customer)
        if not created:
            audit(None, "customer.imported", customer, changes)
    if created:
        return "created"
    return "updated" if changes else "unchanged"
