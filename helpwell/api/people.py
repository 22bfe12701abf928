"""/api/v1/me, /customers and /agents."""

from django.db.models import Q
from django.http import Http404, HttpRequest
from ninja import Query, Router

from . import present
from .access import agents_for_agent, customers_for_agent
from .auth import caller_of, require_agent
from .pagination import Key, paginate
from .schemas import AgentPage, CustomerFilters, CustomerOut, CustomerPage, ErrorOut, MeOut, PageParams

router = Router()

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
NEWEST_FIRST = (Key("id", True),)
BY_ID = (Key("id", False),)


@router.get("/me", response={200: MeOut, **ERRORS}, tags=["people"], summary="Who am I")
def me(request: HttpRequest) -> MeOut:
    """The agent or customer the credentials stand for."""
    caller = caller_of(request)
    if caller.is_agent:
        assert caller.agent is not None
        agent = agents_for_agent(caller).get(pk=caller.agent.pk)
        return MeOut(type="agent", via=caller.via, agent=present.agent(agent, present.Urls(request)))  # type: ignore[arg-type]
    assert caller.customer is not None
    return MeOut(type="customer", via=caller.via, customer=present.customer(caller.customer))  # type: ignore[arg-type]


@router.get(
    "/customers", response={200: CustomerPage, **ERRORS}, tags=["people"], summary="List customers (agents)"
)
def list_customers(request: HttpRequest, filters: Query[CustomerFilters]) -> CustomerPage:
    """Newest customers first; `q` searches names and email addresses, `email` finds one address."""
    caller = require_agent(request)
    qs = customers_for_agent(caller)
    if filters.email:
        qs = qs.with_email(filters.email)
    if filters.q and filters.q.strip():
        q = filters.q.strip()
        qs = qs.filter(Q(name__icontains=q) | Q(email__icontains=q))
    page = paginate(qs, NEWEST_FIRST, cursor=filters.cursor, limit=filters.limit, name="customers")
    return CustomerPage(items=[present.customer(c) for c in page.items], next=page.next)


@router.get(
    "/customers/{int:customer_id}",
    response={200: CustomerOut, **ERRORS},
    tags=["people"],
    summary="Get a customer (agents)",
)
def get_customer(request: HttpRequest, customer_id: int) -> CustomerOut:
    caller = require_agent(request)
    customer = customers_for_agent(caller).filter(pk=customer_id).first()
    if customer is None:
        raise Http404("No such customer.")
    return present.customer(customer)


@router.get("/agents", response={200: AgentPage, **ERRORS}, tags=["people"], summary="List agents (agents)")
def list_agents(request: HttpRequest, params: Query[PageParams]) -> AgentPage:
    """The support team: names, titles, photos and teams."""
    caller = require_agent(request)
    page = paginate(agents_for_agent(caller), BY_ID, cursor=params.cursor, limit=params.limit, name="agents")
    urls = present.Urls(request)
    return AgentPage(items=[present.agent(a, urls) for a in page.items], next=page.next)
