from datetime import timedelta

import time_machine
from django.test import override_settings
from django.utils import timezone

from helpwell.feedback.models import Rating
from helpwell.portal.links import rating_link, rating_token
from helpwell.tickets.actions import do_change_status, do_reply
from helpwell.tickets.models import Status

from .base import PortalTestCase


class RatingLinkTests(PortalTestCase):
    def setUp(self):
        super().setUp()
        self.ticket = self.make_ticket()
        do_reply(self.ticket, user=self.alice, body="Fixed!")
        do_change_status(self.ticket, Status.SOLVED, user=self.alice, notify=False)
        self.url = rating_link(self.ticket.pk, self.carol, 4)

    def test_opening_the_link_shows_the_score_but_does_not_rate(self):
        response = self.client.get(self.url)
        self.assertContains(response, "How did we do?")
        self.assertContains(response, 'value="4" id="id_score_3" required checked')
        self.assertContains(response, 'hx-trigger="load"')  # the browser saves it, a mail scanner does not
        self.assertContains(response, "<noscript>")
        self.assertFalse(Rating.objects.exists())

    def test_the_scripted_post_rates_and_credits_the_agent(self):
        response = self.client.post(self.url, {"score": "4"}, HTTP_HX_REQUEST="true")
        self.assertContains(response, "Thank you! We saved your rating: 4 · Good.")
        rating = Rating.objects.get()
        self.assertEqual(
            (rating.ticket, rating.customer, rating.agent, rating.score),
            (self.ticket, self.carol, self.alice, 4),
        )

    def test_a_comment_can_be_added_afterwards_and_the_score_changed(self):
        self.client.post(self.url, {"score": "4"}, HTTP_HX_REQUEST="true")
        response = self.client.post(self.url, {"score": "5", "comment": "Alice was great"}, follow=True)
        self.assertContains(response, "Thank you, Carol!")
        self.assertContains(response, "Alice was great")
        rating = Rating.objects.get()
        self.assertEqual((rating.score, rating.comment), (5, "Alice was great"))

    def test_a_one_click_score_keeps_an_earlier_comment(self):
        self.client.post(self.url, {"score": "4", "comment": "Kind and quick"})
        self.client.post(rating_link(self.ticket.pk, self.carol, 2), {"score": "2"}, HTTP_HX_REQUEST="true")
        rating = Rating.objects.get()
        self.assertEqual((rating.score, rating.comment), (2, "Kind and quick"))

    def test_reloading_the_page_does_not_record_the_rating_twice(self):
        for _ in range(3):
            self.client.post(self.url, {"score": "4"}, HTTP_HX_REQUEST="true")
        self.assertEqual(self.ticket.events.filter(kind="rated").count(), 1)

    def test_a_tampered_token_is_refused(self):
        token = rating_token(self.ticket.pk, self.carol)
        tampered = token[:-2] + ("xx" if not token.endswith("xx") else "yy")
        response = self.client.post(f"/portal/rate/{tampered}/5/", {"score": "5"})
        self.assertContains(response, "This rating link no longer works", status_code=404)
        self.assertFalse(Rating.objects.exists())

    def test_a_token_for_one_ticket_never_rates_another(self):
        other = self.make_ticket(subject="Another one")
        do_change_status(other, Status.SOLVED, user=self.alice, notify=False)
        self.client.post(self.url, {"score": "1"})
        self.assertEqual(list(Rating.objects.values_list("ticket_id", flat=True)), [self.ticket.pk])

    def test_a_customer_can_never_rate_another_customers_ticket(self):
        # A token minted for Dan, naming Carol's ticket.
        forged = rating_link(self.ticket.pk, self.dan, 1)
        self.assertEqual(self.client.get(forged).status_code, 404)
        self.assertEqual(self.client.post(forged, {"score": "1"}).status_code, 404)
        self.assertFalse(Rating.objects.exists())

    def test_an_expired_token_is_refused(self):
        with time_machine.travel(timezone.now() + timedelta(days=61), tick=False):
            response = self.client.post(self.url, {"score": "4"})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Rating.objects.exists())

    def test_a_revoked_token_is_refused(self):
        self.carol.access_salt = "rotated"
        self.carol.save()
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_a_score_outside_the_scale_is_not_found(self):
        self.assertEqual(self.client.get(self.url.replace("/4/", "/9/")).status_code, 404)

    def test_a_reopened_request_cannot_be_rated_yet(self):
        do_change_status(self.ticket, Status.OPEN, customer=self.carol)
        get = self.client.get(self.url)
        self.assertContains(get, "You can rate it once it is solved")
        self.assertNotContains(get, 'hx-trigger="load"')
        post = self.client.post(self.url, {"score": "4"})
        self.assertContains(post, "You can rate it once it is solved", status_code=400)
        self.assertFalse(Rating.objects.exists())

    @override_settings(PUBLIC_FORM_RATE=2)
    def test_rating_is_rate_limited(self):
        for score in ("4", "5"):
            self.client.post(self.url, {"score": score})
        self.assertEqual(self.client.post(self.url, {"score": "3"}).status_code, 429)


class RatingOnTheRequestPageTests(PortalTestCase):
    def setUp(self):
        super().setUp()
        self.ticket = self.make_ticket()
        do_change_status(self.ticket, Status.SOLVED, user=self.alice, notify=False)
        self.url = f"/portal/requests/{self.ticket.reference}/rate/"

    def test_the_customer_rates_from_the_request_page(self):
        self.sign_in(self.carol)
        response = self.client.post(self.url, {"score": "5", "comment": "Thanks!"}, follow=True)
        self.assertContains(response, "Thank you for your rating!")
        self.assertContains(response, "You rated this 5 · Excellent")
        self.assertEqual(Rating.objects.get().comment, "Thanks!")

    def test_a_missing_score_is_explained(self):
        self.sign_in(self.carol)
        response = self.client.post(self.url, {"comment": "Hmm"})
        self.assertContains(response, "Choose a rating from 1 to 5.", status_code=400)
        self.assertContains(response, "Hmm", status_code=400)

    def test_another_customer_cannot_rate(self):
        self.sign_in(self.dan)
        self.assertEqual(self.client.post(self.url, {"score": "1"}).status_code, 404)
        self.assertFalse(Rating.objects.exists())

    def test_the_rating_form_only_appears_once_solved(self):
        open_ticket = self.make_ticket(subject="Open")
        self.sign_in(self.carol)
        self.assertNotContains(
            self.client.get(f"/portal/requests/{open_ticket.reference}/"), "How did we do?"
        )
        self.assertContains(self.client.get(f"/portal/requests/{self.ticket.reference}/"), "How did we do?")
