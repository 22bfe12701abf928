"""The demo shows the feature: default guidelines, a glossary, upset customers and one abusive message for a lead."""

from django.test import TestCase

from helpwell.demo.loader import load_demo
from helpwell.guidelines.models import CodeOfConduct, FindingOutcome, GlossaryEntry, Guideline, MessageReading


class DemoTests(TestCase):
    def test_the_demo_has_guidelines_upset_customers_and_one_abusive_message(self):
        load_demo()
        self.assertTrue(Guideline.objects.filter(team=None).exists())
        self.assertTrue(CodeOfConduct.objects.exists())
        self.assertTrue(GlossaryEntry.objects.filter(team__slug="billing", term="proration").exists())
        abusive = MessageReading.objects.get(abusive=True)
        self.assertTrue(abusive.shielded)
        self.assertIsNone(abusive.handled_at)
        self.assertEqual(abusive.exposed_agent.username, "sofia")  # type: ignore[union-attr]
        self.assertEqual(MessageReading.objects.filter(tone="upset", abusive=False).count(), 2)
        self.assertTrue(FindingOutcome.objects.filter(outcome="dismissed").exclude(reason="").exists())
