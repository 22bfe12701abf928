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


class TicketSearchPlanTest(SimpleTestCase):
    """After reading the newest tickets, PostgreSQL's ticket search reads on or turns to the index."""

    def plan(self, *, matches: int, visible: int, read: int = 4000) -> str:
        from helpwell.search.engine import _plan_ticket_search

        return _plan_ticket_search(
            read=read, matches=matches, visible=visible, limit=20, window=200, newest=1_000_000
        )

    def test_a_full_window_among_the_newest_is_enough(self) -> None:
        self.assertEqual(self.plan(matches=900, visible=200), "done")

    def test_a_full_page_reads_on_only_while_the_window_fills_cheaply(self) -> None:
        self.assertEqual(self.plan(matches=600, visible=181), "scan")
        self.assertEqual(self.plan(matches=600, visible=25), "done")

    def test_a_word_common_overall_but_rare_for_the_searcher_is_read_on_not_fetched_whole(self) -> None:
        self.assertEqual(self.plan(matches=1000, visible=2), "scan")
        self.assertEqual(self.plan(matches=1000, visible=0), "scan")

    def test_a_rare_word_goes_to_the_index(self) -> None:
        self.assertEqual(self.plan(matches=3, visible=1), "index")
        self.assertEqual(self.plan(matches=0, visible=0), "index")


class TicketRankTest(SimpleTestCase):
    """SQLite ranks the newest matches itself from FTS5's marked-up columns (see ticket_rank)."""

    def rank(self, *docs: tuple[str, str, str], internal: bool = True) -> list[float]:
        from helpwell.search.engine import HIT_CLOSE, HIT_OPEN, TICKET_COLUMN_WEIGHTS, ticket_rank

        def mark(text: str) -> str:
            return text.replace("[", HIT_OPEN).replace("]", HIT_CLOSE)

        weights = TICKET_COLUMN_WEIGHTS if internal else (*TICKET_COLUMN_WEIGHTS[:2], 0.0)
        return ticket_rank([tuple(mark(c) for c in doc) for doc in docs], weights)

    def test_a_word_in_the_subject_counts_more_than_in_the_thread(self) -> None:
        subject, thread = self.rank(
            ("[Refund] for order 12", "Please help with this.", ""),
            ("Question about order 12", "I would like a [refund] please.", ""),
        )
        self.assertGreater(subject, thread)

    def test_more_hits_count_more_and_a_hit_in_a_short_thread_more_than_in_a_long_one(self) -> None:
        once, twice, long_once = self.rank(
            ("Order", "The [refund] has not arrived.", ""),
            ("Order", "The [refund] has not arrived, the [refund] was promised.", ""),
            ("Order", "The [refund] has not arrived. " + "Some other words here. " * 40, ""),
        )
        self.assertGreater(twice, once)
        self.assertGreater(once, long_once)

    def test_internal_notes_count_only_for_agents(self) -> None:
        self.assertGreater(self.rank(("Order", "Hello", "Agreed a [goodwill] credit"))[0], 0)
        self.assertEqual(self.rank(("Order", "Hello", "Agreed a [goodwill] credit"), internal=False), [0.0])
