"""Who may read and who may change which articles. Every kb view asks here.

Visitors read published public articles; signed-in customers also those for customers; agents read
everything, including drafts and internal procedures. Any agent may write and propose; publishing,
archiving and the reports are for leads and admins. Anything hidden answers 404.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from helpwell.people.models import Customer
from helpwell.tickets.access import agent_of

from .models import Article, ArticleStatus, Visibility


def articles_for_visitor(customer: Customer | None) -> QuerySet[Article]:
    visible = [Visibility.PUBLIC] if customer is None else [Visibility.PUBLIC, Visibility.CUSTOMERS]
    return Article.objects.filter(status=ArticleStatus.PUBLISHED, visibility__in=visible)


def get_article_for_visitor(customer: Customer | None, slug: str) -> Article:
    try:
        return articles_for_visitor(customer).select_related("category", "author__agent").get(slug=slug)
    except Article.DoesNotExist:
        raise Http404("No such article.") from None


def articles_for_agent(user: Any) -> QuerySet[Article]:
    agent_of(user)
    return Article.objects.all()


def get_article_for_agent(user: Any, slug: str) -> Article:
    try:
        return (
            articles_for_agent(user)
            .select_related("category", "author__agent", "owner__agent")
            .get(slug=slug)
        )
    except Article.DoesNotExist:
        raise Http404("No such article.") from None


def require_lead(user: Any) -> None:
    if not agent_of(user).is_lead:
        raise PermissionDenied("Team leads and admins only.")


def may_publish(user: Any) -> bool:
    return agent_of(user).is_lead
