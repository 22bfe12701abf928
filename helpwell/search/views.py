"""The agent's global search, the article picker of the reply box, and saved searches."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from helpwell.kb.markdown import reply_text
from helpwell.tickets.access import agent_of

from .actions import do_delete_saved_search, do_save_search
from .models import SavedSearch
from .service import search_articles, search_people, search_tickets_for_agent


@login_required
@require_GET
def global_search(request: HttpRequest) -> HttpResponse:
    agent_of(request.user)
    query = request.GET.get("q", "").strip()[:200]
    status = request.GET.get("status", "")
    tickets = search_tickets_for_agent(request.user, query, status=status, limit=20) if query else []
    if len(tickets) == 1 and query.upper().startswith("HW-"):
        return redirect("tickets-detail", reference=tickets[0].ticket.reference)
    context = {
        "nav": "search",
        "query": query,
        "status": status,
        "tickets": tickets,
        "saved": SavedSearch.objects.filter(user_id=getattr(request.user, "pk", 0)),
    }
    return render(request, "search/results.html", context)


@login_required
@require_GET
def more_results(request: HttpRequest) -> HttpResponse:
    """Articles, customers and organisations for the search page, loaded right after the tickets."""
    agent_of(request.user)
    query = request.GET.get("q", "").strip()[:200]
    context = {
        "query": query,
        "articles": search_articles(query, user=request.user, limit=6) if query else [],
        "people": search_people(request.user, query, limit=6) if query else [],
    }
    return render(request, "search/_more.html", context)


@login_required
@require_GET
def article_picker(request: HttpRequest) -> HttpResponse:
    """Articles for the reply box: each can go into the reply as a link or as its text."""
    agent_of(request.user)
    query = request.GET.get("kbq", "").strip()[:200]
    results = search_articles(query, user=request.user, limit=6) if query else []
    for r in results:
        r.reply_text = reply_text(r.title, r.article.body)  # type: ignore[attr-defined]
    return render(request, "search/_article_picker.html", {"results": results, "query": query})


@login_required
@require_POST
def save_search(request: HttpRequest) -> HttpResponse:
    agent_of(request.user)
    query, status = request.POST.get("q", ""), request.POST.get("status", "")
    try:
        saved = do_save_search(request.user, name=request.POST.get("name", ""), query=query, status=status)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(reverse("search-global") + "?" + urlencode({"q": query}))
    messages.success(request, f"Saved “{saved.name}”.")
    return redirect(
        reverse("search-global")
        + "?"
        + urlencode({"saved": saved.pk, "q": saved.query, "status": saved.status})
    )


@login_required
@require_POST
def delete_saved_search(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    do_delete_saved_search(saved, actor=request.user)
    return redirect("search-global")
