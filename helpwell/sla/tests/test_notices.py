import time_machine

from helpwell.mail.models import OutgoingMail
from helpwell.portal.tests.base import PortalTestCase
from helpwell.sla.models import DelayNotice, NoticeDelivery
from helpwell.system.models import AuditEntry

from .cast import SlaTestCase, berlin


class DelayNoticeTests(SlaTestCase, PortalTestCase):
    def open_notice(self):
        self.client.force_login(self.lena)
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post("/agent/sla/notices/", {
                "title": "Deliveries delayed by a supplier outage",
                "what_happened": "Our courier's depot is closed.",
                "what_we_are_doing": "We are moving parcels to another courier.",
                "estimated_resolution": "2026-12-04T12:00", "category": self.deliveries.pk,
            })  # fmt: skip

    def test_it_links_matching_tickets_and_tells_each_customer_once_per_update(self):
        a = self.make_ticket(category=self.deliveries, subject="Where is my parcel?")
        b = self.make_ticket(category=self.deliveries, subject="Second parcel")  # Carol again
        c = self.make_ticket(customer=self.dan, category=self.deliveries, subject="Parcel late")
        other = self.make_ticket(subject="Invoice question")
        self.assertEqual(self.open_notice().status_code, 302)
        notice = DelayNotice.objects.get()
        self.assertEqual(set(notice.tickets.all()), {a, b, c})
        self.assertNotIn(other, notice.tickets.all())
        mails = list(OutgoingMail.objects.filter(kind="delay-notice").values_list("to", flat=True))
        self.assertEqual(sorted(mails), ["carol@acme.example", "dan@globex.example"])
        first = OutgoingMail.objects.filter(kind="delay-notice").first()
        assert first is not None
        self.assertEqual(first.headers["Auto-Submitted"], "auto-generated")

        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(f"/agent/sla/notices/{notice.pk}/", {"body": "The new courier collects today."})
        self.assertEqual(OutgoingMail.objects.filter(kind="delay-notice").count(), 4)
        self.assertEqual(NoticeDelivery.objects.count(), 4)
        self.assertEqual(
            list(
                AuditEntry.objects.filter(action__startswith="sla.notice")
                .values_list("action", flat=True)
                .order_by("at")
            ),
            ["sla.notice_opened", "sla.notice_updated"],
        )

    def test_a_new_matching_ticket_joins_and_hears_of_it(self):
        self.open_notice()
        with self.captureOnCommitCallbacks(execute=True):
            ticket = self.make_ticket(customer=self.dan, category=self.deliveries, subject="Parcel?")
        self.assertIn(ticket, DelayNotice.objects.get().tickets.all())
        self.assertEqual(OutgoingMail.objects.filter(kind="delay-notice", to="dan@globex.example").count(), 1)

    def test_the_portal_and_the_request_form_show_the_banner(self):
        self.open_notice()
        self.client.logout()
        for url in ("/portal/", "/portal/new/"):
            self.assertContains(
                self.client.get(url), "Known problem: Deliveries delayed by a supplier outage"
            )

    def test_a_resolved_notice_leaves_the_portal(self):
        self.open_notice()
        notice = DelayNotice.objects.get()
        with time_machine.travel(berlin(2026, 12, 4, 10), tick=False):
            self.client.post(
                f"/agent/sla/notices/{notice.pk}/",
                {"body": "All parcels are moving again.", "resolved": "on"},
            )
        self.client.logout()
        self.assertNotContains(self.client.get("/portal/"), "Known problem")

    def test_an_agent_cannot_open_a_notice(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.post("/agent/sla/notices/", {"title": "x"}).status_code, 403)


class NoticeByTagTests(SlaTestCase, PortalTestCase):
    def test_tagging_a_ticket_later_links_it_and_tells_the_customer_once(self):
        from helpwell.sla.notices import do_open_notice
        from helpwell.tickets.actions import do_set_tags

        ticket = self.make_ticket(subject="App crashes")
        with self.captureOnCommitCallbacks(execute=True):
            notice = do_open_notice(actor=self.lena, title="App outage", what_happened="x",
                                    what_we_are_doing="y", tag="outage")  # fmt: skip
        self.assertFalse(notice.tickets.exists())
        with self.captureOnCommitCallbacks(execute=True):
            do_set_tags(ticket, ["outage"], actor=self.alice)
            do_set_tags(ticket, ["outage", "vip"], actor=self.alice)
        self.assertEqual(list(notice.tickets.all()), [ticket])
        self.assertEqual(OutgoingMail.objects.filter(kind="delay-notice").count(), 1)
