"""Every change to the knowledge base goes through here: audited, versioned, indexed."""

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from helpwell.search.index import index_article
from helpwell.system.audit import audit

from .markdown import render_markdown, summarise
from .models import (
    DEFAULT_LANGUAGE,
    Article,
    ArticleCategory,
    ArticleFeedback,
    ArticleStatus,
    ArticleTranslation,
    ArticleVersion,
    Deflection,
    KbEvent,
)

EDITABLE = ("title", "summary", "body", "category", "visibility", "is_faq", "owner", "review_by")


def unique_slug(title: str, *, exclude: int | None = None) -> str:
    base = slugify(title)[:100] or "article"
    slug, n = base, 2
    others = Article.objects.exclude(pk=exclude) if exclude is not None else Article.objects.all()
    while others.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _snapshot(article: Article, *, actor: Any, note: str = "") -> None:
    ArticleVersion.objects.create(
        article=article,
        number=article.version,
        title=article.title,
        body=article.body,
        status=article.status,
        author=actor if getattr(actor, "pk", None) else None,
        note=note[:200],
    )


def _label(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value if not isinstance(value, str) or len(value) < 120 else value[:117] + "…"


@transaction.atomic
def do_create_article(
    *, actor: Any, title: str, body: str, category: ArticleCategory, summary: str = "", visibility: str = "public",
    owner: Any = None, is_faq: bool = False, review_by: date | None = None, slug: str = "", source_ticket: str = "",
) -> Article:  # fmt: skip
    article = Article(
        slug=slug or unique_slug(title),
        category=category,
        title=title.strip(),
        summary=summary.strip() or summarise(body),
        body=body,
        body_html=render_markdown(body),
        visibility=visibility,
        is_faq=is_faq,
        author=actor if getattr(actor, "pk", None) else None,
        owner=owner or (actor if getattr(actor, "pk", None) else None),
        source_ticket=source_ticket,
    )
    if review_by:
        article.review_by = review_by
    article.save()
    _snapshot(article, actor=actor, note="Created")
    index_article(article)
    audit(actor, "kb.article_created", article, {"title": article.title, "visibility": visibility})
    return article


@transaction.atomic
def do_update_article(article: Article, *, actor: Any, note: str = "", **values: Any) -> dict[str, list[Any]]:
    """Change an article; a new version is kept whenever the words change."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    changes: dict[str, list[Any]] = {}
    for field, new in values.items():
        old = getattr(article, field)
        if old != new:
            setattr(article, field, new)
            changes[field] = [_label(old), _label(new)]
    if not changes:
        return changes
    if "body" in changes:
        article.body_html = render_markdown(article.body)
    if "body" in changes or "title" in changes:
        article.version += 1
        _snapshot(article, actor=actor, note=note or "Edited")
    article.updated_at = timezone.now()
    article.save()
    index_article(article)
    audit(actor, "kb.article_updated", article, changes)
    return changes


def _set_status(article: Article, status: str, *, actor: Any, action: str, **extra: Any) -> None:
    old = article.status
    article.status = status
    for field, value in extra.items():
        setattr(article, field, value)
    article.updated_at = timezone.now()
    article.save()
    index_article(article)
    audit(actor, action, article, {"status": [old, status], **{k: _label(v) for k, v in extra.items()}})


@transaction.atomic
def do_submit_for_review(article: Article, *, actor: Any) -> None:
    if article.status not in (ArticleStatus.DRAFT, ArticleStatus.ARCHIVED):
        raise ValidationError("Only a draft can be sent for review.")
    _set_status(article, ArticleStatus.REVIEW, actor=actor, action="kb.article_submitted")


@transaction.atomic
def do_publish_article(article: Article, *, actor: Any, at: datetime | None = None) -> None:
    """Publish now, or schedule it: the sweep publishes it when the time comes."""
    now = timezone.now()
    if at is not None and at > now:
        article.publish_at = at
        article.save(update_fields=["publish_at"])
        audit(actor, "kb.article_scheduled", article, {"publish_at": at.isoformat()})
        return
    _set_status(
        article, ArticleStatus.PUBLISHED, actor=actor, action="kb.article_published",
        published_at=now, publish_at=None,
    )  # fmt: skip


@transaction.atomic
def do_archive_article(article: Article, *, actor: Any) -> None:
    _set_status(article, ArticleStatus.ARCHIVED, actor=actor, action="kb.article_archived", publish_at=None)


@transaction.atomic
def do_mark_reviewed(article: Article, *, actor: Any, review_by: date) -> None:
    """The owner checked it is still right: the next review date moves on."""
    old = article.review_by
    article.review_by = review_by
    article.review_reminded_at = None
    article.save(update_fields=["review_by", "review_reminded_at"])
    audit(actor, "kb.article_reviewed", article, {"review_by": [old.isoformat(), review_by.isoformat()]})


@transaction.atomic
def do_save_translation(article: Article, *, actor: Any, language: str, title: str, body: str,
                        summary: str = "") -> ArticleTranslation:  # fmt: skip
    if language == DEFAULT_LANGUAGE:
        raise ValidationError("The article itself is in English; choose another language.")
    translation, created = ArticleTranslation.objects.update_or_create(
        article=article,
        language=language,
        defaults={
            "title": title.strip(),
            "summary": summary.strip() or summarise(body),
            "body": body,
            "body_html": render_markdown(body),
            "updated_at": timezone.now(),
        },
    )
    index_article(article)
    audit(actor, "kb.translation_saved", article, {"language": language, "created": created})
    return translation


@transaction.atomic
def do_set_related(article: Article, related: list[Article], *, actor: Any) -> None:
    article.related.set([a for a in related if a.pk != article.pk])
    audit(actor, "kb.related_set", article, {"related": [a.slug for a in related]})


# --- self-service: what customers did --------------------------------------------------------------


def do_record_event(
    kind: str, *, session_key: str = "", article: Article | None = None, query: str = ""
) -> None:
    KbEvent.objects.create(kind=kind, article=article, session_key=session_key[:64], query=query[:200])


def do_record_suggestions(articles: list[Article], *, session_key: str, query: str) -> None:
    KbEvent.objects.bulk_create(
        [KbEvent(kind=KbEvent.Kind.SUGGESTED, article=a, session_key=session_key[:64], query=query[:200])
         for a in articles]
    )  # fmt: skip


@transaction.atomic
def do_vote_article(article: Article, *, helpful: bool, comment: str = "", customer: Any = None,
                    session_key: str = "") -> ArticleFeedback:  # fmt: skip
    """'Was this helpful?': one answer per browser session and article; a second click changes it."""
    existing = (
        ArticleFeedback.objects.filter(article=article, session_key=session_key).first()
        if session_key
        else None
    )
    if existing is not None:
        existing.helpful = helpful
        if comment:
            existing.comment = comment[:2000]
        existing.save(update_fields=["helpful", "comment"])
        feedback = existing
    else:
        feedback = ArticleFeedback.objects.create(
            article=article,
            helpful=helpful,
            comment=comment[:2000],
            customer=customer,
            session_key=session_key,
        )
    audit(customer, "kb.article_voted", article, {"helpful": helpful, "comment": bool(comment)})
    return feedback


@transaction.atomic
def do_record_deflection(
    article: Article, *, session_key: str, query: str = "", customer: Any = None
) -> Deflection:
    """'This answered my question' on the request form: a request we hope never to receive."""
    deflection, _ = Deflection.objects.get_or_create(
        article=article, session_key=session_key, submitted_anyway=False, defaults={"query": query[:200]}
    )
    do_vote_article(article, helpful=True, customer=customer, session_key=session_key)
    KbEvent.objects.create(kind=KbEvent.Kind.ANSWERED, article=article, session_key=session_key)
    return deflection


def do_note_request_submitted(session_key: str) -> int:
    """The same visitor sent a request after all: their deflections did not deflect."""
    if not session_key:
        return 0
    count = Deflection.objects.filter(session_key=session_key, submitted_anyway=False).update(
        submitted_anyway=True
    )
    if KbEvent.objects.filter(session_key=session_key, kind=KbEvent.Kind.SUGGESTED).exists():
        KbEvent.objects.create(kind=KbEvent.Kind.SUBMITTED, session_key=session_key)
    return count


# --- sweeps --------------------------------------------------------------------------------------


def publish_due_articles(now: datetime | None = None) -> int:
    """Publish every article whose scheduled time has come (the worker runs this every minute)."""
    now = now or timezone.now()
    count = 0
    for article in Article.objects.filter(publish_at__lte=now).exclude(status=ArticleStatus.PUBLISHED):
        with transaction.atomic():
            _set_status(
                article, ArticleStatus.PUBLISHED, actor=None, action="kb.article_published",
                published_at=now, publish_at=None,
            )  # fmt: skip
        count += 1
    return count


def remind_due_reviews(now: datetime | None = None) -> int:
    """Mail each owner once about their articles past the review-by date."""
    from helpwell.mail.outbox import queue_mail

    now = now or timezone.now()
    due = (
        Article.objects.filter(
            review_by__lte=now.date(), review_reminded_at__isnull=True, owner__isnull=False
        )
        .exclude(status=ArticleStatus.ARCHIVED)
        .select_related("owner", "owner__agent")
    )
    by_owner: dict[int, list[Article]] = {}
    for article in due:
        by_owner.setdefault(article.owner_id, []).append(article)  # type: ignore[arg-type]
    for articles in by_owner.values():
        owner = articles[0].owner
        assert owner is not None
        if owner.email:
            with transaction.atomic():
                queue_mail(kind="kb_review", to=owner.email, template="kb_review",
                           context={"owner": owner, "articles": articles, "site_url": settings.SITE_URL})  # fmt: skip
                Article.objects.filter(pk__in=[a.pk for a in articles]).update(review_reminded_at=now)
    return sum(len(a) for a in by_owner.values())
