"""What only the API changes: agents' API tokens, and the API's compound ticket writes.

Ticket changes themselves are tickets.actions', called here with channel="api".
"""

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from helpwell.people.actions import do_find_or_create_customer
from helpwell.people.models import Agent, Customer, Team
from helpwell.system.audit import audit
from helpwell.tickets.actions import do_create_ticket, do_set_tags
from helpwell.tickets.models import Category, Channel, Priority, Ticket

from .auth import hash_token, new_token


@transaction.atomic
def do_issue_api_token(agent: Agent, *, actor: Any = None) -> str:
    """Give the agent a new API token, replacing any old one; returns it (the only time it is seen)."""
    token = new_token()
    agent.api_token_hash = hash_token(token)
    agent.save(update_fields=["api_token_hash"])
    audit(actor, "agent.api_token_issued", agent)
    return token


@transaction.atomic
def do_revoke_api_token(agent: Agent, *, actor: Any = None) -> None:
    if not agent.api_token_hash:
        return
    agent.api_token_hash = ""
    agent.save(update_fields=["api_token_hash"])
    audit(actor, "agent.api_token_revoked", agent)


# savepoint=False: this is all or nothing, so nested savepoints would only cost round trips.
@transaction.atomic(savepoint=False)
def do_open_ticket(
    *,
    subject: str,
    body: str,
    customer: Customer | None = None,
    customer_email: str = "",
    customer_name: str = "",
    actor: Any = None,
    priority: Priority | None = None,
    category: Category | None = None,
    team: Team | None = None,
    tags: Iterable[str] = (),
) -> Ticket:
    """A ticket opened through the API, acknowledged to the customer by mail like any other.

    Agents name the customer by address (found, or created); customers pass themselves.
    """
    if customer is None:
        customer, _ = do_find_or_create_customer(
            email=customer_email, name=customer_name, actor=actor, via="api"
        )
    ticket = do_create_ticket(
        customer=customer,
        subject=subject,
        body=body,
        channel=Channel.API,
        priority=priority,
        category=category,
        team=team,
        actor=actor,
    )
    tags = list(tags)
    if tags:
        do_set_tags(ticket, tags, actor=actor, channel=Channel.API)
    return ticket
