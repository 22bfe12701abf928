"""Carol, Dan and the Billing team (helpwell.test) with a small help centre of their own."""

from typing import Any

from helpwell.kb.actions import do_create_article, do_publish_article
from helpwell.kb.models import Article, ArticleCategory
from helpwell.test import BaseTestCase


class KbTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.billing_help = ArticleCategory.objects.create(
            name="Billing and payments", slug="billing", icon="🧾"
        )
        self.refunds = self.article(
            "When will I get my refund?",
            "We refund within **3 working days** of receiving your return. Cards take 3–5 days more.",
        )
        self.charged_twice = self.article(
            "I was charged twice for one order",
            "Often the first amount is only a reservation that your bank releases within 5 working days.",
            is_faq=True,
        )
        self.approval_limits = self.article(
            "Procedure: refund approval limits",
            "Refunds up to 50 EUR any agent approves; above that the team lead. Check the payment provider.",
            visibility="internal",
        )
        self.plus_members = self.article(
            "Priority refund line for Plus members",
            "Plus members get their refund questions answered first on the priority line.",
            visibility="customers",
        )

    def article(
        self, title: str, body: str, *, visibility: str = "public", publish: bool = True, **kw: Any
    ) -> Article:
        article = do_create_article(
            actor=self.lena, title=title, body=body, category=self.billing_help, visibility=visibility, **kw
        )
        if publish:
            do_publish_article(article, actor=self.lena)
        return article

    def sign_in_customer(self, customer: Any) -> None:
        from helpwell.portal.access import SESSION_CUSTOMER, SESSION_SALT

        session = self.client.session
        session[SESSION_CUSTOMER] = customer.pk
        session[SESSION_SALT] = customer.access_salt
        session.save()
