"""Reading customer messages: abusive ones are shielded and flagged, a lead takes the heat, repeat abusers go on review."""

from django.urls import reverse

from helpwell.guidelines.models import CustomerReview, MessageReading, ShieldOpening
from helpwell.system.models import AuditEntry
from helpwell.test import PASSWORD, BaseTestCase
from helpwell.tickets.actions import do_assign_ticket, do_customer_reply
from helpwell.tickets.models import TicketEvent

ABUSE = "You useless idiot. I know where you live."
ANGRY = "This is bloody ridiculous. Third time I've asked where my parcel is. Unacceptable!!"


class ShieldingTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.ticket = self.make_ticket(body="My parcel is late, can you check?")
        do_assign_ticket(self.ticket, self.alice, actor=self.alice)

    def page(self, who="alice"):
        self.client.login(username=who, password=PASSWORD)
        return self.client.get(reverse("tickets-detail", args=[self.ticket.reference]))

    def test_every_customer_message_gets_a_tone_reading(self):
        first = MessageReading.objects.get(message__ticket=self.ticket)
        self.assertEqual((first.tone, first.abusive), ("neutral", False))
        message = do_customer_reply(self.ticket, customer=self.carol, body=ANGRY)
        reading = message.guideline_reading  # type: ignore[attr-defined]
        self.assertEqual(reading.tone, "upset")
        self.assertFalse(reading.abusive)
        self.assertFalse(reading.shielded)

    def test_an_angry_complaint_is_shown_normally(self):
        do_customer_reply(self.ticket, customer=self.carol, body=ANGRY)
        response = self.page()
        self.assertNotContains(response, "data-gl-shielded")
        self.assertContains(response, "This is bloody ridiculous. Third time I")

    def test_an_abusive_message_is_collapsed_flagged_and_counted_against_the_assignee(self):
        message = do_customer_reply(self.ticket, customer=self.carol, body=ABUSE)
        reading = MessageReading.objects.get(message=message)
        self.assertTrue(reading.abusive and reading.shielded)
        self.assertEqual(set(reading.categories), {"insult", "threat"})
        self.assertEqual(reading.exposed_agent, self.alice)
        response = self.page()
        self.assertContains(response, "Held back: this message reads as abusive (insult, threat).")
        self.assertContains(response, '<details class="gl-shielded"', html=False)
        self.assertContains(response, "Your team lead has been told")
        self.assertContains(response, "Use the code-of-conduct reply")
        self.assertNotContains(response, "Take over this ticket")  # that is the lead's
        # The lead sees the flag on the wellbeing page, and Alice's exposure.
        self.client.login(username="lena", password=PASSWORD)
        response = self.client.get(reverse("guidelines-wellbeing"))
        self.assertContains(response, self.ticket.reference)
        exposure = {e["agent"].user.username: e for e in response.context["exposure"]}
        self.assertEqual(exposure["alice"]["landed"], 1)

    def test_opening_a_shielded_message_is_counted_once(self):
        message = do_customer_reply(self.ticket, customer=self.carol, body=ABUSE)
        reading = MessageReading.objects.get(message=message)
        self.client.login(username="bob", password=PASSWORD)
        url = reverse("guidelines-opened", args=[self.ticket.reference, reading.pk])
        self.assertEqual(self.client.post(url).status_code, 204)
        self.client.post(url)
        self.assertEqual(ShieldOpening.objects.filter(user=self.bob).count(), 1)
        self.client.login(username="tom", password=PASSWORD)  # not on Billing: no such ticket
        self.assertEqual(self.client.post(url).status_code, 404)

    def test_the_lead_takes_the_ticket_over(self):
        do_customer_reply(self.ticket, customer=self.carol, body=ABUSE)
        self.assertContains(self.page("lena"), "Take over this ticket")
        response = self.client.post(reverse("guidelines-take-over", args=[self.ticket.reference]))
        self.assertRedirects(
            response, reverse("tickets-detail", args=[self.ticket.reference]), fetch_redirect_response=False
        )
        self.ticket.refresh_from_db()
        self.assertEqual(self.ticket.assignee, self.lena)
        self.assertTrue(
            TicketEvent.objects.filter(ticket=self.ticket, kind="assigned", actor_user=self.lena).exists()
        )
        self.assertTrue(AuditEntry.objects.filter(action="guidelines.took_over", actor=self.lena).exists())
        reading = MessageReading.objects.get(abusive=True)
        self.assertEqual((reading.handled_by, reading.handling), (self.lena, "taken over by Lena Fischer"))
        self.assertContains(self.page("lena"), "A lead has taken the heat on this ticket")

    def test_the_lead_can_hand_it_to_a_colleague(self):
        do_customer_reply(self.ticket, customer=self.carol, body=ABUSE)
        self.client.login(username="lena", password=PASSWORD)
        self.client.post(
            reverse("guidelines-reassign", args=[self.ticket.reference]), {"assignee": self.bob.pk}
        )
        self.ticket.refresh_from_db()
        self.assertEqual(self.ticket.assignee, self.bob)
        self.assertTrue(AuditEntry.objects.filter(action="guidelines.reassigned_after_abuse").exists())

    def test_agents_cannot_take_over(self):
        do_customer_reply(self.ticket, customer=self.carol, body=ABUSE)
        self.client.login(username="bob", password=PASSWORD)
        self.assertEqual(
            self.client.post(reverse("guidelines-take-over", args=[self.ticket.reference])).status_code, 403
        )
        self.ticket.refresh_from_db()
        self.assertEqual(self.ticket.assignee, self.alice)

    def test_a_customer_on_review_has_their_messages_go_to_the_lead_first(self):
        do_customer_reply(self.ticket, customer=self.carol, body=ABUSE)
        self.client.login(username="lena", password=PASSWORD)
        response = self.client.post(
            reverse("guidelines-review", args=[self.carol.pk]), {"reason": "Threats on two tickets"}
        )
        self.assertEqual(response.status_code, 302)
        review = CustomerReview.objects.get(customer=self.carol)
        self.assertEqual(review.started_by, self.lena)
        self.assertTrue(AuditEntry.objects.filter(action="guidelines.customer_on_review").exists())
        other = self.make_ticket(subject="Another thing", body="Where is my refund?")
        other.refresh_from_db()
        self.assertEqual(other.assignee, self.lena)
        reading = MessageReading.objects.get(message__ticket=other)
        self.assertTrue(reading.shielded)
        self.assertFalse(reading.abusive)
        # Ending the review is recorded too.
        self.client.post(reverse("guidelines-review", args=[self.carol.pk]), {"action": "end"})
        review.refresh_from_db()
        self.assertIsNotNone(review.ended_at)
        self.assertTrue(AuditEntry.objects.filter(action="guidelines.customer_review_ended").exists())

    def test_putting_on_review_needs_a_reason_and_a_customer_the_lead_can_see(self):
        self.client.login(username="lena", password=PASSWORD)
        self.client.post(reverse("guidelines-review", args=[self.carol.pk]), {"reason": ""})
        self.assertFalse(CustomerReview.objects.exists())
        self.assertEqual(
            self.client.post(reverse("guidelines-review", args=[self.dan.pk]), {"reason": "x"}).status_code,
            404,
        )

    def test_the_code_of_conduct_reply_names_the_customer_and_links_the_page(self):
        do_customer_reply(self.ticket, customer=self.carol, body=ABUSE)
        response = self.page("lena")
        self.assertContains(response, "Hi Carol,")
        self.assertContains(response, "http://testserver/conduct/")


class ShieldingMailTests(BaseTestCase):
    def test_the_lead_is_mailed_and_the_agents_mail_leaves_the_abuse_out(self):
        from helpwell.mail.models import OutgoingMail

        ticket = self.make_ticket(body="My parcel is late, can you check?")
        do_assign_ticket(ticket, self.alice, actor=self.lena)
        OutgoingMail.objects.all().delete()
        do_customer_reply(ticket, customer=self.carol, body=ABUSE)
        flag = OutgoingMail.objects.get(kind="abuse-flag")
        self.assertEqual(flag.to, self.lena.email)
        self.assertIn("held back to protect Alice Martin", flag.subject)
        self.assertNotIn("idiot", flag.body_text)
        to_alice = OutgoingMail.objects.get(kind="customer-replied")
        self.assertIn("Held back to protect you", to_alice.body_text)
        self.assertNotIn("idiot", to_alice.body_text + to_alice.body_html)

    def test_an_angry_reply_reaches_the_agent_in_full_and_nobody_is_flagged(self):
        from helpwell.mail.models import OutgoingMail

        ticket = self.make_ticket(body="My parcel is late, can you check?")
        do_assign_ticket(ticket, self.alice, actor=self.lena)
        do_customer_reply(ticket, customer=self.carol, body=ANGRY)
        self.assertFalse(OutgoingMail.objects.filter(kind="abuse-flag").exists())
        self.assertIn("bloody ridiculous", OutgoingMail.objects.get(kind="customer-replied").body_text)
