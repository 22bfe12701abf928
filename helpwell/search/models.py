"""The search index: one row per searchable thing, in plain tables Django knows about.

The full-text machinery on top of them is per database and created by migration 0002: on SQLite,
FTS5 tables over these rows (external content, kept in step by triggers); on PostgreSQL, generated
tsvector columns with GIN indexes and pg_trgm indexes for near misses. helpwell.search.index writes
the rows from the actions that change what they copy; `helpwell reindex` rebuilds them all.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from helpwell.kb.models import Article
from helpwell.tickets.models import Ticket


class ArticleDoc(models.Model):
    """One article in one language, with what decides who may find it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=8)
    title = models.CharField(max_length=200)
    body = models.TextField()
    visibility = models.CharField(max_length=10)
    published = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "language"], name="one_doc_per_language")]
        indexes = [models.Index(fields=["language", "published", "visibility"], name="articledoc_scope")]

    def __str__(self) -> str:
        return f"{self.article_id} [{self.language}]"


class TicketDoc(models.Model):
    """A ticket's words: its subject, what the customer may read, and the internal notes."""

    ticket = models.OneToOneField(Ticket, primary_key=True, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=200)
    public_text = models.TextField(blank=True)
    internal_text = models.TextField(blank=True)

    def __str__(self) -> str:
        return str(self.ticket_id)


class PersonDoc(models.Model):
    class Kind(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        ORGANISATION = "organisation", "Organisation"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    object_id = models.BigIntegerField()
    name = models.CharField(max_length=200)
    detail = models.CharField(max_length=400, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="one_doc_per_person")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class SavedSearch(models.Model):
    """An agent's saved search: a query and filters, shown as a queue view in the search page."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=12, default="tickets")
    status = models.CharField(max_length=12, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_search_name_per_user")]

    def __str__(self) -> str:
        return self.name
