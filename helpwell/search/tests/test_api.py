from helpwell.api.tests.base import ApiTestCase
from helpwell.kb.actions import do_create_article, do_publish_article
from helpwell.kb.models import ArticleCategory
from helpwell.tickets.actions import do_reply


class SearchApiTest(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.carols = self.make_ticket(self.carol, subject="Refund for the broken thermostat")
        self.dans = self.make_ticket(self.dan, subject="Refund for my light strip")
        do_reply(
            self.carols, user=self.alice, body="Goodwill exception approved by the supervisor.", internal=True
        )
        category = ArticleCategory.objects.create(name="Billing", slug="billing-help")
        for title, visibility in (
            ("When will I get my refund?", "public"),
            ("Refund approval limits", "internal"),
        ):
            article = do_create_article(actor=self.lena, title=title, body="Refund words.", category=category,
                                        visibility=visibility)  # fmt: skip
            do_publish_article(article, actor=self.lena)

    def test_agents_search_their_tickets_with_internal_notes(self) -> None:
        found = self.get("search/tickets", "alice", {"q": "supervisor"}).json()
        self.assertEqual([t["reference"] for t in found], [self.carols.reference])
        self.assertIn("<mark>", found[0]["snippet"])
        self.assertEqual(self.get("search/tickets", "tom", {"q": "refund"}).json(), [])

    def test_customers_search_only_their_own_requests(self) -> None:
        found = self.get("search/tickets", "dan", {"q": "refund"}).json()
        self.assertEqual([t["reference"] for t in found], [self.dans.reference])
        self.assertEqual(self.get("search/tickets", "carol", {"q": "supervisor"}).json(), [])

    def test_internal_articles_are_for_agents_only(self) -> None:
        titles = {a["title"] for a in self.get("search/articles", "carol", {"q": "refund"}).json()}
        self.assertEqual(titles, {"When will I get my refund?"})
        titles = {a["title"] for a in self.get("search/articles", "alice", {"q": "refund"}).json()}
        self.assertEqual(titles, {"When will I get my refund?", "Refund approval limits"})

    def test_it_needs_a_token(self) -> None:
        self.assertError(self.get("search/articles", None, {"q": "refund"}), 401, "unauthorized")
