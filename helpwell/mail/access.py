"""Who may read the dev mailbox: the mail the local catcher caught.

Caught mail holds customers' magic links, so it is for admins. When Helpwell runs with DEBUG on (a
developer's machine) every signed-in agent may read it too.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from helpwell.people.models import Agent
from helpwell.tickets.access import agent_of

from .models import CaughtMail


def can_read_mailbox(agent: Agent) -> bool:
    return agent.is_admin or bool(settings.DEBUG)


def get_mailbox_reader(user: Any) -> Agent:
    agent = agent_of(user)
    if not can_read_mailbox(agent):
        raise PermissionDenied("The dev mailbox is for admins.")
    return agent


def caught_mail_for_agent(user: Any) -> QuerySet[CaughtMail]:
    get_mailbox_reader(user)
    return CaughtMail.objects.all()


def get_caught_mail_for_agent(user: Any, pk: int) -> CaughtMail:
    try:
        return caught_mail_for_agent(user).get(pk=pk)
    except CaughtMail.DoesNotExist:
        raise Http404("No such mail; it may have been pruned.") from None
