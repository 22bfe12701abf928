from django.test import override_settings

from helpwell.kb.models import ArticleFeedback, KbEvent

from .base import KbTestCase


class HelpCentreTest(KbTestCase):
    def setUp(self) -> None:
        super().setUp()

    def test_visitors_see_public_articles_only(self) -> None:
        home = self.client.get("/help/")
        self.assertContains(home, "Billing and payments")
        self.assertContains(self.client.get(f"/help/articles/{self.refunds.slug}/"), "3 working days")
        self.assertEqual(self.client.get(f"/help/articles/{self.approval_limits.slug}/").status_code, 404)
        self.assertEqual(self.client.get(f"/help/articles/{self.plus_members.slug}/").status_code, 404)
        category = self.client.get("/help/c/billing/")
        self.assertContains(category, self.refunds.title)
        self.assertNotContains(category, self.approval_limits.title)

    def test_signed_in_customers_also_see_articles_for_customers(self) -> None:
        self.sign_in_customer(self.carol)
        self.assertEqual(self.client.get(f"/help/articles/{self.plus_members.slug}/").status_code, 200)
        self.assertEqual(self.client.get(f"/help/articles/{self.approval_limits.slug}/").status_code, 404)

    def test_drafts_are_not_public(self) -> None:
        draft = self.article("Unfinished", "Not yet", publish=False)
        self.assertEqual(self.client.get(f"/help/articles/{draft.slug}/").status_code, 404)

    def test_the_faq_lists_faq_articles(self) -> None:
        faq = self.client.get("/help/faq/")
        self.assertContains(faq, self.charged_twice.title)
        self.assertNotContains(faq, self.refunds.title)

    def test_it_shows_the_author_with_name_and_photo(self) -> None:
        page = self.client.get(f"/help/articles/{self.refunds.slug}/")
        self.assertContains(page, "Lena Fischer")
        self.assertContains(page, f"/people/photo/{self.lena.agent.pk}/")

    def test_it_records_a_view(self) -> None:
        self.client.get(f"/help/articles/{self.refunds.slug}/")
        self.assertEqual(KbEvent.objects.filter(kind="viewed", article=self.refunds).count(), 1)

    def test_a_visitor_says_it_was_helpful_with_a_comment(self) -> None:
        response = self.client.post(
            f"/help/articles/{self.refunds.slug}/vote/",
            {"helpful": "0", "comment": "Which cards?"},
            HTTP_HX_REQUEST="true",
        )
        self.assertContains(response, "Thank you for your feedback")
        self.client.post(f"/help/articles/{self.refunds.slug}/vote/", {"helpful": "1"})
        feedback = ArticleFeedback.objects.get(article=self.refunds)  # one answer per visitor, changed
        self.assertTrue(feedback.helpful)
        self.assertEqual(feedback.comment, "Which cards?")

    @override_settings(PUBLIC_FORM_RATE=2)
    def test_votes_are_rate_limited(self) -> None:
        for _ in range(2):
            self.client.post(f"/help/articles/{self.refunds.slug}/vote/", {"helpful": "1"})
        response = self.client.post(f"/help/articles/{self.refunds.slug}/vote/", {"helpful": "1"})
        self.assertEqual(response.status_code, 429)

    def test_search_finds_articles_with_highlights(self) -> None:
        response = self.client.get("/help/search/?q=refund+days")
        self.assertContains(response, self.refunds.title)
        self.assertContains(response, "<mark>")
        self.assertNotContains(response, self.approval_limits.title)

    def test_it_uses_the_site_colour_and_name(self) -> None:
        from helpwell.system.actions import do_update_site_settings
        from helpwell.system.models import SiteSettings

        do_update_site_settings(
            SiteSettings.load(), actor=self.ada, site_name="Brightleaf Help", brand_colour="#0f766e"
        )
        page = self.client.get("/help/")
        self.assertContains(page, "Brightleaf Help")
        self.assertContains(page, "--brand: #0f766e")


class ListQueriesTest(KbTestCase):
    """List pages must not grow their queries with their rows."""

    def count(self, url: str) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(ctx.captured_queries)

    def test_list_pages_do_not_grow_with_articles(self) -> None:
        self.client.force_login(self.lena)
        urls = ["/agent/kb/", "/help/", "/help/faq/", "/help/c/billing/", "/agent/kb/report/"]
        self.client.get("/help/")  # the site settings row is made on the first request
        before = {url: self.count(url) for url in urls}
        for i in range(8):
            self.article(f"Extra article {i}", f"More words about refunds, number {i}.", is_faq=True)
        self.assertEqual({url: self.count(url) for url in urls}, before)
