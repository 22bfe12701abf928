from django.core.cache import cache
from django.test import override_settings

from helpwell.test import PASSWORD, BaseTestCase


@override_settings(SIGN_IN_RATE=3)
class SignInTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.addCleanup(cache.clear)

    def attempt(self, username: str, password: str = "wrong", address: str = "203.0.113.7"):
        return self.client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)

    def test_it_signs_an_agent_in(self):
        response = self.attempt("alice", PASSWORD)
        self.assertRedirects(response, "/agent/", fetch_redirect_response=False)

    def test_it_keeps_the_username_after_a_wrong_password(self):
        response = self.attempt("alice")
        self.assertContains(response, "did not match")
        self.assertContains(response, 'value="alice"')

    def test_it_stops_password_guessing_from_one_address(self):
        for name in ("alice", "bob", "lena"):
            self.attempt(name)
        response = self.attempt("tom", PASSWORD)
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Too many sign-in attempts", status_code=429)
        self.assertIn("Retry-After", response)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_stops_guessing_one_account_from_many_addresses(self):
        for n in range(3):
            self.attempt("alice", address=f"198.51.100.{n}")
        response = self.attempt("alice", PASSWORD, address="198.51.100.99")
        self.assertEqual(response.status_code, 429)
