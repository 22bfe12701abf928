"""Who is calling the API.

Three ways in, each ending in a `Caller` on `request.auth`:

- an agent's API token: `Authorization: Bearer hw_...`. Only its SHA-256 is stored
  (Agent.api_token_hash, indexed), so finding the agent is one indexed query and a leaked
  database does not leak working tokens;
- a customer's portal magic token: `Authorization: Bearer <token from the magic link>`. It is
  signed, so a forged one is refused without touching the database; it stands for one customer,
  who sees their own tickets and public messages only;
- the agent's browser session (for the docs page and small scripts in the agent UI), with
  Django's CSRF check on unsafe methods.
"""

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from helpwell.people.models import Agent, Customer
from helpwell.portal.links import customer_from_token

from .errors import ApiError

TOKEN_PREFIX = "hw_"


def new_token() -> str:
    """A fresh agent token: a recognisable prefix and 256 random bits."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Caller:
    """The person behind a request: an agent (with their user) or a customer, never both."""

    via: str  # "token", "session" or "magic-link"
    user: Any = None
    agent: Agent | None = None
    customer: Customer | None = None

    @property
    def is_agent(self) -> bool:
        return self.agent is not None

    @property
    def is_customer(self) -> bool:
        return self.customer is not None

    def __bool__(self) -> bool:  # ninja treats a falsy result as "not authenticated"
        return True


def require_agent(request: HttpRequest) -> Caller:
    caller: Caller = request.auth  # type: ignore[attr-defined]
    if not caller.is_agent:
        raise ApiError(403, "forbidden", "Only members of the support team may do this.")
    return caller


def caller_of(request: HttpRequest) -> Caller:
    return request.auth  # type: ignore[attr-defined]


# token hash -> (agent, monotonic time it was read). An integration sends the same token many
# times a second; reading it once per TOKEN_CACHE_SECONDS instead of per request saves a query on
# every call. Issuing or revoking a token clears it here at once and in other processes within
# those seconds (HELPWELL_API_TOKEN_CACHE_SECONDS=0 turns the cache off).
_agents_by_token: dict[str, tuple[Agent, float]] = {}
TOKEN_CACHE_LIMIT = 1000


def agent_for_token(token: str) -> Agent | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    digest = hash_token(token)
    ttl = settings.API_TOKEN_CACHE_SECONDS
    cached = _agents_by_token.get(digest)
    if cached is not None and time.monotonic() - cached[1] < ttl:
        return cached[0]
    agent = Agent.objects.select_related("user").filter(api_token_hash=digest).first()
    if agent is None or not agent.user.is_active:
        _agents_by_token.pop(digest, None)
        return None
    if ttl > 0:
        if len(_agents_by_token) >= TOKEN_CACHE_LIMIT:
            _agents_by_token.clear()
        _agents_by_token[digest] = (agent, time.monotonic())
    return agent


def forget_token(digest: str) -> None:
    """Stop trusting a cached token in this process (it was revoked or replaced)."""
    _agents_by_token.pop(digest, None)


class BearerAuth(HttpBearer):
    """An agent API token or a customer's magic-link token."""

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        token = token.strip()
        if not token:
            return None
        if token.startswith(TOKEN_PREFIX):
            agent = agent_for_token(token)
            return Caller(via="token", user=agent.user, agent=agent) if agent else None
        customer = customer_from_token(token)
        return Caller(via="magic-link", customer=customer) if customer else None


class AgentSessionAuth(APIKeyCookie):
    """A signed-in agent's browser session, with Django's CSRF check on unsafe methods.

    The CSRF check runs only once the session is known to be an agent's: a request with no
    credentials at all must answer 401 "unauthorized", not 403 "CSRF failed".
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Caller | None:
        user = request.user
        agent = getattr(user, "agent", None) if user.is_authenticated else None
        if agent is None:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "CSRF check Failed")
        return Caller(via="session", user=user, agent=agent)

    def authenticate(self, request: HttpRequest, key: str | None) -> Caller | None:  # pragma: no cover
        return self(request)
