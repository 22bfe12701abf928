from datetime import timedelta

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from helpwell.feedback.actions import do_rate_ticket
from helpwell.feedback.models import Rating
from helpwell.test import PASSWORD, BaseTestCase
from helpwell.tickets.actions import do_assign_ticket, do_change_status
from helpwell.tickets.models import Status


class RatingsPageTests(BaseTestCase):
    url = reverse("feedback-ratings")

    def rate(self, score, *, agent=None, comment="", days_ago=1, customer=None, category=None):
        ticket = self.make_ticket(
            customer=customer, category=category or self.invoices, subject=f"Rated {score}"
        )
        if agent is not None:
            do_assign_ticket(ticket, agent, actor=agent)
        do_change_status(ticket, Status.SOLVED, user=agent, notify=False)
        rating = do_rate_ticket(ticket, customer=ticket.customer, score=score, comment=comment)
        Rating.objects.filter(pk=rating.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
        return rating

    def known_set(self):
        # Alice: 5, 5, 4 -> 100%; Bob: 3, 1 -> 0%. Together 3 of 5 satisfied: CSAT 60%, average 3.6.
        self.rate(5, agent=self.alice, comment="Alice sorted it in minutes!", days_ago=1)
        self.rate(5, agent=self.alice, days_ago=2)
        self.rate(4, agent=self.alice, days_ago=3)
        self.rate(3, agent=self.bob, comment="Fine, eventually.", days_ago=4)
        self.rate(1, agent=self.bob, comment="Nobody read my message.", days_ago=5)

    def test_it_sends_anonymous_visitors_to_sign_in(self):
        response = self.client.get(self.url)
        self.assertRedirects(response, f"/login/?next={self.url}", fetch_redirect_response=False)

    def test_it_refuses_agents(self):
        self.client.login(username="alice", password=PASSWORD)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_it_is_404_for_accounts_that_are_not_agents(self):
        User.objects.create_user("visitor", password=PASSWORD)
        self.client.login(username="visitor", password=PASSWORD)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_shows_csat_count_average_and_each_agent(self):
        self.known_set()
        self.client.login(username="lena", password=PASSWORD)
        response = self.client.get(self.url)
        summary = response.context["summary"]
        self.assertEqual((summary["count"], summary["csat"], summary["satisfied"]), (5, 60, 3))
        self.assertAlmostEqual(summary["average"], 3.6)
        self.assertContains(response, "60%")
        self.assertContains(response, "3.6")
        by_agent = {
            row["agent"].display_name: (row["csat"], row["count"]) for row in response.context["breakdown"]
        }
        self.assertEqual(by_agent, {"Alice Martin": (100, 3), "Bob Okafor": (0, 2)})

    def test_it_lists_ratings_newest_first_with_comment_ticket_customer_and_score_in_words(self):
        self.known_set()
        self.client.login(username="lena", password=PASSWORD)
        response = self.client.get(self.url)
        body = response.content.decode()
        self.assertLess(body.index("Alice sorted it in minutes!"), body.index("Nobody read my message."))
        self.assertContains(response, "5/5 · Excellent")
        self.assertContains(response, "1/5 · Very poor")
        self.assertContains(response, "★★★★★")
        self.assertContains(response, "Carol Chen")
        newest = Rating.objects.order_by("-created_at")[0]
        self.assertContains(response, f'href="/agent/tickets/{newest.ticket.reference}/"')

    def test_it_filters_by_agent_and_by_score(self):
        self.known_set()
        self.client.login(username="lena", password=PASSWORD)
        response = self.client.get(self.url, {"agent": self.bob.pk})
        self.assertEqual(response.context["summary"]["count"], 2)
        self.assertContains(response, "Nobody read my message.")
        self.assertNotContains(response, "Alice sorted it")
        response = self.client.get(self.url, {"score": 5})
        self.assertEqual([r.score for r in response.context["page"]], [5, 5])
        self.assertEqual(response.context["summary"]["count"], 5)  # the summary still covers the period

    def test_it_counts_only_the_chosen_period(self):
        self.rate(5, agent=self.alice, days_ago=3)
        self.rate(1, agent=self.alice, days_ago=45)
        self.client.login(username="lena", password=PASSWORD)
        self.assertEqual(self.client.get(self.url, {"period": 7}).context["summary"]["csat"], 100)
        self.assertEqual(self.client.get(self.url, {"period": 30}).context["summary"]["count"], 1)
        ninety = self.client.get(self.url, {"period": 90}).context["summary"]
        self.assertEqual((ninety["count"], ninety["csat"]), (2, 50))
        self.assertEqual(self.client.get(self.url, {"period": 9999}).context["days"], 30)

    def test_it_compares_with_the_previous_period(self):
        self.rate(5, agent=self.alice, days_ago=2)
        self.rate(5, agent=self.alice, days_ago=40)
        self.rate(1, agent=self.alice, days_ago=41)
        self.client.login(username="lena", password=PASSWORD)
        response = self.client.get(self.url)
        self.assertEqual(response.context["trend"], 50)
        self.assertContains(response, "▲ 50 pts vs previous 30 days")

    def test_a_lead_sees_only_their_teams_ratings_and_an_admin_sees_all(self):
        self.rate(5, agent=self.alice, comment="Billing was great")
        self.rate(2, agent=self.tom, comment="Parcel still lost", category=self.deliveries, customer=self.dan)
        self.client.login(username="lena", password=PASSWORD)
        response = self.client.get(self.url)
        self.assertContains(response, "Billing was great")
        self.assertNotContains(response, "Parcel still lost")
        self.assertNotContains(response, "Tom Reyes")
        self.client.login(username="ada", password=PASSWORD)
        response = self.client.get(self.url)
        self.assertContains(response, "Parcel still lost")
        self.assertEqual(response.context["summary"]["count"], 2)

    def test_it_shows_a_friendly_empty_state(self):
        self.client.login(username="lena", password=PASSWORD)
        response = self.client.get(self.url)
        self.assertContains(response, "No ratings in the last 30 days yet.")

    def test_its_queries_do_not_grow_with_ratings(self):
        self.rate(5, agent=self.alice, comment="one")
        self.rate(2, agent=self.bob)
        self.client.login(username="lena", password=PASSWORD)
        self.client.get(self.url)
        with self.assertNumQueries(10) as few:
            self.client.get(self.url)
        for i in range(25):
            self.rate(1 + i % 5, agent=(self.alice, self.bob, self.lena)[i % 3], comment=f"comment {i}",
                      customer=(self.carol, self.dan)[i % 2])  # fmt: skip
        with self.assertNumQueries(len(few.captured_queries)):
            response = self.client.get(self.url, {"page": 2})
        self.assertEqual(response.context["summary"]["count"], 27)
