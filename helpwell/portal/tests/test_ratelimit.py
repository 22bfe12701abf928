from django.core.cache import cache
from django.test import RequestFactory, SimpleTestCase

from helpwell.lib.ratelimit import hit, hit_request


class RateLimitTests(SimpleTestCase):
    def setUp(self):
        cache.clear()

    def test_it_allows_up_to_the_limit_then_refuses(self):
        verdicts = [hit("form", "203.0.113.9", limit=3, now=1000.0) for _ in range(4)]
        self.assertEqual([bool(v) for v in verdicts], [True, True, True, False])
        self.assertEqual(verdicts[-1].count, 4)

    def test_it_starts_again_in_the_next_window(self):
        for _ in range(3):
            hit("form", "203.0.113.9", limit=3, window=3600, now=3600.0)
        self.assertFalse(hit("form", "203.0.113.9", limit=3, window=3600, now=7199.0))
        self.assertTrue(hit("form", "203.0.113.9", limit=3, window=3600, now=7200.0))

    def test_it_says_when_the_window_resets(self):
        verdict = hit("form", "a", limit=1, window=3600, now=3600.0 + 600)
        self.assertEqual(verdict.retry_after, 3000)

    def test_it_counts_each_form_and_each_address_separately(self):
        hit("signin", "203.0.113.9", limit=1, now=10.0)
        self.assertTrue(hit("new-request", "203.0.113.9", limit=1, now=10.0))
        self.assertTrue(hit("signin", "198.51.100.7", limit=1, now=10.0))
        self.assertFalse(hit("signin", "203.0.113.9", limit=1, now=10.0))

    def test_it_keys_requests_by_remote_addr_and_ignores_forwarded_for(self):
        factory = RequestFactory()
        first = factory.post("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.1.1.1")
        second = factory.post("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="2.2.2.2")
        self.assertTrue(hit_request(first, "form", limit=1))
        self.assertFalse(hit_request(second, "form", limit=1))
