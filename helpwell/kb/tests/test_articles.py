from datetime import timedelta

import time_machine
from django.utils import timezone

from helpwell.kb.actions import (
    do_publish_article,
    do_save_translation,
    do_update_article,
    publish_due_articles,
    remind_due_reviews,
)
from helpwell.kb.models import Article, ArticleStatus
from helpwell.system.models import AuditEntry

from .base import KbTestCase


class ArticleActionsTest(KbTestCase):
    def test_it_renders_markdown_and_strips_scripts(self) -> None:
        article = self.article(
            "Safe",
            "**Bold** <script>alert(1)</script> [x](javascript:alert(1))\n\n| a | b |\n|---|---|\n| 1 | 2 |",
        )
        self.assertIn("<strong>Bold</strong>", article.body_html)
        self.assertIn("<table>", article.body_html)
        self.assertNotIn("<script", article.body_html)
        self.assertNotIn('href="javascript', article.body_html)

    def test_it_keeps_a_version_for_every_edit_and_shows_the_diff(self) -> None:
        do_update_article(
            self.refunds, actor=self.alice, body="We refund within **2 working days**.", note="Faster now"
        )
        self.assertEqual(self.refunds.version, 2)
        self.assertEqual(list(self.refunds.versions.values_list("number", flat=True)), [2, 1])
        self.client.force_login(self.alice)
        response = self.client.get(f"/agent/kb/{self.refunds.slug}/versions/?v=2")
        self.assertContains(
            response, '<div class="add">+We refund within **2 working days**.</div>', html=False
        )
        self.assertContains(response, "Faster now")

    def test_every_change_is_audited(self) -> None:
        do_update_article(self.refunds, actor=self.alice, title="Refund times")
        actions = set(
            AuditEntry.objects.filter(object_id=str(self.refunds.pk)).values_list("action", flat=True)
        )
        self.assertTrue({"kb.article_created", "kb.article_published", "kb.article_updated"} <= actions)

    def test_only_leads_publish(self) -> None:
        draft = self.article("Draft", "Words", publish=False)
        self.client.force_login(self.alice)
        self.client.post(f"/agent/kb/{draft.slug}/submit/")
        draft.refresh_from_db()
        self.assertEqual(draft.status, ArticleStatus.REVIEW)
        response = self.client.post(f"/agent/kb/{draft.slug}/publish/")
        self.assertEqual(response.status_code, 403)
        self.client.force_login(self.lena)
        self.client.post(f"/agent/kb/{draft.slug}/publish/")
        draft.refresh_from_db()
        self.assertEqual(draft.status, ArticleStatus.PUBLISHED)

    def test_it_publishes_a_scheduled_article_when_its_time_comes(self) -> None:
        draft = self.article("Coming soon", "New thermostat", publish=False)
        at = timezone.now() + timedelta(hours=2)
        do_publish_article(draft, actor=self.lena, at=at)
        self.assertEqual(publish_due_articles(), 0)
        self.assertEqual(self.client.get(f"/help/articles/{draft.slug}/").status_code, 404)
        with time_machine.travel(at + timedelta(minutes=1), tick=False):
            self.assertEqual(publish_due_articles(), 1)
        self.assertEqual(self.client.get(f"/help/articles/{draft.slug}/").status_code, 200)

    def test_it_reminds_owners_once_when_articles_are_due_for_review(self) -> None:
        Article.objects.filter(pk=self.refunds.pk).update(review_by=timezone.localdate() - timedelta(days=1))
        self.assertEqual(remind_due_reviews(), 1)
        self.assertEqual(remind_due_reviews(), 0)
        from helpwell.mail.models import OutgoingMail

        sent = OutgoingMail.objects.get(kind="kb_review")
        self.assertEqual(sent.to, self.lena.email)
        self.assertIn(self.refunds.title, sent.body_text)

    def test_leads_see_stale_articles(self) -> None:
        Article.objects.filter(pk=self.refunds.pk).update(review_by=timezone.localdate() - timedelta(days=3))
        self.client.force_login(self.lena)
        response = self.client.get("/agent/kb/report/")
        self.assertContains(response, self.refunds.title)
        self.assertEqual(list(response.context["stale"]), [self.refunds])
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get("/agent/kb/report/").status_code, 403)

    def test_it_shows_the_customers_language_when_there_is_a_translation(self) -> None:
        do_save_translation(self.refunds, actor=self.lena, language="de", title="Wann bekomme ich mein Geld?",
                            body="Wir erstatten innerhalb von 3 Werktagen.")  # fmt: skip
        self.carol.language = "de"
        self.carol.save()
        self.sign_in_customer(self.carol)
        response = self.client.get(f"/help/articles/{self.refunds.slug}/")
        self.assertContains(response, "Wann bekomme ich mein Geld?")
        self.assertContains(
            self.client.get(f"/help/articles/{self.refunds.slug}/?lang=en"), "When will I get my refund?"
        )

    def test_an_agent_turns_a_solved_ticket_into_a_draft(self) -> None:
        from helpwell.tickets.actions import do_change_status, do_reply

        ticket = self.make_ticket(
            subject="Charged twice for order 1042", body="I see two payments of 89 EUR."
        )
        do_reply(ticket, user=self.alice, body="The second one is a reservation; it disappears in 5 days.")
        do_change_status(ticket, "solved", user=self.alice)
        self.client.force_login(self.alice)
        page = self.client.get(f"/agent/tickets/{ticket.reference}/")
        self.assertContains(page, "Turn this into an article")
        form = self.client.get(f"/agent/kb/new/?ticket={ticket.reference}")
        self.assertContains(form, "Charged twice for order 1042")
        self.assertContains(form, "&gt; I see two payments of 89 EUR.")
        self.assertContains(form, "it disappears in 5 days")
        response = self.client.post("/agent/kb/new/", {
            "title": "Two payments for one order", "category": self.billing_help.pk, "visibility": "internal",
            "body": "Second one is a reservation.", "owner": self.alice.pk, "review_by": "2030-01-01",
            "source_ticket": ticket.reference,
        })  # fmt: skip
        article = Article.objects.get(title="Two payments for one order")
        self.assertRedirects(response, f"/agent/kb/{article.slug}/")
        self.assertEqual(article.source_ticket, ticket.reference)
        self.assertEqual(article.status, ArticleStatus.DRAFT)

    def test_tom_cannot_turn_a_billing_ticket_into_an_article(self) -> None:
        ticket = self.make_ticket()
        self.client.force_login(self.tom)
        self.assertEqual(self.client.get(f"/agent/kb/new/?ticket={ticket.reference}").status_code, 404)

    def test_a_form_error_keeps_what_was_typed(self) -> None:
        self.client.force_login(self.alice)
        response = self.client.post(
            "/agent/kb/new/", {"title": "", "body": "My careful words", "visibility": "public"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "My careful words")
        self.assertFalse(Article.objects.filter(body="My careful words").exists())

    def test_customers_cannot_open_the_editor(self) -> None:
        self.sign_in_customer(self.carol)
        response = self.client.get("/agent/kb/")
        self.assertRedirects(response, "/login/?next=/agent/kb/", fetch_redirect_response=False)

    def test_a_visitor_gets_the_browsers_language_and_can_switch(self) -> None:
        do_save_translation(self.refunds, actor=self.lena, language="de", title="Wann bekomme ich mein Geld?",
                            body="Wir erstatten innerhalb von 3 Werktagen.")  # fmt: skip
        german = self.client.get(
            f"/help/articles/{self.refunds.slug}/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9"
        )
        self.assertContains(german, "Wann bekomme ich mein Geld?")
        self.assertContains(german, 'lang="de"')
        english = self.client.get(
            f"/help/articles/{self.refunds.slug}/?lang=en", HTTP_ACCEPT_LANGUAGE="de-DE"
        )
        self.assertContains(english, "When will I get my refund?")
        untranslated = self.client.get(
            f"/help/articles/{self.charged_twice.slug}/", HTTP_ACCEPT_LANGUAGE="de"
        )
        self.assertContains(untranslated, self.charged_twice.title)
