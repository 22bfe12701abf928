"""The help centre (public, under /help/) and the knowledge base editor and reports (agents, /agent/kb/)."""

import difflib
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helpwell.lib.ratelimit import hit_request
from helpwell.people.models import LANGUAGE_CHOICES
from helpwell.portal.access import portal_customer
from helpwell.search.service import search_articles, search_tickets_for_customer, suggest_articles
from helpwell.tickets.access import get_ticket_for_agent, messages_for_agent

from . import access
from .actions import (
    do_archive_article,
    do_create_article,
    do_mark_reviewed,
    do_publish_article,
    do_record_deflection,
    do_record_event,
    do_record_suggestions,
    do_save_translation,
    do_submit_for_review,
    do_update_article,
    do_vote_article,
)
from .forms import ArticleForm, ReviewedForm, ScheduleForm, TranslationForm, VoteForm
from .models import (
    DEFAULT_LANGUAGE,
    Article,
    ArticleCategory,
    ArticleFeedback,
    ArticleStatus,
    ArticleTranslation,
    Deflection,
    KbEvent,
)

LANGUAGES = {code for code, _ in LANGUAGE_CHOICES}


def _session_key(request: HttpRequest) -> str:
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key or ""


def _language(request: HttpRequest, customer: Any) -> str:
    """?lang= if asked for, else the customer's language, else the browser's first choice."""
    browser = request.headers.get("Accept-Language", "")[:2].lower()
    wanted = request.GET.get("lang") or (customer.language if customer else "") or browser or DEFAULT_LANGUAGE
    return wanted[:8] if wanted[:8] in LANGUAGES else DEFAULT_LANGUAGE


def _localised(article: Article, language: str) -> dict[str, Any]:
    """Title and body in the visitor's language when a translation exists, English otherwise."""
    translation = None
    if language != DEFAULT_LANGUAGE:
        translation = ArticleTranslation.objects.filter(article=article, language=language).first()
    source: Any = translation or article
    return {
        "title": source.title,
        "summary": source.summary,
        "body_html": source.body_html,
        "language": translation.language if translation else DEFAULT_LANGUAGE,
        "languages": [DEFAULT_LANGUAGE, *article.translations.values_list("language", flat=True)],
    }


def public_rate_limited(view: Any) -> Any:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not hit_request(request, f"kb-{view.__name__}", limit=settings.PUBLIC_FORM_RATE):
            return HttpResponse("Too many answers from your address; please try again later.", status=429)
        return view(request, *args, **kwargs)

    return wrapper


# --- the public help centre ----------------------------------------------------------------------


@require_GET
def help_home(request: HttpRequest) -> HttpResponse:
    customer = portal_customer(request)
    visible = access.articles_for_visitor(customer)
    counts = dict(visible.values_list("category").annotate(n=Count("id")).values_list("category", "n"))
    categories = [c for c in ArticleCategory.objects.all() if counts.get(c.pk)]
    for c in categories:
        c.count = counts[c.pk]  # type: ignore[attr-defined]
    faq = visible.filter(is_faq=True).select_related("category")[:8]
    return render(request, "kb/help_home.html", {"categories": categories, "faq": faq, "customer": customer})


@require_GET
def help_category(request: HttpRequest, slug: str) -> HttpResponse:
    customer = portal_customer(request)
    category = get_object_or_404(ArticleCategory, slug=slug)
    articles = access.articles_for_visitor(customer).filter(category=category)
    if not articles:
        return render(request, "kb/help_category.html", {"category": category, "articles": []}, status=404)
    return render(request, "kb/help_category.html", {"category": category, "articles": articles})


@require_GET
def help_faq(request: HttpRequest) -> HttpResponse:
    customer = portal_customer(request)
    articles = access.articles_for_visitor(customer).filter(is_faq=True).select_related("category")
    groups: dict[Any, list[Article]] = {}
    for a in articles:
        groups.setdefault(a.category, []).append(a)
    return render(request, "kb/help_faq.html", {"groups": list(groups.items())})


@never_cache
@require_GET
def help_search(request: HttpRequest) -> HttpResponse:
    customer = portal_customer(request)
    query = request.GET.get("q", "").strip()[:200]
    results = (
        search_articles(query, customer=customer, language=_language(request, customer)) if query else []
    )
    # A signed-in customer also finds their own requests (never anyone else's, never internal notes).
    requests = search_tickets_for_customer(customer, query, limit=5) if query and customer else []
    if query:
        do_record_event(KbEvent.Kind.SEARCHED, session_key=_session_key(request), query=query)
    context = {"query": query, "results": results, "requests": requests}
    return render(request, "kb/help_search.html", context)


@never_cache
@require_GET
def help_article(request: HttpRequest, slug: str) -> HttpResponse:
    customer = portal_customer(request)
    article = access.get_article_for_visitor(customer, slug)
    session_key = _session_key(request)
    from_form = request.GET.get("from") == "request"
    do_record_event(KbEvent.Kind.VIEWED, session_key=session_key, article=article)
    if from_form:
        do_record_event(KbEvent.Kind.OPENED, session_key=session_key, article=article)
    related = access.articles_for_visitor(customer).filter(pk__in=article.related.values("pk"))[:5]
    voted = ArticleFeedback.objects.filter(article=article, session_key=session_key).first()
    answered = Deflection.objects.filter(article=article, session_key=session_key).exists()
    author = getattr(article.author, "agent", None) if article.author_id else None
    context = {
        "article": article,
        "text": _localised(article, _language(request, customer)),
        "related": related,
        "author": author,
        "voted": voted,
        "from_form": from_form,
        "answered": answered,
        "vote_form": VoteForm(),
    }
    return render(request, "kb/help_article.html", context)


@require_POST
@public_rate_limited
def vote(request: HttpRequest, slug: str) -> HttpResponse:
    customer = portal_customer(request)
    article = access.get_article_for_visitor(customer, slug)
    form = VoteForm(request.POST)
    if not form.is_valid():
        return render(
            request, "kb/help_article.html#vote", {"article": article, "vote_form": form}, status=400
        )
    voted = do_vote_article(
        article, helpful=form.cleaned_data["helpful"], comment=form.cleaned_data["comment"].strip(),
        customer=customer, session_key=_session_key(request),
    )  # fmt: skip
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "kb/help_article.html#vote", {"article": article, "voted": voted})
    return redirect(reverse("kb-help-article", args=[article.slug]) + "#vote")


@require_POST
@public_rate_limited
def answered(request: HttpRequest, slug: str) -> HttpResponse:
    """'This answered my question': the customer will not need to send the request."""
    customer = portal_customer(request)
    article = access.get_article_for_visitor(customer, slug)
    do_record_deflection(
        article, session_key=_session_key(request), query=request.POST.get("q", ""), customer=customer
    )
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "kb/_answered.html", {"article": article})
    return redirect(reverse("kb-help-article", args=[article.slug]) + "?from=request")


@never_cache
@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """Suggestions for the request form, as the customer types (htmx, debounced)."""
    if not hit_request(request, "kb-suggest", limit=settings.SUGGEST_RATE):
        return HttpResponse("", status=429)
    customer = portal_customer(request)
    text = f"{request.GET.get('subject', '')} {request.GET.get('description', '')}".strip()[:1000]
    results = (
        suggest_articles(text, customer=customer, language=_language(request, customer))
        if len(text) >= 4
        else []
    )
    if results:
        session_key = _session_key(request)
        already = set(
            KbEvent.objects.filter(session_key=session_key, kind=KbEvent.Kind.SUGGESTED).values_list(
                "article_id", flat=True
            )
        )
        fresh = [r.article for r in results if r.article.pk not in already]
        if fresh:
            do_record_suggestions(fresh, session_key=session_key, query=text)
    return render(request, "kb/_suggestions.html", {"results": results, "query": text[:200]})


# --- the editor (agents) -------------------------------------------------------------------------


def agent_view(view: Any) -> Any:
    return login_required(view)


@agent_view
@require_GET
def kb_list(request: HttpRequest) -> HttpResponse:
    articles = access.articles_for_agent(request.user).select_related("category", "owner__agent")
    status = request.GET.get("status", "")
    category = request.GET.get("category", "")
    query = request.GET.get("q", "").strip()
    if status == "stale":
        articles = articles.filter(review_by__lt=timezone.localdate()).exclude(status=ArticleStatus.ARCHIVED)
    elif status:
        articles = articles.filter(status=status)
    if category:
        articles = articles.filter(category__slug=category)
    if query:
        found = [r.article.pk for r in search_articles(query, user=request.user, limit=50)]
        articles = articles.filter(Q(pk__in=found) | Q(title__icontains=query))
    context = {
        "nav": "kb",
        "articles": articles.order_by("category__position", "title")[:300],
        "categories": ArticleCategory.objects.all(),
        "statuses": ArticleStatus.choices,
        "status": status,
        "category": category,
        "query": query,
        "stale_count": Article.objects.filter(review_by__lt=timezone.localdate())
        .exclude(status=ArticleStatus.ARCHIVED)
        .count(),
    }
    return render(request, "kb/agent_list.html", context)


@agent_view
@require_http_methods(["GET", "POST"])
def article_new(request: HttpRequest) -> HttpResponse:
    access.articles_for_agent(request.user)
    source_ticket = request.POST.get("source_ticket") or request.GET.get("ticket") or ""
    if request.method == "POST":
        form = ArticleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            article = do_create_article(
                actor=request.user, title=data["title"], body=data["body"], category=data["category"],
                summary=data["summary"], visibility=data["visibility"], owner=data["owner"], is_faq=data["is_faq"],
                review_by=data["review_by"], source_ticket=source_ticket[:12],
            )  # fmt: skip
            return redirect("kb-agent-article", slug=article.slug)
    else:
        initial: dict[str, Any] = {"owner": request.user, "visibility": "public"}
        if source_ticket:
            initial.update(_draft_from_ticket(request, source_ticket))
        form = ArticleForm(initial=initial)
    return render(request, "kb/agent_edit.html", {"nav": "kb", "form": form, "source_ticket": source_ticket})


def _draft_from_ticket(request: HttpRequest, reference: str) -> dict[str, Any]:
    """A draft from a solved ticket: the question in the customer's words, then the answer that worked."""
    ticket = get_ticket_for_agent(request.user, reference)
    thread = list(messages_for_agent(ticket).filter(kind="public"))
    question = next((m.body_text for m in thread if m.author_customer_id), "")
    answers = [m.body_text for m in thread if m.author_user_id]
    fix = answers[-1] if answers else ""
    body = (
        "## The question\n\n" + _quote(question) + "\n\n## What to do\n\n" + fix.strip() + "\n\n"
        "<!-- Remove names, order numbers and anything personal before publishing. -->\n"
    )
    return {"title": ticket.subject, "body": body, "visibility": "internal"}


def _quote(text: str) -> str:
    return "\n".join("> " + line for line in text.strip().splitlines())


@agent_view
@require_GET
def article_agent(request: HttpRequest, slug: str) -> HttpResponse:
    article = access.get_article_for_agent(request.user, slug)
    helpful = article.feedback.aggregate(
        yes=Count("id", filter=Q(helpful=True)), no=Count("id", filter=Q(helpful=False))
    )
    context = {
        "nav": "kb",
        "article": article,
        "versions": article.versions.select_related("author__agent")[:20],
        "translations": article.translations.all(),
        "comments": article.feedback.exclude(comment="").order_by("-created_at")[:10],
        "helpful": helpful,
        "may_publish": access.may_publish(request.user),
        "schedule_form": ScheduleForm(),
        "reviewed_form": ReviewedForm(initial={"review_by": timezone.localdate() + timedelta(days=180)}),
    }
    return render(request, "kb/agent_article.html", context)


@agent_view
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, slug: str) -> HttpResponse:
    article = access.get_article_for_agent(request.user, slug)
    if request.method == "POST":
        form = ArticleForm(request.POST, instance=Article.objects.get(pk=article.pk))
        if form.is_valid():
            do_update_article(
                article, actor=request.user, note=request.POST.get("note", ""), **form.cleaned_data
            )
            return redirect("kb-agent-article", slug=article.slug)
    else:
        form = ArticleForm(instance=article)
    return render(request, "kb/agent_edit.html", {"nav": "kb", "form": form, "article": article})


@agent_view
@require_POST
def article_state(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    article = access.get_article_for_agent(request.user, slug)
    try:
        if action == "submit":
            do_submit_for_review(article, actor=request.user)
        elif action == "publish":
            access.require_lead(request.user)
            form = ScheduleForm(request.POST)
            at = form.cleaned_data["publish_at"] if form.is_valid() else None
            do_publish_article(article, actor=request.user, at=at)
        elif action == "archive":
            access.require_lead(request.user)
            do_archive_article(article, actor=request.user)
        elif action == "reviewed":
            reviewed = ReviewedForm(request.POST)
            if reviewed.is_valid():
                do_mark_reviewed(article, actor=request.user, review_by=reviewed.cleaned_data["review_by"])
    except ValidationError as exc:
        from django.contrib import messages

        messages.error(request, " ".join(exc.messages))
    return redirect("kb-agent-article", slug=article.slug)


@agent_view
@require_GET
def article_versions(request: HttpRequest, slug: str) -> HttpResponse:
    article = access.get_article_for_agent(request.user, slug)
    versions = list(article.versions.select_related("author__agent"))
    number = int(request.GET.get("v") or (versions[0].number if versions else 1))
    current = next((v for v in versions if v.number == number), versions[0] if versions else None)
    previous = next((v for v in versions if current and v.number < current.number), None)
    diff: list[tuple[str, str]] = []
    if current is not None:
        old = ((previous.title + "\n\n" + previous.body) if previous else "").splitlines()
        new = (current.title + "\n\n" + current.body).splitlines()
        for line in difflib.unified_diff(old, new, lineterm="", n=2):
            if line.startswith(("---", "+++")):
                continue
            kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")
            diff.append((kind, line))
    context = {
        "nav": "kb",
        "article": article,
        "versions": versions,
        "current": current,
        "previous": previous,
        "diff": diff,
    }
    return render(request, "kb/agent_versions.html", context)


@agent_view
@require_http_methods(["GET", "POST"])
def article_translate(request: HttpRequest, slug: str) -> HttpResponse:
    article = access.get_article_for_agent(request.user, slug)
    language = request.POST.get("language") or request.GET.get("language") or "de"
    existing = ArticleTranslation.objects.filter(article=article, language=language).first()
    if request.method == "POST":
        form = TranslationForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                do_save_translation(
                    article, actor=request.user, language=d["language"], title=d["title"], body=d["body"]
                )
            except ValidationError as exc:
                form.add_error("language", exc)
            else:
                return redirect("kb-agent-article", slug=article.slug)
    else:
        initial = {"language": language, "title": existing.title if existing else article.title,
                   "body": existing.body if existing else article.body}  # fmt: skip
        form = TranslationForm(initial=initial)
    return render(request, "kb/agent_translate.html", {"nav": "kb", "article": article, "form": form})


@agent_view
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """Self-service at a glance for leads: views, suggestions, votes, deflection; what is stale."""
    access.require_lead(request.user)
    days = max(1, min(int(request.GET.get("days", "30") or 30), 365))
    since = timezone.now() - timedelta(days=days)
    events = KbEvent.objects.filter(created_at__gte=since)
    counts = dict(events.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    form_sessions = events.filter(kind=KbEvent.Kind.SUGGESTED).values("session_key").distinct().count()
    deflections = Deflection.objects.filter(created_at__gte=since)
    deflected = deflections.filter(submitted_anyway=False).values("session_key").distinct().count()
    votes = ArticleFeedback.objects.filter(created_at__gte=since).aggregate(
        yes=Count("id", filter=Q(helpful=True)), no=Count("id", filter=Q(helpful=False))
    )
    per_article = (
        events.filter(article__isnull=False)
        .values("article")
        .annotate(
            views=Count("id", filter=Q(kind=KbEvent.Kind.VIEWED)),
            shown=Count("id", filter=Q(kind=KbEvent.Kind.SUGGESTED)),
            answered=Count("id", filter=Q(kind=KbEvent.Kind.ANSWERED)),
        )
        .order_by("-answered", "-views")[:15]
    )
    articles = Article.objects.in_bulk([row["article"] for row in per_article])
    top_rows = [(articles[row["article"]], row) for row in per_article if row["article"] in articles]
    stale = (
        Article.objects.filter(review_by__lt=timezone.localdate())
        .exclude(status=ArticleStatus.ARCHIVED)
        .select_related("owner__agent", "category")
        .order_by("review_by")
    )
    context = {
        "nav": "kb",
        "days": days,
        "views": counts.get(KbEvent.Kind.VIEWED, 0),
        "shown": counts.get(KbEvent.Kind.SUGGESTED, 0),
        "opened": counts.get(KbEvent.Kind.OPENED, 0),
        "searches": counts.get(KbEvent.Kind.SEARCHED, 0),
        "form_sessions": form_sessions,
        "deflected": deflected,
        "deflection_rate": (deflected / form_sessions) if form_sessions else 0.0,
        "votes": votes,
        "top_rows": top_rows,
        "stale": stale,
    }
    return render(request, "kb/agent_report.html", context)
