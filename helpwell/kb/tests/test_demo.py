from django.contrib.auth.models import User
from django.test import TestCase
from django.utils import timezone

from helpwell.demo.loader import load_demo
from helpwell.kb.models import Article, ArticleTranslation, Deflection, KbEvent
from helpwell.search.service import search_tickets_for_agent


class KbDemoTest(TestCase):
    def test_the_demo_has_a_help_centre_worth_showing(self) -> None:
        load_demo(tickets=40)
        self.assertGreaterEqual(Article.objects.filter(status="published").count(), 80)
        self.assertTrue(Article.objects.filter(visibility="internal").exists())
        self.assertGreaterEqual(ArticleTranslation.objects.filter(language="de").count(), 10)
        self.assertTrue(Article.objects.filter(review_by__lt=timezone.localdate()).exists())
        self.assertTrue(Article.objects.filter(status="review").exists())
        self.assertTrue(KbEvent.objects.filter(kind="suggested").exists())
        self.assertTrue(Deflection.objects.filter(submitted_anyway=False).exists())
        priya = User.objects.get(username="priya")  # the admin sees every demo ticket in search
        self.assertTrue(search_tickets_for_agent(priya, "invoice"))
