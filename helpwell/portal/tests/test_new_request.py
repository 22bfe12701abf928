from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from helpwell.people.models import Customer
from helpwell.system.models import AuditEntry
from helpwell.tickets.models import Channel, Ticket

from .base import PortalTestCase


def form_data(**overrides):
    data = {
        "name": "Eve Example",
        "email": "eve@newco.example",
        "subject": "The printer is on fire",
        "description": "Error E13, then smoke.",
        "impact": "organisation",
        "urgency": "blocked",
        "category": "",
        "time_zone": "Europe/Lisbon",
        "website": "",
    }
    data.update(overrides)
    return data


class RequestFormPageTests(PortalTestCase):
    def test_it_shows_the_form_with_the_two_plain_questions(self):
        response = self.client.get("/portal/new/")
        self.assertContains(response, "Who is affected?")
        self.assertContains(response, "Our whole organisation")
        self.assertContains(response, "I cannot work")
        self.assertContains(response, "Invoices")  # categories to choose from
        self.assertContains(response, 'name="attachments"')
        self.assertContains(response, "resolvedOptions().timeZone")

    def test_it_prefills_name_and_email_for_a_signed_in_customer(self):
        self.sign_in(self.carol)
        response = self.client.get("/portal/new/")
        self.assertContains(response, 'value="carol@acme.example"')
        self.assertContains(response, 'value="Carol Chen"')


class SubmitRequestTests(PortalTestCase):
    def test_it_creates_a_web_ticket_with_the_priority_from_the_answers(self):
        response = self.client.post("/portal/new/", form_data())
        ticket = Ticket.objects.get()
        self.assertRedirects(response, f"/portal/submitted/{ticket.reference}/")
        self.assertEqual(ticket.channel, Channel.WEB)
        self.assertEqual(ticket.priority, self.priorities["urgent"])
        self.assertEqual((ticket.impact, ticket.urgency), ("organisation", "blocked"))
        self.assertEqual(ticket.messages.get().body_text, "Error E13, then smoke.")

    def test_a_request_that_can_wait_is_low(self):
        self.client.post("/portal/new/", form_data(impact="me", urgency="can_wait"))
        self.assertEqual(Ticket.objects.get().priority, self.priorities["low"])

    def test_it_routes_by_the_chosen_category(self):
        self.client.post("/portal/new/", form_data(category=self.deliveries.pk))
        ticket = Ticket.objects.get()
        self.assertEqual((ticket.category, ticket.team), (self.deliveries, self.shipping))

    def test_it_creates_a_new_customer_in_the_browsers_time_zone_and_organisation(self):
        self.client.post("/portal/new/", form_data(email="eve@Acme.Example"))
        eve = Customer.objects.get(name="Eve Example")
        self.assertEqual(eve.email, "eve@acme.example")
        self.assertEqual(eve.time_zone, "Europe/Lisbon")
        self.assertEqual(eve.organisation, self.acme)
        self.assertTrue(AuditEntry.objects.filter(action="customer.created", object_id=str(eve.pk)).exists())

    def test_it_ignores_a_time_zone_it_does_not_know(self):
        self.client.post("/portal/new/", form_data(time_zone="Mars/Olympus"))
        self.assertEqual(Customer.objects.get(name="Eve Example").time_zone, "UTC")

    def test_it_keeps_an_existing_customers_name_and_time_zone(self):
        self.client.post(
            "/portal/new/", form_data(name="Someone Else", email="CAROL@acme.example", time_zone="Asia/Tokyo")
        )
        self.carol.refresh_from_db()
        self.assertEqual(self.carol.name, "Carol Chen")
        self.assertEqual(self.carol.time_zone, "Europe/Berlin")
        self.assertEqual(Ticket.objects.get().customer, self.carol)
        self.assertEqual(Customer.objects.count(), 2)

    def test_it_acknowledges_by_mail_with_the_reference_and_a_link(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post("/portal/new/", form_data())
        ticket = Ticket.objects.get()
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn(ticket.reference, mail.outbox[0].subject)
        self.assertIn("your time (Europe/Lisbon)", mail.outbox[0].body)
        self.assertIn("/portal/access/", mail.outbox[0].body)

    def test_it_stores_several_attachments(self):
        files = [
            SimpleUploadedFile("photo.png", b"\x89PNG fake", content_type="image/png"),
            SimpleUploadedFile("log.txt", b"E13", content_type="text/plain"),
        ]
        self.client.post("/portal/new/", {**form_data(), "attachments": files})
        names = sorted(Ticket.objects.get().messages.get().attachments.values_list("filename", flat=True))
        self.assertEqual(names, ["log.txt", "photo.png"])


class ValidationTests(PortalTestCase):
    def test_errors_are_per_field_and_keep_what_was_typed(self):
        response = self.client.post(
            "/portal/new/", form_data(email="not-an-email", description="", impact="", subject="Keep me")
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Ticket.objects.exists())
        self.assertContains(response, "Enter an email address like name@example.com.")
        self.assertContains(response, "Describe what happened.")
        self.assertContains(response, "Tell us who is affected.")
        self.assertContains(response, 'value="Keep me"')
        self.assertContains(response, 'value="not-an-email"')
        self.assertContains(response, 'value="blocked" id="id_urgency_2" required checked')

    def test_it_asks_to_choose_attachments_again_after_an_error(self):
        png = SimpleUploadedFile("photo.png", b"\x89PNG fake", content_type="image/png")
        response = self.client.post("/portal/new/", {**form_data(subject=""), "attachments": [png]})
        self.assertContains(response, "please choose your attachments again")

    def test_it_refuses_a_kind_of_file_it_does_not_accept(self):
        exe = SimpleUploadedFile("setup.exe", b"MZ", content_type="application/x-msdownload")
        response = self.client.post("/portal/new/", {**form_data(), "attachments": [exe]})
        self.assertContains(response, "“setup.exe” is a kind of file we do not accept")
        self.assertContains(response, 'value="The printer is on fire"')
        self.assertFalse(Ticket.objects.exists())

    @override_settings(ATTACHMENT_MAX_BYTES=1024 * 1024)
    def test_it_refuses_a_file_over_the_size_limit(self):
        big = SimpleUploadedFile("big.pdf", b"x" * (1024 * 1024 + 1), content_type="application/pdf")
        response = self.client.post("/portal/new/", {**form_data(), "attachments": [big]})
        self.assertContains(response, "“big.pdf” is larger than 1 MB.")
        self.assertFalse(Ticket.objects.exists())


class AbuseTests(PortalTestCase):
    def test_a_filled_honeypot_creates_nothing(self):
        response = self.client.post("/portal/new/", form_data(website="http://spam.example"))
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Ticket.objects.exists())
        self.assertFalse(Customer.objects.filter(email="eve@newco.example").exists())

    @override_settings(PUBLIC_FORM_RATE=2)
    def test_it_rate_limits_per_client_address_with_a_friendly_page(self):
        for _ in range(2):
            self.client.post("/portal/new/", form_data(), REMOTE_ADDR="203.0.113.9")
        response = self.client.post("/portal/new/", form_data(), REMOTE_ADDR="203.0.113.9")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Please wait a moment", status_code=429)
        self.assertIn("Retry-After", response)
        self.assertEqual(Ticket.objects.count(), 2)
        other = self.client.post("/portal/new/", form_data(), REMOTE_ADDR="198.51.100.7")
        self.assertEqual(other.status_code, 302)


class SubmittedPageTests(PortalTestCase):
    def test_it_shows_the_reference_the_promise_in_local_time_and_the_priority(self):
        response = self.client.post("/portal/new/", form_data(), follow=True)
        ticket = Ticket.objects.get()
        self.assertContains(response, ticket.reference)
        self.assertContains(response, "your time (Europe/Lisbon)")
        self.assertContains(response, "Service down or data at risk")
        self.assertContains(response, "emailed you a link to follow this request")

    def test_it_uses_an_existing_customers_own_time_zone(self):
        response = self.client.post("/portal/new/", form_data(email="carol@acme.example"), follow=True)
        self.assertContains(response, "your time (Europe/Berlin)")

    def test_only_the_submitting_browser_sees_the_confirmation(self):
        self.client.post("/portal/new/", form_data())
        reference = Ticket.objects.get().reference
        self.assertEqual(self.client.get(f"/portal/submitted/{reference}/").status_code, 200)
        stranger = self.client_class()
        self.assertEqual(stranger.get(f"/portal/submitted/{reference}/").status_code, 404)

    def test_submitting_does_not_open_the_request_itself(self):
        self.client.post("/portal/new/", form_data(email="carol@acme.example"))
        ticket = Ticket.objects.get()
        response = self.client.get(f"/portal/requests/{ticket.reference}/")
        self.assertRedirects(response, f"/portal/signin/?next={ticket.reference}")
        self.assertEqual(self.client.get("/portal/requests/").status_code, 302)

    def test_a_typed_reference_of_someone_elses_request_is_not_found(self):
        ticket = self.make_ticket(customer=self.dan)
        self.client.post("/portal/new/", form_data())
        self.assertEqual(self.client.get(f"/portal/submitted/{ticket.reference}/").status_code, 404)
