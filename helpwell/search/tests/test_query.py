from django.test import SimpleTestCase

from helpwell.search.engine import marked, parse


class QueryTest(SimpleTestCase):
    def test_it_keeps_the_meaningful_words_once(self) -> None:
        q = parse("Hi, my parcel says DELIVERED but the parcel is not here!")
        self.assertEqual(q.terms, ("parcel", "says", "delivered"))
        self.assertFalse(q.prefix_last)

    def test_the_word_being_typed_is_a_prefix_from_three_letters(self) -> None:
        self.assertEqual(parse("when do I get my refu", typing=True), parse("refu", typing=True))
        self.assertTrue(parse("refu", typing=True).prefix_last)
        self.assertEqual(parse("parcel de", typing=True).terms, ("parcel",))
        self.assertFalse(parse("parcel ", typing=True).prefix_last)

    def test_quotes_and_operators_are_just_words(self) -> None:
        self.assertEqual(parse('"refund" OR NEAR(a b) -x AND*').terms, ("refund", "near"))

    def test_snippets_are_escaped_before_marking(self) -> None:
        self.assertEqual(marked("<b>\u27e6refund\u27e7</b>"), "&lt;b&gt;<mark>refund</mark>&lt;/b&gt;")
