"""The knowledge base: categories, articles (Markdown), their translations, versions and feedback,
and the self-service events that make up the deflection report."""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from helpwell.people.models import LANGUAGE_CHOICES, Customer

DEFAULT_LANGUAGE = "en"
REVIEW_EVERY = timedelta(days=180)


def default_review_by() -> date:
    return (timezone.now() + REVIEW_EVERY).date()


class Visibility(models.TextChoices):
    PUBLIC = "public", "Everyone"
    CUSTOMERS = "customers", "Signed-in customers"
    INTERNAL = "internal", "Agents only"


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class ArticleCategory(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)
    description = models.CharField(max_length=300, blank=True)
    icon = models.CharField(max_length=8, blank=True, help_text="An emoji shown on the help centre")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "article categories"

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """One answer. Title and body are in the default language; other languages are translations."""

    slug = models.SlugField(max_length=120, unique=True)
    category = models.ForeignKey(ArticleCategory, on_delete=models.PROTECT, related_name="articles")
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(help_text="Markdown")
    body_html = models.TextField(blank=True, help_text="Rendered and sanitised from body")
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    status = models.CharField(max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    is_faq = models.BooleanField(default=False, help_text="Listed on the FAQ page")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_articles",
        help_text="Keeps the article correct and is reminded when it is due for review",
    )
    review_by = models.DateField(default=default_review_by, db_index=True)
    review_reminded_at = models.DateTimeField(null=True, blank=True)
    publish_at = models.DateTimeField(null=True, blank=True, db_index=True, help_text="Scheduled publishing")
    published_at = models.DateTimeField(null=True, blank=True)
    source_ticket = models.CharField(
        max_length=12, blank=True, help_text="Reference of the ticket it came from"
    )
    related = models.ManyToManyField("self", blank=True, symmetrical=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["category__position", "title"]
        indexes = [models.Index(fields=["status", "visibility"], name="article_status_visibility")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED

    @property
    def is_stale(self) -> bool:
        return self.review_by < timezone.localdate()


class ArticleTranslation(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    body_html = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="one_translation_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} [{self.language}] {self.title}"


class ArticleVersion(models.Model):
    """A snapshot saved on every edit, so a reviewer sees what changed and who changed it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=ArticleStatus.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="one_version_number")]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class ArticleFeedback(models.Model):
    """An answer to "was this helpful?", with an optional comment."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    helpful = models.BooleanField()
    comment = models.TextField(blank=True, max_length=2000)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    session_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["article", "created_at"], name="feedback_article_time")]

    def __str__(self) -> str:
        return f"{self.article_id} {'+' if self.helpful else '-'}"


class KbEvent(models.Model):
    """What happened in self-service, one row each; the deflection report counts these."""

    class Kind(models.TextChoices):
        VIEWED = "viewed", "Article viewed"
        SUGGESTED = "suggested", "Suggested on the request form"
        OPENED = "opened", "Suggestion opened"
        ANSWERED = "answered", "Answered my question"
        SUBMITTED = "submitted", "Request sent anyway"
        SEARCHED = "searched", "Help centre search"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=64, blank=True, db_index=True)
    query = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "created_at"], name="kbevent_kind_time")]

    def __str__(self) -> str:
        return f"{self.kind} {self.article_id}"


class Deflection(models.Model):
    """A customer said an article answered their question while writing a request.

    It counts as deflected unless the same browser session sends a request afterwards."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deflections")
    session_key = models.CharField(max_length=64, db_index=True)
    query = models.CharField(max_length=200, blank=True)
    submitted_anyway = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.article_id} {'submitted' if self.submitted_anyway else 'deflected'}"
