"""Brightleaf Home's help centre for the demo: 95 articles, German translations, a month of
self-service activity (views, suggestions, votes, deflections) and a few articles overdue for review.

Articles go through the kb actions (versions, audit, index). The self-service history is written in
bulk with back-dated times, like the demo tickets. Called with one line from helpwell.demo.loader.
"""

import random
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from helpwell.search.index import optimise, reindex_people, reindex_tickets

from . import content
from .actions import do_create_article, do_publish_article, do_save_translation
from .models import Article, ArticleCategory, ArticleFeedback, ArticleStatus, Deflection, KbEvent

# Who owns the articles of each category (usernames from helpwell.demo.people).
OWNERS = {
    "getting-started": "aiko", "devices": "grace", "app-account": "aiko", "integrations": "grace",
    "orders-delivery": "jonas", "returns-refunds": "hannah", "billing": "sofia", "plus": "marcus",
    "procedures": "priya",
}  # fmt: skip
FEEDBACK_COMMENTS = [
    "Clear steps, worked first time.",
    "The pictures in the app look different from the ones described.",
    "Solved it, thanks!",
    "I still did not understand which wire is C.",
    "Would be nice to have a video.",
]
SEARCHES = [
    "hub offline", "refund", "c wire", "cancel plus", "invoice vat", "alexa", "parcel not arrived",
    "reset password", "light strip flicker", "return label",
]  # fmt: skip


@transaction.atomic
def load_kb_demo(*, seed: int = 2024, now: datetime | None = None) -> int:
    """Load the demo help centre (once) and build the search index over the demo tickets and people."""
    now = now or timezone.now()
    rng = random.Random(seed)
    created = 0
    if not Article.objects.exists():
        created = _articles(rng, now)
        _activity(rng, now)
    reindex_tickets()
    reindex_people()
    optimise()
    return created


def _articles(rng: random.Random, now: datetime) -> int:
    users = {u.username: u for u in User.objects.filter(username__in=set(OWNERS.values()))}
    fallback = User.objects.filter(is_superuser=True).first() or User.objects.order_by("pk").first()
    categories = {}
    for position, cat in enumerate(content.categories()):
        categories[cat.slug], _ = ArticleCategory.objects.get_or_create(
            slug=cat.slug,
            defaults={
                "name": cat.name,
                "description": cat.description,
                "icon": cat.icon,
                "position": position,
            },
        )
    by_slug: dict[str, Article] = {}
    specs = content.articles()
    for i, spec in enumerate(specs):
        owner = users.get(OWNERS.get(spec.category, ""), fallback)
        article = do_create_article(
            actor=owner, title=spec.title, body=spec.body, category=categories[spec.category],
            visibility=spec.visibility, is_faq=spec.is_faq, slug=spec.slug, owner=owner,
        )  # fmt: skip
        do_publish_article(article, actor=owner)
        # Back-date: written over the last year; every ninth one is overdue for review.
        written = now - timedelta(days=rng.randint(20, 360))
        review_by = (
            (now - timedelta(days=rng.randint(3, 40)))
            if i % 9 == 4
            else (now + timedelta(days=rng.randint(20, 300)))
        )
        Article.objects.filter(pk=article.pk).update(
            created_at=written, updated_at=written, published_at=written, review_by=review_by.date()
        )
        by_slug[spec.slug] = article
    for language, translated in content.translations().items():
        for spec in translated:
            if spec.slug in by_slug:
                article = by_slug[spec.slug]
                do_save_translation(
                    article, actor=article.owner, language=language, title=spec.title, body=spec.body
                )
    # Related articles: the neighbours in the same category.
    by_category: dict[str, list[Article]] = {}
    for spec in specs:
        by_category.setdefault(spec.category, []).append(by_slug[spec.slug])
    for articles in by_category.values():
        for i, article in enumerate(articles):
            article.related.add(*[a for a in articles[i + 1 : i + 3]])
    # One draft waiting for review, to show the workflow.
    draft = do_create_article(
        actor=users.get("grace", fallback), title="Thermostat clicks when the heating switches",
        body="A soft click when the heating turns on or off is the relay inside the thermostat. It is normal.\n\n"
        "If the clicking happens every minute, see [The boiler keeps switching on and off](/help/articles/boiler-short-cycling/).\n",
        category=categories["devices"], owner=users.get("grace", fallback),
    )  # fmt: skip
    draft.status = ArticleStatus.REVIEW
    draft.save(update_fields=["status"])
    return len(specs) + 1


def _activity(rng: random.Random, now: datetime) -> None:
    public = list(Article.objects.filter(status=ArticleStatus.PUBLISHED, visibility="public"))
    events, feedback, deflections = [], [], []
    for day in range(30):
        for visit in range(rng.randint(8, 16)):
            at = now - timedelta(days=day, minutes=rng.randint(0, 1400))
            session = f"demo-{day}-{visit}"
            shown = rng.sample(public, 3)
            events += [
                KbEvent(kind=KbEvent.Kind.SUGGESTED, article=a, session_key=session, created_at=at)
                for a in shown
            ]
            if rng.random() < 0.55:
                opened = shown[0]
                events.append(
                    KbEvent(kind=KbEvent.Kind.OPENED, article=opened, session_key=session, created_at=at)
                )
                events.append(
                    KbEvent(kind=KbEvent.Kind.VIEWED, article=opened, session_key=session, created_at=at)
                )
                if rng.random() < 0.6:
                    submitted = rng.random() < 0.2
                    deflections.append(
                        Deflection(
                            article=opened, session_key=session, submitted_anyway=submitted, created_at=at
                        )
                    )
                    events.append(
                        KbEvent(
                            kind=KbEvent.Kind.ANSWERED, article=opened, session_key=session, created_at=at
                        )
                    )
                    feedback.append(
                        ArticleFeedback(article=opened, helpful=True, session_key=session, created_at=at)
                    )
            if rng.random() < 0.3:
                events.append(KbEvent(kind=KbEvent.Kind.SUBMITTED, session_key=session, created_at=at))
        for _ in range(rng.randint(20, 45)):
            article = rng.choice(public)
            at = now - timedelta(days=day, minutes=rng.randint(0, 1400))
            events.append(KbEvent(kind=KbEvent.Kind.VIEWED, article=article, created_at=at))
            if rng.random() < 0.15:
                helpful = rng.random() < 0.75
                comment = rng.choice(FEEDBACK_COMMENTS) if rng.random() < 0.4 else ""
                feedback.append(
                    ArticleFeedback(article=article, helpful=helpful, comment=comment, created_at=at)
                )
        for _ in range(rng.randint(3, 8)):
            at = now - timedelta(days=day, minutes=rng.randint(0, 1400))
            events.append(KbEvent(kind=KbEvent.Kind.SEARCHED, query=rng.choice(SEARCHES), created_at=at))
    KbEvent.objects.bulk_create(events, batch_size=2000)
    ArticleFeedback.objects.bulk_create(feedback, batch_size=2000)
    Deflection.objects.bulk_create(deflections, batch_size=2000)
