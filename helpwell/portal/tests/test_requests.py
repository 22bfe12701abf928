from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from helpwell.tickets.actions import do_change_status, do_reply
from helpwell.tickets.models import Status, TicketEvent

from .base import PortalTestCase


class RequestListTests(PortalTestCase):
    def test_it_asks_a_stranger_to_sign_in(self):
        self.assertRedirects(self.client.get("/portal/requests/"), "/portal/signin/")

    def test_it_lists_only_the_customers_own_requests(self):
        mine = self.make_ticket(subject="Carol's invoice")
        theirs = self.make_ticket(customer=self.dan, subject="Dan's secret order")
        self.sign_in(self.carol)
        response = self.client.get("/portal/requests/")
        self.assertContains(response, mine.reference)
        self.assertContains(response, "Received")  # the status in the customer's words
        self.assertNotContains(response, theirs.reference)
        self.assertNotContains(response, "Dan's secret order")

    def test_it_says_when_there_are_no_requests(self):
        self.sign_in(self.dan)
        self.assertContains(self.client.get("/portal/requests/"), "No requests yet.")

    def test_it_paginates(self):
        for n in range(23):
            self.make_ticket(subject=f"Question {n}")
        self.sign_in(self.carol)
        first = self.client.get("/portal/requests/")
        self.assertContains(first, "Page 1 of 2")
        self.assertContains(first, "23 requests")
        second = self.client.get("/portal/requests/?page=2")
        self.assertEqual(len(second.context["rows"]), 3)

    def test_its_queries_do_not_grow_with_the_number_of_requests(self):
        self.sign_in(self.carol)
        self.make_ticket()
        self.client.get("/portal/requests/")  # warm up: site settings row, session
        with self.assertNumQueries(7) as few:  # 7th: the delay-notice banner
            self.client.get("/portal/requests/")
        for n in range(15):
            self.make_ticket(subject=f"More {n}", priority=self.priorities["high" if n % 2 else "low"])
        with self.assertNumQueries(len(few.captured_queries)):
            self.client.get("/portal/requests/")


class RequestDetailTests(PortalTestCase):
    def setUp(self):
        super().setUp()
        self.ticket = self.make_ticket()
        self.alice.agent.job_title = "Billing specialist"
        self.alice.agent.save()
        do_reply(self.ticket, user=self.alice, body="Hello Carol, I have refunded it.")
        do_reply(self.ticket, user=self.alice, body="Internal: customer is grumpy", internal=True)
        self.url = f"/portal/requests/{self.ticket.reference}/"

    def test_it_shows_the_thread_with_the_agents_name_title_and_photo(self):
        self.sign_in(self.carol)
        response = self.client.get(self.url)
        self.assertContains(response, "The total is off by 10 EUR.")
        self.assertContains(response, "Hello Carol, I have refunded it.")
        self.assertContains(response, "Alice Martin")
        self.assertContains(response, "Billing specialist")
        self.assertContains(response, f'<img class="avatar" src="/people/photo/{self.alice.agent.pk}/"')
        self.assertContains(response, "In progress")

    def test_it_never_shows_internal_notes(self):
        self.sign_in(self.carol)
        self.assertNotContains(self.client.get(self.url), "grumpy")

    def test_it_promises_the_first_reply_in_the_customers_time_zone(self):
        ticket = self.make_ticket(subject="Still waiting")
        self.sign_in(self.carol)
        response = self.client.get(f"/portal/requests/{ticket.reference}/")
        self.assertContains(response, "A person replies by")
        self.assertContains(response, "your time (Europe/Berlin)")
        self.assertContains(response, "Something is not working as expected")

    def test_another_customer_gets_not_found_like_a_missing_request(self):
        self.sign_in(self.dan)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.get("/portal/requests/HW-ZZZZZZZ/").status_code, 404)

    def test_a_lower_case_reference_works(self):
        self.sign_in(self.carol)
        self.assertEqual(self.client.get(self.url.lower()).status_code, 200)


class ReplyTests(PortalTestCase):
    def setUp(self):
        super().setUp()
        self.ticket = self.make_ticket()
        self.sign_in(self.carol)
        self.url = f"/portal/requests/{self.ticket.reference}/reply/"

    def test_it_adds_the_reply_with_attachments_to_the_thread(self):
        pdf = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4", content_type="application/pdf")
        response = self.client.post(
            self.url, {"body": "Here is the receipt.", "attachments": [pdf]}, follow=True
        )
        self.assertContains(response, "Here is the receipt.")
        self.assertContains(response, "receipt.pdf")
        message = self.ticket.messages.last()
        self.assertEqual(message.author_customer, self.carol)
        self.assertTrue(TicketEvent.objects.filter(ticket=self.ticket, kind="customer_replied").exists())

    def test_an_empty_reply_is_refused_with_a_clear_message(self):
        response = self.client.post(self.url, {"body": "   "})
        self.assertContains(response, "Write a message before sending.", status_code=400)
        self.assertEqual(self.ticket.messages.count(), 1)

    def test_a_refused_file_keeps_the_typed_text(self):
        exe = SimpleUploadedFile("setup.exe", b"MZ", content_type="application/x-msdownload")
        response = self.client.post(self.url, {"body": "Please keep me", "attachments": [exe]})
        self.assertContains(response, "Please keep me", status_code=400)
        self.assertContains(response, "choose your files again", status_code=400)

    def test_a_reply_reopens_a_solved_request(self):
        do_change_status(self.ticket, Status.SOLVED, user=self.alice, notify=False)
        self.client.post(self.url, {"body": "It broke again."})
        self.ticket.refresh_from_db()
        self.assertEqual(self.ticket.status, Status.OPEN)

    def test_a_closed_request_cannot_be_replied_to(self):
        do_change_status(self.ticket, Status.CLOSED, user=self.alice, notify=False)
        response = self.client.post(self.url, {"body": "Hello?"})
        self.assertContains(response, "This request is closed", status_code=400)
        self.assertEqual(self.ticket.messages.count(), 1)

    def test_another_customer_cannot_reply(self):
        self.sign_in(self.dan)
        self.assertEqual(self.client.post(self.url, {"body": "Dan was here"}).status_code, 404)
        self.assertFalse(self.ticket.messages.filter(body_text="Dan was here").exists())

    def test_a_stranger_cannot_reply(self):
        stranger = self.client_class()
        stranger.post(self.url, {"body": "Stranger"})
        self.assertFalse(self.ticket.messages.filter(body_text="Stranger").exists())

    @override_settings(PUBLIC_FORM_RATE=2)
    def test_replies_are_rate_limited(self):
        for n in range(2):
            self.client.post(self.url, {"body": f"Reply {n}"})
        self.assertEqual(self.client.post(self.url, {"body": "One too many"}).status_code, 429)


class SolveAndReopenTests(PortalTestCase):
    def setUp(self):
        super().setUp()
        self.ticket = self.make_ticket()
        self.base = f"/portal/requests/{self.ticket.reference}/"

    def test_the_customer_marks_it_solved_and_can_reopen_it(self):
        self.sign_in(self.carol)
        response = self.client.post(self.base + "solve/", follow=True)
        self.assertContains(response, "Marked as solved")
        self.assertContains(response, "How did we do?")
        self.ticket.refresh_from_db()
        self.assertEqual(self.ticket.status, Status.SOLVED)
        event = self.ticket.events.filter(kind="status").last()
        self.assertEqual(event.actor_customer, self.carol)

        self.client.post(self.base + "reopen/")
        self.ticket.refresh_from_db()
        self.assertEqual(self.ticket.status, Status.OPEN)

    def test_solving_asks_for_a_rating_by_mail(self):
        self.sign_in(self.carol)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(self.base + "solve/")
        from django.core import mail

        self.assertIn("/portal/rate/", mail.outbox[-1].body)

    def test_another_customer_can_neither_solve_nor_reopen(self):
        self.sign_in(self.dan)
        self.assertEqual(self.client.post(self.base + "solve/").status_code, 404)
        do_change_status(self.ticket, Status.SOLVED, user=self.alice, notify=False)
        self.assertEqual(self.client.post(self.base + "reopen/").status_code, 404)
        self.ticket.refresh_from_db()
        self.assertEqual(self.ticket.status, Status.SOLVED)

    def test_status_changes_need_post(self):
        self.sign_in(self.carol)
        self.assertEqual(self.client.get(self.base + "solve/").status_code, 405)


class OverduePromiseTests(PortalTestCase):
    def test_it_owns_up_when_the_first_reply_is_late(self):
        from datetime import timedelta

        import time_machine
        from django.utils import timezone

        ticket = self.make_ticket(priority=self.priorities["urgent"])
        self.sign_in(self.carol)
        with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
            response = self.client.get(f"/portal/requests/{ticket.reference}/")
        self.assertContains(response, "We are running late")
        self.assertNotContains(response, "A person replies by")
