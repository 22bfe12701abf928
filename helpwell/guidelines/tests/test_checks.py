"""The checks as plain functions: what each one catches, what it leaves alone, and that its fix fixes."""

from django.test import SimpleTestCase

from helpwell.guidelines.checks import BLOCKING, DraftContext, check_draft
from helpwell.guidelines.checks.defaults import DEFAULT_GLOSSARY
from helpwell.guidelines.checks.language import detect_language
from helpwell.guidelines.checks.reading import read_message


def ctx(**kwargs) -> DraftContext:
    base = {"customer_name": "Carol Chen", "agent_name": "Alice Martin", "glossary": dict(DEFAULT_GLOSSARY)}
    return DraftContext(**{**base, **kwargs})


GOOD = "Hi Carol,\n\nThanks for the invoice number. I've corrected the total and attached the new invoice.\n\nAlice"


def checks_of(draft: str, **kwargs) -> set[str]:
    return {f.check for f in check_draft(draft, ctx(**kwargs))}


class CheckTests(SimpleTestCase):
    def test_a_good_reply_has_no_findings(self):
        self.assertEqual(checks_of(GOOD), set())

    def test_every_fix_removes_its_own_finding(self):
        draft = (
            "Hello,\n\nAs I already said, your RMA is open. Please do NOT reply to THIS email!!!\n\nSupport"
        )
        findings = check_draft(draft, ctx(customer_upset=True))
        fixable = [f for f in findings if f.fix]
        self.assertGreaterEqual(len(fixable), 5)
        for finding in fixable:
            fixed = finding.fix.apply(draft)  # type: ignore[union-attr]
            after = [f for f in check_draft(fixed, ctx(customer_upset=True)) if f.check == finding.check]
            self.assertLess(len(after), len([f for f in findings if f.check == finding.check]), finding.check)

    def test_the_greeting_fix_uses_the_customers_first_name(self):
        finding = check_draft("Your refund is on its way.\n\nAlice", ctx())[0]
        self.assertEqual(finding.check, "greeting")
        self.assertTrue(finding.fix.apply("Your refund is on its way.\n\nAlice").startswith("Hi Carol,"))  # type: ignore[union-attr]

    def test_card_numbers_block_by_default_and_are_masked_by_the_fix(self):
        draft = GOOD.replace("attached", "charged 4111 1111 1111 1111 for")
        (finding,) = [f for f in check_draft(draft, ctx()) if f.check == "sensitive"]
        self.assertEqual(finding.severity, BLOCKING)
        self.assertIn("•••• 1111", finding.fix.apply(draft))  # type: ignore[union-attr]

    def test_an_order_number_is_not_a_card_number(self):
        self.assertNotIn(
            "sensitive", checks_of(GOOD.replace("invoice number", "order number 4002 8922 1034"))
        )

    def test_a_promise_later_than_the_priority_allows_is_found(self):
        late = GOOD.replace("attached the new invoice", "I'll get back to you within 3 days")
        self.assertIn("promise", checks_of(late, sla_hours=4))
        self.assertNotIn("promise", checks_of(late, sla_hours=96))

    def test_a_delivery_promise_against_an_open_delay_notice_is_found(self):
        draft = GOOD.replace("attached the new invoice", "your parcel will arrive tomorrow")
        self.assertIn("promise", checks_of(draft, delay_min_hours=120, delay_notice="5 to 7 days late"))
        self.assertNotIn("promise", checks_of(draft))

    def test_empathy_is_asked_for_only_when_the_customer_is_upset(self):
        self.assertIn("empathy", checks_of(GOOD, customer_upset=True))
        self.assertNotIn(
            "empathy",
            checks_of(GOOD.replace("Thanks", "I'm sorry for the trouble, and thanks"), customer_upset=True),
        )

    def test_a_reply_in_the_wrong_language_is_found(self):
        self.assertIn(
            "language",
            checks_of(
                GOOD + " Let me know if there is anything else I can do for you.", customer_language="de"
            ),
        )
        self.assertEqual(
            detect_language(
                "Vielen Dank für Ihre Nachricht, die Rechnung ist nicht korrekt und wir haben sie geändert."
            ),
            "de",
        )

    def test_turned_off_checks_do_not_run(self):
        self.assertEqual(check_draft("ok", ctx(), enabled=["signoff"])[0].check, "signoff")


class ReadingTests(SimpleTestCase):
    def test_an_angry_complaint_is_upset_not_abusive(self):
        reading = read_message("This is fucking ridiculous. Third time I've asked where my order is!!")
        self.assertEqual(reading.tone, "upset")
        self.assertFalse(reading.abusive)

    def test_insults_threats_and_harassment_are_abusive(self):
        for text, category in [
            ("You useless idiot, read my email.", "insult"),
            ("I know where you live.", "threat"),
            ("What are you wearing right now?", "harassment"),
        ]:
            reading = read_message(text)
            self.assertTrue(reading.abusive, text)
            self.assertIn(category, reading.categories)

    def test_masked_swearing_at_someone_is_still_found(self):
        self.assertTrue(read_message("f*ck you and your refund policy").abusive)

    def test_calling_yourself_an_idiot_is_not_abuse(self):
        self.assertFalse(
            read_message("I felt like such an idiot when I saw the order went to my old address.").abusive
        )

    def test_a_teams_own_words_extend_the_list(self):
        self.assertFalse(read_message("You absolute plonker.").abusive)
        self.assertTrue(read_message("You absolute plonker.", (("insult", "plonker"),)).abusive)

    def test_thanks_read_positive(self):
        self.assertEqual(read_message("Thank you so much, that fixed it!").tone, "positive")
