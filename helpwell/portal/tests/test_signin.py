import re
from datetime import timedelta

import time_machine
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from helpwell.mail.models import OutgoingMail
from helpwell.portal.links import magic_link, make_token

from .base import PortalTestCase


def normalise(response, email: str) -> str:
    """The page without what differs per request anyway: the address typed and the CSRF tokens."""
    html = response.content.decode().replace(email, "EMAIL")
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1TOKEN", html)


class SignInFormTests(PortalTestCase):
    def test_it_emails_a_known_customer_a_magic_link(self):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post("/portal/signin/", {"email": "Carol@acme.example"})
        self.assertContains(response, "Check your inbox")
        self.assertEqual(len(mail.outbox), 1)
        sent = mail.outbox[0]
        self.assertEqual(sent.to, ["carol@acme.example"])
        self.assertIn("/portal/access/", sent.body)
        html = getattr(sent, "alternatives", [])[0][0]
        self.assertIn("Open my requests", str(html))

    def test_it_answers_the_same_for_an_unknown_address_and_sends_nothing(self):
        known = self.client.post("/portal/signin/", {"email": "carol@acme.example"})
        unknown = self.client.post("/portal/signin/", {"email": "nobody@example.com"})
        self.assertEqual(known.status_code, unknown.status_code)
        self.assertEqual(normalise(known, "carol@acme.example"), normalise(unknown, "nobody@example.com"))
        self.assertEqual(OutgoingMail.objects.filter(to="nobody@example.com").count(), 0)

    def test_it_carries_a_reference_of_the_customer_into_the_link(self):
        ticket = self.make_ticket()
        self.client.post("/portal/signin/", {"email": "carol@acme.example", "next": ticket.reference})
        self.assertIn(f"next={ticket.reference}", OutgoingMail.objects.get().body_text)

    def test_it_drops_a_reference_that_is_not_the_customers(self):
        dans = self.make_ticket(customer=self.dan)
        self.client.post("/portal/signin/", {"email": "carol@acme.example", "next": dans.reference})
        self.assertNotIn("next=", OutgoingMail.objects.get().body_text)

    def test_it_shows_an_error_for_an_invalid_address(self):
        response = self.client.post("/portal/signin/", {"email": "carol"})
        self.assertContains(response, "Enter an email address like name@example.com.")
        self.assertContains(response, 'value="carol"')

    @override_settings(PUBLIC_FORM_RATE=3)
    def test_it_rate_limits_per_client_address(self):
        for _ in range(3):
            self.client.post("/portal/signin/", {"email": "x@example.com"})
        response = self.client.post("/portal/signin/", {"email": "carol@acme.example"})
        self.assertEqual(response.status_code, 429)
        self.assertFalse(OutgoingMail.objects.exists())

    def test_it_sends_one_address_at_most_five_links_an_hour(self):
        for n in range(7):
            self.client.post(
                "/portal/signin/", {"email": "carol@acme.example"}, REMOTE_ADDR=f"198.51.100.{n}"
            )
        self.assertEqual(OutgoingMail.objects.filter(to="carol@acme.example").count(), 5)


class MagicLinkTests(PortalTestCase):
    def test_a_valid_link_signs_in_and_opens_my_requests(self):
        self.client.get("/portal/")
        old_key = self.client.session.session_key
        response = self.client.get(magic_link(self.carol))
        self.assertRedirects(response, "/portal/requests/")
        self.assertEqual(self.client.session["portal_customer_id"], self.carol.pk)
        self.assertNotEqual(self.client.session.session_key, old_key)

    def test_it_goes_to_the_request_named_in_next(self):
        ticket = self.make_ticket()
        response = self.client.get(magic_link(self.carol, ticket.reference))
        self.assertRedirects(response, f"/portal/requests/{ticket.reference}/")

    def test_it_ignores_a_next_that_is_another_customers_request_or_a_url(self):
        dans = self.make_ticket(customer=self.dan)
        for target in (dans.reference, "https://evil.example/", "//evil.example"):
            url = f"/portal/access/{make_token(self.carol)}/?next={target}"
            self.assertRedirects(self.client.get(url), "/portal/requests/")

    def test_a_tampered_link_is_refused_with_a_friendly_page(self):
        token = make_token(self.carol)
        tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
        response = self.client.get(f"/portal/access/{tampered}/")
        self.assertContains(response, "This link has expired", status_code=404)
        self.assertContains(response, "Send me a new link", status_code=404)
        self.assertNotIn("portal_customer_id", self.client.session)

    def test_a_token_signed_for_another_purpose_is_refused(self):
        from django.core import signing

        forged = signing.dumps({"c": self.carol.pk, "s": self.carol.access_salt}, salt="some.other.salt")
        self.assertEqual(self.client.get(f"/portal/access/{forged}/").status_code, 404)

    def test_an_expired_link_is_refused(self):
        url = magic_link(self.carol)
        with time_machine.travel(timezone.now() + timedelta(days=15), tick=False):
            response = self.client.get(url)
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("portal_customer_id", self.client.session)

    def test_rotating_the_salt_revokes_links_and_sessions(self):
        url = magic_link(self.carol)
        self.sign_in(self.carol)
        self.carol.access_salt = "rotated"
        self.carol.save()
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertRedirects(self.client.get("/portal/requests/"), "/portal/signin/")

    def test_signing_out_forgets_the_customer(self):
        self.sign_in(self.carol)
        self.assertContains(self.client.get("/portal/signout/"), "Sign out?")
        response = self.client.post("/portal/signout/", follow=True)
        self.assertContains(response, "You are signed out")
        self.assertNotIn("portal_customer_id", self.client.session)
        self.assertRedirects(self.client.get("/portal/requests/"), "/portal/signin/")
