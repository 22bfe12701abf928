"""Whoever searches, results are filtered by what they may see, on SQLite and PostgreSQL alike."""

from helpwell.kb.tests.base import KbTestCase
from helpwell.search.service import (
    search_articles,
    search_tickets_for_agent,
    search_tickets_for_customer,
    suggest_articles,
)
from helpwell.tickets.actions import do_customer_reply, do_reply


class SearchPermissionsTest(KbTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.carols = self.make_ticket(
            self.carol, subject="Refund for the broken thermostat", body="Please refund order 1042."
        )
        self.dans = self.make_ticket(
            self.dan, subject="Refund for my light strip", body="Refund order 2077 please."
        )
        self.shipping_ticket = self.make_ticket(
            self.dan,
            subject="Refund after parcel lost",
            body="Parcel lost, refund wanted.",
            category=self.deliveries,
        )
        do_reply(
            self.carols,
            user=self.alice,
            body="Supervisor approved the goodwill refund exception.",
            internal=True,
        )

    def test_customers_never_get_internal_articles_in_suggestions(self) -> None:
        for text in ["refund approval limits", "refund", "payment provider approve", "procedure refund"]:
            slugs = {r.article.slug for r in suggest_articles(text, limit=10)}
            self.assertNotIn(self.approval_limits.slug, slugs, text)
            slugs = {r.article.slug for r in suggest_articles(text, customer=self.carol, limit=10)}
            self.assertNotIn(self.approval_limits.slug, slugs, text)

    def test_customers_never_get_internal_articles_in_search(self) -> None:
        for who in (None, self.carol):
            slugs = {r.article.slug for r in search_articles("refund approval limits", customer=who)}
            self.assertIn(self.refunds.slug, slugs)
            self.assertNotIn(self.approval_limits.slug, slugs)
        page = self.client.get("/help/search/?q=approval+limits+refund")
        self.assertNotContains(page, self.approval_limits.title)
        suggestions = self.client.get("/help/suggest/?subject=refund+approval+limits")
        self.assertNotContains(suggestions, self.approval_limits.title)

    def test_articles_for_signed_in_customers_stay_hidden_from_visitors(self) -> None:
        self.assertNotIn(
            self.plus_members.slug, {r.article.slug for r in suggest_articles("priority refund line plus")}
        )
        signed_in = suggest_articles("priority refund line plus", customer=self.carol)
        self.assertIn(self.plus_members.slug, {r.article.slug for r in signed_in})

    def test_agents_find_internal_articles(self) -> None:
        self.assertIn(
            self.approval_limits.slug,
            {r.article.slug for r in search_articles("approval limits", user=self.alice)},
        )

    def test_a_customer_finds_only_their_own_tickets(self) -> None:
        self.assertEqual([r.ticket for r in search_tickets_for_customer(self.carol, "refund")], [self.carols])
        dans = {r.ticket for r in search_tickets_for_customer(self.dan, "refund order")}
        self.assertEqual(dans, {self.dans, self.shipping_ticket} & dans)
        self.assertNotIn(self.carols, dans)

    def test_a_customer_never_finds_words_from_internal_notes(self) -> None:
        self.assertEqual(search_tickets_for_customer(self.carol, "supervisor goodwill"), [])
        found = search_tickets_for_agent(self.alice, "supervisor goodwill")
        self.assertEqual([r.ticket for r in found], [self.carols])
        self.assertIn("<mark>", found[0].snippet)

    def test_agents_find_only_tickets_of_their_teams(self) -> None:
        alice = {r.ticket for r in search_tickets_for_agent(self.alice, "refund")}
        self.assertEqual(alice, {self.carols, self.dans})
        tom = {r.ticket for r in search_tickets_for_agent(self.tom, "refund")}
        self.assertEqual(tom, {self.shipping_ticket})
        ada = {r.ticket for r in search_tickets_for_agent(self.ada, "refund")}
        self.assertEqual(ada, {self.carols, self.dans, self.shipping_ticket})

    def test_the_index_follows_new_replies(self) -> None:
        self.assertEqual(search_tickets_for_agent(self.alice, "kettle"), [])
        do_customer_reply(self.dans, customer=self.dan, body="Also my kettle smells odd.")
        self.assertEqual([r.ticket for r in search_tickets_for_agent(self.alice, "kettle")], [self.dans])

    def test_prefixes_match_while_typing(self) -> None:
        self.assertIn(self.refunds.slug, {r.article.slug for r in suggest_articles("when do I get my refu")})

    def test_the_global_search_page_respects_permissions(self) -> None:
        self.client.force_login(self.tom)
        page = self.client.get("/agent/search/?q=refund")
        self.assertContains(page, self.shipping_ticket.reference)
        self.assertNotContains(page, self.carols.reference)
        self.assertEqual(self.client.get(f"/agent/search/?q={self.carols.reference}").status_code, 200)
        self.client.force_login(self.alice)
        self.assertRedirects(
            self.client.get(f"/agent/search/?q={self.carols.reference}"),
            f"/agent/tickets/{self.carols.reference}/", fetch_redirect_response=False,
        )  # fmt: skip

    def test_customers_cannot_use_the_agent_search(self) -> None:
        self.sign_in_customer(self.carol)
        self.assertEqual(self.client.get("/agent/search/?q=refund").status_code, 302)
        self.assertEqual(self.client.get("/agent/search/articles/?kbq=refund").status_code, 302)

    def test_the_help_centre_search_shows_a_customer_only_their_own_requests(self) -> None:
        self.sign_in_customer(self.dan)
        page = self.client.get("/help/search/?q=refund+order")
        self.assertContains(page, self.dans.reference)
        self.assertNotContains(page, self.carols.reference)
        self.assertNotContains(self.client.get("/help/search/?q=supervisor+goodwill"), self.carols.reference)
        self.client.logout()
        self.assertNotContains(self.client.get("/help/search/?q=refund+order"), "Your requests")

    def test_an_old_ticket_is_found_when_newer_ones_do_not_match(self) -> None:
        from unittest import mock

        for i in range(5):
            self.make_ticket(self.carol, subject=f"Newer question {i}", body="Nothing about that.")
        # PostgreSQL reads the newest documents first: with tiny spans it has to reach back for it.
        with mock.patch.multiple("helpwell.search.engine", PROBE_SPAN=1, SCAN_BUDGET=1):
            found = [r.ticket for r in search_tickets_for_agent(self.alice, "broken thermostat")]
        self.assertEqual(found, [self.carols])

    def test_newer_matches_an_agent_may_not_see_do_not_hide_older_ones_they_may(self) -> None:
        from unittest import mock

        shipping = [
            self.make_ticket(self.dan, subject=f"Refund for parcel {i}", body="Refund please.",
                             category=self.deliveries)
            for i in range(6)
        ]  # fmt: skip
        with mock.patch.multiple("helpwell.search.engine", PROBE_SPAN=2, SCAN_BUDGET=2):
            billing = {r.ticket for r in search_tickets_for_agent(self.alice, "refund", limit=2)}
            on_shipping = {r.ticket for r in search_tickets_for_agent(self.tom, "refund", limit=20)}
        self.assertEqual(billing, {self.carols, self.dans})
        self.assertEqual(on_shipping, {self.shipping_ticket, *shipping})
        self.assertEqual({r.ticket for r in search_tickets_for_customer(self.carol, "refund")}, {self.carols})

    def test_a_typo_still_finds_the_article_but_never_an_internal_one(self) -> None:
        found = {r.article.slug for r in suggest_articles("refnud")}
        self.assertIn(self.refunds.slug, found)
        self.assertNotIn(self.approval_limits.slug, found)
        self.assertEqual(suggest_articles("xqzvw"), [])

    def test_search_syntax_in_what_people_type_is_harmless(self) -> None:
        odd = '"refund" OR NEAR(a b) -x AND* ^col : {subject} \' ; DROP TABLE x; -- & | ! :*'
        self.assertIn(self.refunds.slug, {r.article.slug for r in suggest_articles(odd)})
        search_tickets_for_agent(self.alice, odd)
        search_tickets_for_customer(self.carol, odd)
        search_articles(odd, user=self.alice)
