"""Tickets submitted with `Prefer: respond-async`: stored at once, opened by the worker."""

import itertools
import json
import threading
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from unittest import mock

import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from helpwell.api import actions
from helpwell.api.actions import do_accept_ticket_submission, open_submitted_tickets
from helpwell.api.auth import agent_for_token
from helpwell.api.models import TicketSubmission
from helpwell.api.schemas import TicketIn
from helpwell.people.models import Agent, Customer, Team
from helpwell.test import make_agent, make_priorities
from helpwell.tickets.actions import do_create_ticket
from helpwell.tickets.models import Category, Channel, Ticket, TicketEvent

from .base import ApiTestCase

ASYNC: dict[str, Any] = {"HTTP_PREFER": "respond-async"}
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


class SubmitTicketTests(ApiTestCase):
    def submit(self, who: str = "alice", raw: str | None = None, **fields: Any):
        data = {"customer_email": "erin@initech.example", "subject": "Refund", "body": "Order 12, please."}
        data.update(fields)
        headers: dict[str, Any] = {**self.auth(who), **ASYNC}
        body = raw if raw is not None else json.dumps(data)
        return self.client.post("/api/v1/tickets", body, content_type="application/json", **headers)

    def test_the_short_path_answers_exactly_as_the_api_does(self):
        short = self.submit(subject="One")
        with mock.patch("helpwell.api.intake.submit_ticket", return_value=None) as skipped:
            full = self.submit(subject="Two")
        self.assertTrue(skipped.called)
        self.assertEqual((short.status_code, full.status_code), (202, 202))
        for header in ("Content-Type", "Preference-Applied"):
            self.assertEqual(short[header], full[header])
        a, b = short.json(), full.json()
        self.assertEqual(set(a), set(b))
        self.assertEqual({k: v for k, v in a.items() if k not in ("reference", "url", "received_at")},
                         {k: v for k, v in b.items() if k not in ("reference", "url", "received_at")})  # fmt: skip
        self.assertEqual(len(a["received_at"]), len(b["received_at"]))  # the same format
        self.assertEqual(open_submitted_tickets(), 2)
        self.assertEqual(set(Ticket.objects.values_list("subject", flat=True)), {"One", "Two"})

    def test_what_the_short_path_cannot_judge_gets_the_apis_own_answer(self):
        self.assertError(self.submit(raw="{not json"), 400, "bad_request")
        self.assertError(self.submit(customer_email=None), 422, "validation_error")
        self.assertError(self.submit(subject=""), 422, "validation_error")
        self.assertError(self.submit(priority="whenever"), 422, "validation_error")
        self.tokens["gone"] = "hw_not-a-token"
        self.assertError(self.submit("gone"), 401, "unauthorized")
        self.assertFalse(TicketSubmission.objects.exists())

    def test_it_answers_202_with_the_final_reference_before_the_ticket_exists(self):
        response = self.submit(customer_name="Erin Wu", priority="high", tags=["Refund"])
        self.assertEqual(response.status_code, 202, response.content)
        body = response.json()
        reference = body["reference"]
        self.assertRegex(reference, r"^HW-[0-9A-Z]{7}$")
        self.assertEqual(body["state"], "queued")
        self.assertIsNone(body["ticket_url"])
        self.assertEqual(response["Preference-Applied"], "respond-async")
        self.assertEqual(response["Location"], f"http://testserver/api/v1/ticket-submissions/{reference}")
        self.assertFalse(Ticket.objects.exists())
        self.assertFalse(Customer.objects.filter(email="erin@initech.example").exists())
        # Until the worker has run, following it says queued.
        self.assertEqual(self.get(f"ticket-submissions/{reference}", "alice").json()["state"], "queued")

        self.assertEqual(open_submitted_tickets(), 1)

        ticket = Ticket.objects.get(reference=reference)
        self.assertEqual(
            (ticket.subject, ticket.channel, ticket.priority.key), ("Refund", Channel.API, "high")
        )
        self.assertEqual(ticket.customer.name, "Erin Wu")
        self.assertEqual(list(ticket.tags.values_list("name", flat=True)), ["refund"])
        created = ticket.events.get(kind=TicketEvent.Kind.CREATED)
        self.assertEqual(created.actor_user, self.alice)
        followed = self.get(f"ticket-submissions/{reference}", "alice").json()
        self.assertEqual(followed["state"], "opened")
        self.assertEqual(followed["ticket_url"], f"http://testserver/api/v1/tickets/{reference}")
        self.assertEqual(self.get(f"tickets/{reference}", "alice").json()["subject"], "Refund")
        # A second pass finds nothing left to do.
        self.assertEqual(open_submitted_tickets(), 0)
        self.assertEqual(Ticket.objects.count(), 1)

    def test_the_answer_gives_the_time_of_receipt_that_is_stored(self):
        start = timezone.now()
        ticks = (start + timedelta(seconds=n) for n in itertools.count())
        with mock.patch("django.utils.timezone.now", side_effect=lambda: next(ticks)):  # a second a call
            body = self.submit().json()
        followed = self.get(f"ticket-submissions/{body['reference']}", "alice").json()
        self.assertEqual(followed["received_at"], body["received_at"])
        self.assertGreater(body["received_at"], start.isoformat()[:19])

    @override_settings(TASKS=IMMEDIATE_TASKS)
    def test_the_customer_is_acknowledged_when_the_worker_opens_it(self):
        reference = self.submit(customer_email="carol@acme.example").json()["reference"]
        self.assertEqual(len(mail.outbox), 0)
        with self.captureOnCommitCallbacks(execute=True):
            open_submitted_tickets()
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["carol@acme.example"])
        self.assertIn(reference, mail.outbox[0].subject)

    def test_bad_fields_are_refused_at_once_and_nothing_is_stored(self):
        response = self.submit(customer_email="not-an-address", category="no-such-thing")
        self.assertError(response, 422, "validation_error")
        self.assertFalse(TicketSubmission.objects.exists())

    def test_a_submission_that_turns_out_wrong_fails_with_the_reason(self):
        response = self.submit(category="invoices")
        Category.objects.filter(slug="invoices").delete()  # deleted before the worker got to it
        open_submitted_tickets()
        followed = self.get(f"ticket-submissions/{response.json()['reference']}", "alice").json()
        self.assertEqual(followed["state"], "failed")
        self.assertIn("invoices", followed["error"])
        self.assertFalse(Ticket.objects.exists())

    def test_a_batch_opens_its_tickets_together_and_a_wrong_one_alone_fails(self):
        good = [
            self.submit(subject=f"Refund {n}", customer_email=f"buyer{n}@initech.example") for n in range(4)
        ]
        wrong = self.submit(subject="Gone", category="invoices")
        Category.objects.filter(slug="invoices").delete()

        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(open_submitted_tickets(), 5)

        states = dict(TicketSubmission.objects.values_list("reference", "state"))
        self.assertEqual(states[wrong.json()["reference"]], "failed")
        for response in good:
            reference = response.json()["reference"]
            self.assertEqual(states[reference], "opened")
            ticket = Ticket.objects.select_related("customer").get(reference=reference)
            self.assertEqual(TicketSubmission.objects.get(reference=reference).ticket, ticket)
            self.assertTrue(ticket.customer.email.startswith("buyer"))
        # One INSERT for the batch's four tickets, and one for their new customers.
        statements = [q["sql"] for q in queries.captured_queries]
        self.assertEqual(sum(s.startswith('INSERT INTO "tickets_ticket"') for s in statements), 1)
        self.assertEqual(sum(s.startswith('INSERT INTO "people_customer"') for s in statements), 1)

    def test_customers_are_always_answered_with_the_ticket(self):
        response = self.submit("carol", customer_email=None)
        self.assertEqual(response.status_code, 201, response.content)
        self.assertTrue(Ticket.objects.filter(reference=response.json()["reference"]).exists())
        self.assertFalse(TicketSubmission.objects.exists())

    def test_only_the_submitter_and_admins_may_follow_a_submission(self):
        reference = self.submit().json()["reference"]
        self.assertEqual(self.get(f"ticket-submissions/{reference}", "alice").status_code, 200)
        self.assertEqual(self.get(f"ticket-submissions/{reference}", "ada").status_code, 200)
        self.assertError(self.get(f"ticket-submissions/{reference}", "tom"), 404, "not_found")
        self.assertError(self.get(f"ticket-submissions/{reference}", "carol"), 404, "not_found")
        self.assertError(self.get(f"ticket-submissions/{reference}", None), 401, "unauthorized")

    def test_a_reference_already_on_a_ticket_is_never_handed_out(self):
        existing = self.make_ticket()
        drawn = iter([existing.reference, "HW-FRESH23"])
        # The draw is random; make it repeat an existing ticket's reference first.
        with mock.patch("helpwell.api.actions.new_reference", lambda: next(drawn)):
            reference = self.submit().json()["reference"]
        self.assertEqual(reference, "HW-FRESH23")

    def test_a_claim_held_by_a_live_worker_is_left_alone_and_a_stale_one_is_retaken(self):
        reference = self.submit().json()["reference"]
        TicketSubmission.objects.update(claimed_at=timezone.now())  # another worker is on it
        self.assertEqual(open_submitted_tickets(), 0)
        self.assertFalse(Ticket.objects.exists())
        TicketSubmission.objects.update(claimed_at=timezone.now() - timedelta(minutes=10))  # it died
        self.assertEqual(open_submitted_tickets(), 1)
        self.assertTrue(Ticket.objects.filter(reference=reference).exists())
        self.assertEqual(TicketSubmission.objects.get().attempts, 1)


# Real commits, as the worker sees them: it closes stale connections between loops, and two
# workers need rows that other connections can read.
class WorkerTests(TransactionTestCase):
    def setUp(self) -> None:
        make_priorities()
        team = Team.objects.create(name="Billing", slug="billing")
        self.agent = Agent.objects.get(user=make_agent("alice", "Alice Martin", teams=(team,)))

    def queue(self, count: int) -> list[str]:
        for i in range(count):
            do_accept_ticket_submission(
                agent=self.agent,
                payload=TicketIn.model_validate(
                    {"customer_email": f"c{i}@example.com", "subject": f"S{i}", "body": "b"}
                ),
            )
        return list(TicketSubmission.objects.values_list("reference", flat=True))

    def test_submissions_arriving_together_are_stored_in_one_statement_each_under_its_own_reference(self):
        if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
            self.skipTest("needs a database shared between connections")
        taken = do_create_ticket(
            customer=Customer.objects.create(name="C", email="c@example.com"), subject="x", body="y",
            reference="HW-TAKEN22", notify=False,
        )  # fmt: skip
        group = actions._store_with_others
        real_write = group.write
        first_started, release = threading.Event(), threading.Event()
        statements: list[int] = []

        def write(batch: list[Any]) -> Sequence[str]:
            if not statements:  # hold the first write until the others are waiting behind it
                first_started.set()
                release.wait(5)
            statements.append(len(batch))
            return real_write(batch)

        # The second batch draws a ticket's reference first: only that row is drawn again.
        draws = iter(["HW-FIRST22", taken.reference, "HW-THIRD22", "HW-FOURTH2", "HW-AGAIN22"])
        returned: dict[int, str] = {}

        def submit(i: int) -> None:
            try:
                returned[i] = do_accept_ticket_submission(
                    agent=self.agent,
                    payload=TicketIn.model_validate(
                        {"customer_email": f"c{i}@example.com", "subject": f"S{i}", "body": "b"}
                    ),
                )
            finally:
                connection.close()

        with (
            mock.patch.object(group, "write", write),
            mock.patch("helpwell.api.actions.new_reference", lambda: next(draws)),
        ):
            threads = [threading.Thread(target=submit, args=(0,))]
            threads[0].start()
            first_started.wait(5)
            threads += [threading.Thread(target=submit, args=(i,)) for i in (1, 2, 3)]
            for t in threads[1:]:
                t.start()
            deadline = time.monotonic() + 5
            while group.waiting < 3 and time.monotonic() < deadline:
                time.sleep(0.001)
            release.set()
            for t in threads:
                t.join(5)
        self.assertEqual(statements, [1, 3])
        self.assertEqual(returned[0], "HW-FIRST22")
        self.assertEqual(sorted(returned.values()), ["HW-AGAIN22", "HW-FIRST22", "HW-FOURTH2", "HW-THIRD22"])
        stored = dict(TicketSubmission.objects.values_list("reference", "payload__subject"))
        self.assertEqual(stored, {reference: f"S{i}" for i, reference in returned.items()})

    def test_the_worker_loop_opens_submitted_tickets(self):
        references = self.queue(3)
        call_command("worker", "--once")
        self.assertEqual(set(Ticket.objects.values_list("reference", flat=True)), set(references))

    def test_two_workers_at_once_open_each_submission_exactly_once(self):
        if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
            # Each thread would get its own empty in-memory database; the PostgreSQL run covers it.
            self.skipTest("needs a database shared between connections")
        self.queue(40)
        counts: list[int] = []

        def work() -> None:
            try:
                counts.append(open_submitted_tickets())
            finally:
                connection.close()

        threads = [threading.Thread(target=work) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sum(counts), 40)
        self.assertEqual(Ticket.objects.count(), 40)
        self.assertEqual(TicketSubmission.objects.filter(state="opened").count(), 40)


class TokenCacheTests(ApiTestCase):
    @override_settings(API_TOKEN_CACHE_SECONDS=60)
    def test_a_revoked_token_stops_working_at_once_in_the_revoking_process(self):
        from helpwell.api.actions import do_revoke_api_token

        self.assertEqual(self.get("me", "alice").status_code, 200)
        with self.assertNumQueries(0):
            self.assertIsNotNone(agent_for_token(self.tokens["alice"]))
        do_revoke_api_token(self.alice.agent, actor=self.ada)
        self.assertError(self.get("me", "alice"), 401, "unauthorized")

    @override_settings(API_TOKEN_CACHE_SECONDS=0)
    def test_with_the_cache_off_every_call_checks_the_token(self):
        agent_for_token(self.tokens["alice"])
        with self.assertNumQueries(1):
            agent_for_token(self.tokens["alice"])


class BrokenSubmissionTests(ApiTestCase):
    def test_one_broken_submission_is_given_up_after_retries_without_holding_back_the_others(self):
        good = [
            self.post(
                "tickets", "alice", {"customer_email": f"c{i}@example.com", "subject": "S", "body": "b"}
            )
            for i in range(2)
        ]
        self.assertEqual([r.status_code for r in good], [201, 201])  # not async: opened at once
        headers: dict[str, Any] = {**self.auth("alice"), **ASYNC}
        queued = [
            self.client.post(
                "/api/v1/tickets",
                json.dumps({"customer_email": f"q{i}@example.com", "subject": f"Q{i}", "body": "b"}),
                content_type="application/json",
                **headers,
            ).json()["reference"]
            for i in range(3)
        ]
        # A row stored by an older version, without a subject: opening it fails unexpectedly.
        TicketSubmission.objects.filter(reference=queued[1]).update(
            payload={"customer_email": "x@example.com"}
        )
        with self.assertLogs("helpwell.api.actions", "ERROR"):
            open_submitted_tickets()
        states = dict(TicketSubmission.objects.values_list("reference", "state"))
        self.assertEqual(
            (states[queued[0]], states[queued[1]], states[queued[2]]), ("opened", "queued", "opened")
        )
        # Tried again only once its claim is stale, every few minutes, and given up on the fifth try.
        self.assertEqual(open_submitted_tickets(), 0)
        with self.assertLogs("helpwell.api.actions", "ERROR"):
            for minutes in range(6, 60, 6):
                with time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=False):
                    open_submitted_tickets()
        broken = TicketSubmission.objects.get(reference=queued[1])
        self.assertEqual((broken.state, broken.attempts), ("failed", 5))
        self.assertIn("gave up", broken.error)
        self.assertEqual(Ticket.objects.count(), 4)
