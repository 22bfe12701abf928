"""The relevance set (content/relevance.txt) over the demo help centre: suggestions find the answer."""

from django.test import TestCase

from helpwell.kb import content
from helpwell.kb.demo import _articles
from helpwell.kb.relevance import cases, evaluate, hit_rate

TARGET = 0.80


class RelevanceTest(TestCase):
    def test_the_relevance_set_is_big_enough_and_names_real_articles(self) -> None:
        slugs = {a.slug for a in content.articles()}
        self.assertGreaterEqual(len(slugs), 80)
        self.assertGreaterEqual(len(cases()), 60)
        for case in cases():
            self.assertTrue(set(case.expected) <= slugs, case)
            self.assertNotIn(case.question.lower(), {a.title.lower() for a in content.articles()})

    def test_suggestions_put_the_right_article_in_the_top_three(self) -> None:
        import random

        from django.utils import timezone

        _articles(random.Random(1), timezone.now())
        outcomes = evaluate()
        misses = [(o.case.question, o.suggested) for o in outcomes if not o.hit]
        self.assertGreaterEqual(hit_rate(outcomes), TARGET, misses)
