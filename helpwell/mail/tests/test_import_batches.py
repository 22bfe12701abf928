"""`helpwell import-mail` stores many mails per transaction (receive_many); each mail still stands alone."""

from collections.abc import Iterator
from datetime import timedelta
from unittest import mock

from django.db import transaction
from django.test import TransactionTestCase

from helpwell.mail.inbound import ingest
from helpwell.mail.inbound.ingest import receive_many
from helpwell.mail.models import InboundMail
from helpwell.people.models import Customer, Team
from helpwell.sla.forms import PolicyForm
from helpwell.sla.models import Clock
from helpwell.sla.notices import do_open_notice
from helpwell.sla.settings_actions import do_save_setting
from helpwell.system import memo
from helpwell.test import BaseTestCase, make_priorities
from helpwell.tickets.actions import do_create_ticket, do_update_priority
from helpwell.tickets.models import Ticket, new_reference

from .inbound import build_mail


class Crash(Exception):
    """The process dying in the middle of a batch."""


BROKEN = b"Subject: no sender at all\r\n\r\nHello"


def import_all(raws: list[bytes], **kwargs) -> list[tuple[InboundMail, bool]]:
    return list(receive_many(raws, source=InboundMail.Source.IMPORT, **kwargs))


class BatchTest(BaseTestCase):
    def test_a_broken_mail_and_a_duplicate_in_the_middle_of_a_batch_are_kept_and_the_others_land(self):
        first = build_mail(message_id="<one@client.example>", subject="First")
        raws = [first, BROKEN, first, build_mail(sender="dan@globex.example", subject="Last")]

        results = import_all(raws)

        self.assertEqual([created for _, created in results], [True, True, False, True])
        self.assertEqual(
            [row.status for row, _ in results], ["processed", "failed", "processed", "processed"]
        )
        self.assertEqual(results[2][0].pk, results[0][0].pk)  # the duplicate is the row stored first
        self.assertEqual(sorted(Ticket.objects.values_list("subject", flat=True)), ["First", "Last"])
        failed = InboundMail.objects.get(status=InboundMail.Status.FAILED)
        self.assertIn("no sender address", failed.failure_reason)
        self.assertEqual(bytes(failed.raw), BROKEN)

    def test_a_mail_that_fails_halfway_leaves_nothing_of_itself_and_the_batch_goes_on(self):
        real_remember = ingest._remember

        def remember(mail, ticket, message):
            if ticket.subject == "Unlucky":  # after its customer, ticket and message were written
                raise RuntimeError("disk on fire")
            real_remember(mail, ticket, message)

        raws = [build_mail(subject="Before"), build_mail(sender="erin@initech.example", subject="Unlucky"),
                build_mail(subject="After")]  # fmt: skip
        with mock.patch.object(ingest, "_remember", remember):
            results = import_all(raws)

        self.assertEqual([row.status for row, _ in results], ["processed", "failed", "processed"])
        self.assertIn("disk on fire", results[1][0].failure_reason)
        self.assertEqual(sorted(Ticket.objects.values_list("subject", flat=True)), ["After", "Before"])
        self.assertFalse(Customer.objects.filter(email="erin@initech.example").exists())

    def test_a_batch_ends_at_its_size_or_its_time_and_rows_come_back_after_it(self):
        consumed: list[int] = []

        def source(n: int) -> Iterator[bytes]:
            for i in range(n):
                consumed.append(i)
                yield build_mail(subject=f"Mail {i}", message_id=f"<m{i}@client.example>")

        when_yielded = [
            len(consumed) for _ in receive_many(source(5), source="import", batch_mails=2, batch_seconds=60)
        ]
        # Batches start at one mail and double while they take less than half the time: 1, 2, 2.
        self.assertEqual(when_yielded, [1, 3, 3, 5, 5])

        consumed.clear()
        batches = []
        real_batch = ingest._receive_batch

        def count_batches(raws, **kwargs):
            done = real_batch(raws, **kwargs)
            batches.append(len(done))
            return done

        with mock.patch.object(ingest, "_receive_batch", count_batches):
            when_yielded = [len(consumed) for _ in receive_many(source(3), source="import", batch_seconds=0)]
        self.assertEqual(batches, [1, 1, 1])  # no time to spare: one mail per batch
        self.assertEqual(when_yielded, [1, 2, 3])


class BatchRefusedTest(BaseTestCase):
    def test_a_batch_whose_rows_an_index_refuses_is_received_again_mail_by_mail(self):
        taken = do_create_ticket(customer=self.carol, subject="Old", body="Old.", notify=False).reference
        field = Ticket._meta.get_field("reference")
        draws = iter([taken])  # the batch's first ticket draws a reference that is taken (1 in 31^7)

        with mock.patch.object(field, "default", lambda: next(draws, None) or new_reference()):
            results = import_all([build_mail(subject="First", message_id="<r1@client.example>"),
                                  build_mail(subject="Second", message_id="<r2@client.example>")],
                                 batch_mails=2, batch_seconds=60)  # fmt: skip

        self.assertEqual([(row.status, created) for row, created in results], [("processed", True)] * 2)
        new = Ticket.objects.filter(subject__in=["First", "Second"])
        self.assertEqual(new.count(), 2)
        self.assertNotIn(taken, new.values_list("reference", flat=True))
        self.assertEqual(InboundMail.objects.count(), 2)


class RarelyChangingRowsTest(BaseTestCase):
    """Inside a batch the default priority, the SLA policies and open notices are read once; a lead's
    change clears that at once, so the very next ticket follows it."""

    def new_ticket(self, subject: str = "Printer jam") -> Ticket:
        return do_create_ticket(customer=self.carol, subject=subject, body="It jams.", notify=False)

    def test_outside_a_batch_nothing_is_kept(self):
        loads = []
        memo.read("k", lambda: loads.append(1))
        memo.read("k", lambda: loads.append(1))
        self.assertEqual(len(loads), 2)

    def test_a_priority_edited_in_the_middle_of_a_batch_applies_to_the_next_ticket(self):
        with memo.per_batch():
            before = self.new_ticket()
            do_update_priority(self.priorities["normal"], actor=self.lena, name="Normal",
                               definition="Most requests.", first_response_minutes=7)  # fmt: skip
            after = self.new_ticket()
        self.assertEqual(before.first_response_due, before.created_at + timedelta(hours=24))
        self.assertEqual(after.first_response_due, after.created_at + timedelta(minutes=7))

    def test_a_policy_saved_in_the_middle_of_a_batch_gives_the_next_ticket_its_clocks(self):
        with memo.per_batch():
            before = self.new_ticket()
            form = PolicyForm(data={"name": "Email fast lane", "position": 1, "is_active": True, "channel": "web",
                                    "first_response_minutes": 15, "resolution_minutes": 600})  # fmt: skip
            self.assertTrue(form.is_valid(), form.errors)
            do_save_setting(form, actor=self.lena, kind="policy")
            after = self.new_ticket()
        self.assertFalse(Clock.objects.filter(ticket=before, policy__name="Email fast lane").exists())
        self.assertEqual(
            sorted(Clock.objects.filter(ticket=after).values_list("kind", "policy_name")),
            [("first_response", "Email fast lane"), ("resolution", "Email fast lane")],
        )
        after.refresh_from_db()
        self.assertEqual(after.resolution_due, after.created_at + timedelta(minutes=600))

    def test_a_notice_opened_in_the_middle_of_a_batch_takes_in_the_next_matching_ticket(self):
        with memo.per_batch():
            self.new_ticket("Printer offline")  # reads (and keeps) the list of open notices: none
            notice = do_open_notice(actor=self.lena, title="Printer outage", what_happened="x",
                                    what_we_are_doing="y", search="printer")  # fmt: skip
            after = self.new_ticket("Printer still offline")
        self.assertIn(after, notice.tickets.all())


class CommittedBatchesTest(TransactionTestCase):
    """Real commits: what a batch yields is already committed, and a crash in a batch undoes only it."""

    def setUp(self) -> None:
        make_priorities()
        Team.objects.create(name="Support", slug="support")

    def test_a_crash_mid_batch_undoes_that_batch_and_importing_again_finishes_the_job(self):
        raws = [build_mail(subject=f"Mail {i}", message_id=f"<c{i}@client.example>") for i in range(5)]
        real_receive = ingest.receive

        def crash_on_the_fourth(raw, **kwargs):
            if b"<c3@client.example>" in raw:
                raise Crash("the process is killed")
            return real_receive(raw, **kwargs)

        yielded = []
        with mock.patch.object(ingest, "receive", crash_on_the_fourth), self.assertRaises(Crash):
            for row, _ in receive_many(raws, source="import", batch_mails=2, batch_seconds=60):
                self.assertTrue(InboundMail.objects.filter(pk=row.pk).exists())
                yielded.append(row)
        self.assertEqual(len(yielded), 3)  # batches of 1, 2 and 2 mails
        self.assertEqual(InboundMail.objects.count(), 3)  # the third batch (mails 3 and 4) rolled back
        self.assertFalse(transaction.get_connection().in_atomic_block)

        results = list(receive_many(raws, source="import"))
        self.assertEqual([created for _, created in results], [False, False, False, True, True])
        self.assertEqual(Ticket.objects.count(), 5)
