from django.urls import reverse

from helpwell.feedback.actions import do_rate_ticket
from helpwell.system.models import AuditEntry
from helpwell.test import PASSWORD, BaseTestCase
from helpwell.tickets.actions import do_change_status
from helpwell.tickets.models import Status


class DjangoAdminTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.ada.is_staff = self.ada.is_superuser = True
        self.ada.save()
        self.client.login(username="ada", password=PASSWORD)
        ticket = self.make_ticket()
        do_change_status(ticket, Status.SOLVED, user=self.alice, notify=False)
        do_rate_ticket(ticket, customer=self.carol, score=5, comment="Great")
        self.ticket = ticket

    def test_every_list_and_the_ticket_page_open(self):
        models = ["people/agent", "people/team", "people/customer", "people/organisation", "tickets/ticket"]
        models += ["tickets/priority", "tickets/category", "tickets/tag", "feedback/rating"]
        for model in models:
            response = self.client.get(f"/admin/{model}/")
            self.assertEqual(response.status_code, 200, model)
        response = self.client.get(reverse("admin:tickets_ticket_change", args=[self.ticket.pk]))
        self.assertContains(response, self.ticket.reference)
        self.assertContains(response, "The total is off by 10 EUR.")

    def test_tickets_and_ratings_are_read_only_here(self):
        response = self.client.post(
            reverse("admin:tickets_ticket_change", args=[self.ticket.pk]), {"subject": "Changed"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.client.get(reverse("admin:feedback_rating_add")).status_code, 403)

    def test_changes_made_in_the_admin_are_audited(self):
        self.client.post(
            reverse("admin:people_team_change", args=[self.billing.pk]),
            {"name": "Billing & Payments", "slug": "billing", "description": ""},
        )
        self.billing.refresh_from_db()
        self.assertEqual(self.billing.name, "Billing & Payments")
        entry = AuditEntry.objects.get(action="admin.changed")
        self.assertEqual(entry.changes["name"], ["Billing", "Billing & Payments"])
