"""`helpwell worker` for real: tasks from the database queue and from RQ on the real Redis, over real SMTP."""

import signal
import socket
from unittest import mock

from django.core.management import call_command
from django.db import transaction
from django.test import TransactionTestCase, override_settings
from django_tasks_db.models import DBTaskResult

from helpwell.mail.models import OutgoingMail
from helpwell.mail.outbox import queue_mail
from helpwell.mail.tests.smtp import SmtpSink
from helpwell.people.models import Customer, Team
from helpwell.system.management.commands import worker
from helpwell.system.models import WorkerHeartbeat
from helpwell.test import make_priorities
from helpwell.tickets.actions import do_create_ticket

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Redis database 13 is this test's own; it is emptied before and after.
RQ_URL = "redis://127.0.0.1:6379/13"
RQ_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}


def redis_is_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


class WorkerTestCase(TransactionTestCase):
    """Real commits, as the worker sees them: the worker closes stale connections between loops, which a
    TestCase (one transaction per test) would not survive on PostgreSQL."""

    def queue_acknowledgement(self) -> OutgoingMail:
        make_priorities()
        team = Team.objects.create(name="Shipping", slug="shipping")
        carol = Customer.objects.create(
            name="Carol Chen", email="carol@acme.example", time_zone="Europe/Berlin"
        )
        ticket = do_create_ticket(
            customer=carol, subject="Where is my parcel?", body="It is late.", team=team, notify=False
        )
        # Outside a transaction, on_commit runs at once: the delivery task is enqueued here.
        return queue_mail(
            kind="acknowledgement",
            to=carol.email,
            template="acknowledgement",
            context={"ticket": ticket, "customer": carol, "priority": ticket.priority,
                     "due_phrase": "tomorrow at 10:00", "link": "http://x/", "site_url": "http://x"},
            ticket=ticket,
        )  # fmt: skip


@override_settings(TASK_BACKEND="database", TASKS=DATABASE_TASKS)
class DatabaseQueueTest(WorkerTestCase):
    def test_it_runs_the_queued_delivery_and_writes_a_heartbeat(self):
        mail = self.queue_acknowledgement()
        self.assertEqual(DBTaskResult.objects.ready().count(), 1, "the delivery waits in the database queue")
        mail.refresh_from_db()
        self.assertEqual(mail.status, OutgoingMail.Status.QUEUED)

        with SmtpSink() as sink, sink.settings():
            call_command("worker", "--once", "--name", "test-worker")

        mail.refresh_from_db()
        self.assertEqual(mail.status, OutgoingMail.Status.SENT)
        self.assertEqual([m["Message-ID"] for m in sink.messages], [mail.message_id])
        self.assertEqual(DBTaskResult.objects.successful().count(), 1)
        beat = WorkerHeartbeat.objects.get(name="test-worker")
        self.assertEqual(beat.backend, "database")
        self.assertIsNotNone(beat.last_sweep_at)

    def test_a_new_ticket_is_acknowledged_by_the_worker_not_the_request(self):
        make_priorities()
        carol = Customer.objects.create(
            name="Carol Chen", email="carol@acme.example", time_zone="Europe/Berlin"
        )
        ticket = do_create_ticket(customer=carol, subject="Where is my parcel?", body="It is late.")
        self.assertFalse(OutgoingMail.objects.exists(), "nothing is rendered while the customer waits")
        self.assertEqual(DBTaskResult.objects.ready().count(), 1)

        with SmtpSink() as sink, sink.settings():
            call_command("worker", "--once")

        self.assertEqual(len(sink.messages), 1)
        self.assertIn(ticket.reference, sink.messages[0]["Subject"])
        self.assertEqual(OutgoingMail.objects.get().status, OutgoingMail.Status.SENT)

    def test_a_ticket_that_was_rolled_back_leaves_no_task(self):
        make_priorities()
        carol = Customer.objects.create(name="Carol Chen", email="carol@acme.example")
        with self.assertRaises(RuntimeError), transaction.atomic():
            do_create_ticket(customer=carol, subject="Where is my parcel?", body="It is late.")
            raise RuntimeError("the request failed after creating the ticket")
        self.assertFalse(DBTaskResult.objects.exists())

    def test_a_second_run_sends_nothing_again(self):
        mail = self.queue_acknowledgement()
        with SmtpSink() as sink, sink.settings():
            call_command("worker", "--once")
            call_command("worker", "--once")

        self.assertEqual([m["Message-ID"] for m in sink.messages], [mail.message_id])

    def test_the_sweep_sends_mail_whose_task_was_lost(self):
        mail = self.queue_acknowledgement()
        DBTaskResult.objects.all().delete()  # e.g. the queue was emptied by hand

        with SmtpSink() as sink, sink.settings():
            call_command("worker", "--once")

        mail.refresh_from_db()
        self.assertEqual(mail.status, OutgoingMail.Status.SENT)
        self.assertEqual(len(sink.messages), 1)


@override_settings(TASK_BACKEND="rq", TASKS=RQ_TASKS, RQ_QUEUES={"default": {"URL": RQ_URL}})
class RedisQueueTest(WorkerTestCase):
    def setUp(self) -> None:
        # make test starts Redis; a missing Redis is a failure here, never a silent skip.
        self.assertTrue(redis_is_up(), "Redis is not running on 127.0.0.1:6379 (make test starts it)")
        super().setUp()
        import redis

        self.redis = redis.Redis.from_url(RQ_URL)
        self.redis.flushdb()
        self.addCleanup(self.redis.flushdb)

    def test_it_runs_the_delivery_from_redis_and_writes_a_heartbeat(self):
        mail = self.queue_acknowledgement()
        import django_rq

        self.assertEqual(django_rq.get_queue("default").count, 1, "the delivery waits in Redis")

        with SmtpSink() as sink, sink.settings():
            call_command("worker", "--once", "--name", "rq-worker")

        mail.refresh_from_db()
        self.assertEqual(mail.status, OutgoingMail.Status.SENT)
        self.assertEqual([m["Message-ID"] for m in sink.messages], [mail.message_id])
        self.assertEqual(django_rq.get_queue("default").count, 0)
        self.assertEqual(WorkerHeartbeat.objects.get(name="rq-worker").backend, "rq")

    def test_it_leaves_our_signal_handlers_as_they_were(self):
        before = signal.getsignal(signal.SIGTERM)
        with SmtpSink() as sink, sink.settings():
            call_command("worker", "--once")
        self.assertIs(signal.getsignal(signal.SIGTERM), before)


@override_settings(TASK_BACKEND="immediate")
class LoopTest(TransactionTestCase):
    def test_it_keeps_going_after_an_error_and_stops_on_request(self):
        command = worker.Command()
        calls = []

        def run_tasks(backend: str) -> int:
            calls.append(backend)
            if len(calls) == 1:
                raise ConnectionError("database restarting")
            command.running = False  # as SIGTERM would
            return 1

        with (
            mock.patch.object(worker, "ERROR_PAUSE", 0),
            mock.patch.object(command, "_run_tasks", side_effect=run_tasks),
            self.assertLogs("helpwell.worker", "ERROR") as logs,
        ):
            call_command(command, "--interval", "0")

        self.assertEqual(len(calls), 2)
        self.assertIn("database restarting", "\n".join(logs.output))
        self.assertTrue(WorkerHeartbeat.objects.filter(name="worker").exists())

    def test_sigterm_stops_the_loop(self):
        command = worker.Command()
        command.running = True
        command._stop(signal.SIGTERM, None)
        self.assertFalse(command.running)
