from helpwell.kb.models import Deflection, KbEvent

from .base import KbTestCase


class SuggestionsAndDeflectionTest(KbTestCase):
    def setUp(self) -> None:
        super().setUp()

    def suggest(self, subject: str, description: str = ""):
        return self.client.get(
            "/help/suggest/", {"subject": subject, "description": description}, HTTP_HX_REQUEST="true"
        )

    def test_it_suggests_articles_as_the_customer_types(self) -> None:
        response = self.suggest("I see two payments on my statement", "charged twice for the same order")
        self.assertContains(response, self.charged_twice.title)
        self.assertContains(response, "?from=request")

    def test_it_says_nothing_for_a_few_letters(self) -> None:
        self.assertNotContains(self.suggest("re"), "may answer")

    def test_it_counts_each_suggestion_once_per_visitor(self) -> None:
        self.suggest("refund")
        self.suggest("refund please")
        self.assertEqual(KbEvent.objects.filter(kind="suggested", article=self.refunds).count(), 1)

    def test_a_customer_who_found_the_answer_counts_as_deflected(self) -> None:
        self.suggest("charged twice")
        self.client.get(f"/help/articles/{self.charged_twice.slug}/?from=request")
        response = self.client.post(
            f"/help/articles/{self.charged_twice.slug}/answered/", HTTP_HX_REQUEST="true"
        )
        self.assertContains(response, "glad you found your answer")
        deflection = Deflection.objects.get()
        self.assertFalse(deflection.submitted_anyway)
        self.client.force_login(self.lena)
        report = self.client.get("/agent/kb/report/")
        self.assertEqual(report.context["deflected"], 1)
        self.assertEqual(report.context["form_sessions"], 1)
        self.assertEqual(report.context["deflection_rate"], 1.0)

    def test_sending_the_request_anyway_is_not_a_deflection(self) -> None:
        self.suggest("charged twice")
        self.client.post(f"/help/articles/{self.charged_twice.slug}/answered/")
        response = self.client.post("/portal/new/", {
            "name": "Carol Chen", "email": "carol@acme.example", "subject": "Charged twice",
            "description": "Still two payments.", "impact": "me", "urgency": "can_wait",
        })  # fmt: skip
        self.assertEqual(response.status_code, 302, response.content[:2000])
        self.assertTrue(Deflection.objects.get().submitted_anyway)
        self.assertTrue(KbEvent.objects.filter(kind="submitted").exists())

    def test_the_request_form_asks_for_suggestions(self) -> None:
        form = self.client.get("/portal/new/")
        self.assertContains(form, 'hx-get="/help/suggest/"')
