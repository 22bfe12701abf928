"""The ticket page: who may open it, what it shows, and every change an agent makes from it."""

from typing import Any

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helpwell.test import PASSWORD, BaseTestCase
from helpwell.tickets.actions import (
    do_assign_ticket,
    do_change_status,
    do_customer_reply,
    do_reply,
    do_set_tags,
)
from helpwell.tickets.models import Message, Status, TicketEvent


def url(name, ticket):
    return reverse(name, args=[ticket.reference])


class TicketPageTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.ticket = self.make_ticket(
            subject="Invoice 1042 charges VAT twice", body="Hello, the VAT appears twice."
        )
        self.client.login(username="alice", password=PASSWORD)

    def props(self, ticket=None, **changes):
        """The properties form as the page shows it, with `changes` made by the agent."""
        ticket = ticket or self.ticket
        shown = {
            "assignee": ticket.assignee_id or "",
            "team": ticket.team_id,
            "status": ticket.status,
            "priority": ticket.priority_id,
            "category": ticket.category_id or "",
            "tags": ", ".join(sorted(ticket.tags.values_list("name", flat=True))),
        }
        return {**shown, **{f"initial-{k}": v for k, v in shown.items()}, **changes}


class AccessTests(TicketPageTestCase):
    def test_tom_on_shipping_cannot_open_or_change_a_billing_ticket(self):
        self.client.login(username="tom", password=PASSWORD)
        self.assertEqual(self.client.get(url("tickets-detail", self.ticket)).status_code, 404)
        for name, data in [
            ("tickets-properties", self.props(status=Status.SOLVED)),
            ("tickets-claim", {}),
            ("tickets-reply", {"kind": "public", "body": "Hi"}),
        ]:
            with self.subTest(name=name):
                self.assertEqual(self.client.post(url(name, self.ticket), data).status_code, 404)
        self.ticket.refresh_from_db()
        self.assertEqual((self.ticket.status, self.ticket.assignee), (Status.NEW, None))
        self.assertFalse(self.ticket.messages.filter(author_user=self.tom).exists())

    def test_an_unknown_reference_is_not_found_too(self):
        self.assertEqual(self.client.get("/agent/tickets/HW-2222222/").status_code, 404)

    def test_ada_the_admin_opens_any_ticket(self):
        self.client.login(username="ada", password=PASSWORD)
        self.assertContains(
            self.client.get(url("tickets-detail", self.ticket)), "Invoice 1042 charges VAT twice"
        )

    def test_anonymous_visitors_are_sent_to_sign_in(self):
        self.client.logout()
        response = self.client.get(url("tickets-detail", self.ticket))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))
        self.assertEqual(self.client.post(url("tickets-reply", self.ticket), {"body": "x"}).status_code, 302)


class DetailTests(TicketPageTestCase):
    def test_it_shows_the_thread_with_internal_notes_marked(self):
        do_reply(self.ticket, user=self.alice, body="Checking with finance.", internal=True)
        do_reply(self.ticket, user=self.bob, body="We have corrected it.")
        response = self.client.get(url("tickets-detail", self.ticket))
        self.assertContains(response, "Hello, the VAT appears twice.")
        self.assertContains(response, "Checking with finance.")
        self.assertContains(response, 'class="ws-internal-label"', count=1)
        self.assertContains(response, 'class="msg msg-internal"')
        self.assertContains(response, "Bob Okafor")
        self.assertContains(response, self.ticket.reference)

    def test_it_shows_the_customer_card_with_other_requests_and_local_time(self):
        older = self.make_ticket(subject="Card declined in March")
        do_change_status(older, Status.SOLVED, user=self.alice, notify=False)
        response = self.client.get(url("tickets-detail", self.ticket))
        self.assertContains(response, "carol@acme.example")
        self.assertContains(response, "Card declined in March")
        self.assertContains(response, "(Berlin)")
        self.assertEqual(response.context["org_counts"]["all"], 1)

    def test_it_shows_the_history(self):
        do_assign_ticket(self.ticket, self.bob, actor=self.lena)
        response = self.client.get(url("tickets-detail", self.ticket))
        self.assertContains(response, "Lena Fischer</strong> changed the assignee")
        self.assertContains(response, '<span class="ws-new">Bob Okafor</span>')

    def test_the_history_names_who_did_each_thing(self):
        from django.contrib.auth.models import User

        robot = User.objects.create_user("billing-robot")  # a user with no agent profile
        actors: list[tuple[str, dict[str, Any]]] = [
            (TicketEvent.Kind.CUSTOMER_REPLIED, {"actor_customer": self.carol}),
            (TicketEvent.Kind.NOTED, {"actor_user": robot}),
            (TicketEvent.Kind.SLA_BREACHED, {}),
        ]
        for kind, actor in actors:
            TicketEvent.objects.create(ticket=self.ticket, kind=kind, channel="email", **actor)
        html = self.client.get(url("tickets-detail", self.ticket)).content.decode()
        via = ' <span class="muted">via Email</span>'
        self.assertIn(f"<strong>{self.carol.name}</strong> replied{via}", html)
        self.assertIn(f"<strong>billing-robot</strong> added an internal note{via}", html)
        self.assertIn(f"<strong>Helpwell</strong> target breached{via}", html)

    def test_the_history_escapes_what_people_typed_and_shows_old_and_new(self):
        # The history's items are rendered in Python (tickets.lists_html), not by autoescaping.
        do_set_tags(self.ticket, ["<b>vip</b>"], actor=self.alice)
        do_change_status(self.ticket, Status.ON_HOLD, user=self.alice, notify=False)
        html = self.client.get(url("tickets-detail", self.ticket)).content.decode()
        self.assertNotIn("<b>vip</b>", html)
        self.assertIn('<span class="ws-new">&lt;b&gt;vip&lt;/b&gt;</span>', html)
        self.assertIn(
            '<span class="ws-old">New</span> <span aria-label="changed to">→</span>'
            ' <span class="ws-new">On hold</span>',
            html,
        )
        self.assertIn('<li class="ws-event ws-event-status">', html)
        self.assertIn("<strong>Alice Martin</strong> changed the status", html)
        self.assertRegex(
            html, r'<time class="muted" datetime="\d{4}-\d\d-\d\dT[^"]+" title="[^"]+">now</time>'
        )

    def test_its_query_count_does_not_grow_with_the_thread(self):
        def grow(n):
            for i in range(n):
                if i % 3 == 0:
                    do_customer_reply(self.ticket, customer=self.carol, body=f"More detail {i}")
                else:
                    do_reply(
                        self.ticket,
                        user=self.bob if i % 2 else self.alice,
                        body=f"Answer {i}",
                        internal=i % 4 == 1,
                    )
                self.make_ticket(subject=f"Other {i}")

        def count():
            self.client.get(url("tickets-detail", self.ticket))  # the first page view creates site settings
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(url("tickets-detail", self.ticket))
            self.assertEqual(len(response.context["thread"]), 3)
            return len(queries.captured_queries)

        grow(2)
        expected = count()
        grow(12)
        with self.assertNumQueries(expected):
            response = self.client.get(url("tickets-detail", self.ticket))
        self.assertEqual(len(response.context["thread"]), 15)
        self.assertContains(response, "Answer 11")


class PropertyTests(TicketPageTestCase):
    def change(self, **changes):
        response = self.client.post(url("tickets-properties", self.ticket), self.props(**changes))
        self.ticket.refresh_from_db()
        return response

    def last_event(self):
        return self.ticket.events.order_by("-id").first()

    def test_each_change_is_saved_through_its_action_and_recorded(self):
        cases: list[tuple[dict, str, str]] = [
            ({"assignee": self.bob.pk}, TicketEvent.Kind.ASSIGNED, "Bob Okafor"),
            ({"status": Status.PENDING}, TicketEvent.Kind.STATUS, "Pending customer"),
            ({"priority": self.priorities["urgent"].pk}, TicketEvent.Kind.PRIORITY, "Urgent"),
            ({"category": ""}, TicketEvent.Kind.CATEGORY, ""),
            ({"tags": "Refund, vip"}, TicketEvent.Kind.TAGS, "refund, vip"),
            ({"team": self.shipping.pk}, TicketEvent.Kind.TEAM, "Shipping"),
        ]
        self.client.login(username="lena", password=PASSWORD)
        for changes, kind, new in cases:
            with self.subTest(kind=kind):
                response = self.change(**changes)
                self.assertIn(response.status_code, (302, 204))
                event = self.last_event()
                self.assertEqual((event.kind, event.new_value, event.actor_user), (kind, new, self.lena))

    def test_it_changes_only_what_this_agent_changed(self):
        page = self.props()  # Alice opened the page...
        do_change_status(self.ticket, Status.PENDING, user=self.bob)  # ...then Bob set it pending.
        page.update(priority=self.priorities["high"].pk)
        self.client.post(url("tickets-properties", self.ticket), page)
        self.ticket.refresh_from_db()
        self.assertEqual((self.ticket.status, self.ticket.priority.key), (Status.PENDING, "high"))

    def test_with_htmx_it_answers_with_the_sidebar_header_and_history(self):
        response = self.client.post(
            url("tickets-properties", self.ticket),
            self.props(status=Status.ON_HOLD),
            headers={"HX-Request": "true"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="ticket-properties"')
        self.assertContains(response, "Saved")
        self.assertContains(response, 'id="ticket-header" class="ws-ticket-head" hx-swap-oob="true"')
        self.assertContains(response, 'id="ticket-history"')
        self.assertNotContains(response, "<html")

    def test_errors_keep_what_the_agent_typed(self):
        typed = ", ".join(f"tag{i}" for i in range(25))
        response = self.change(tags=typed)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "at most 20 tags", status_code=400)
        self.assertContains(response, f'value="{typed}"', status_code=400)
        self.assertFalse(self.ticket.tags.exists())

    def test_an_assignee_must_be_on_the_tickets_team(self):
        response = self.change(assignee=self.tom.pk)
        self.assertContains(response, "Select a valid choice", status_code=400)
        self.assertIsNone(self.ticket.assignee)

    def test_moving_a_ticket_out_of_my_teams_returns_me_to_the_queue(self):
        response = self.change(team=self.shipping.pk)
        self.assertRedirects(response, "/agent/", fetch_redirect_response=False)

    def test_assign_to_me_claims_the_ticket(self):
        response = self.client.post(url("tickets-claim", self.ticket))
        self.assertRedirects(response, url("tickets-detail", self.ticket), fetch_redirect_response=False)
        self.ticket.refresh_from_db()
        self.assertEqual(self.ticket.assignee, self.alice)
        self.assertEqual(self.last_event().kind, TicketEvent.Kind.ASSIGNED)

    def test_tags_show_comma_separated(self):
        do_set_tags(self.ticket, ["vip", "refund"], actor=self.alice)
        self.assertContains(self.client.get(url("tickets-detail", self.ticket)), 'value="refund, vip"')


class ReplyTests(TicketPageTestCase):
    def reply(self, **data):
        data.setdefault("kind", "public")
        return self.client.post(url("tickets-reply", self.ticket), data)

    def test_a_public_reply_is_emailed_and_opens_the_ticket(self):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.reply(body="Sorry about that, Carol. Fixed.")
        message = self.ticket.messages.get(author_user=self.alice)
        self.assertRedirects(
            response, url("tickets-detail", self.ticket) + f"#msg-{message.pk}", fetch_redirect_response=False
        )
        self.ticket.refresh_from_db()
        self.assertEqual((self.ticket.status, self.ticket.assignee), (Status.OPEN, self.alice))
        self.assertIn("Fixed.", mail.outbox[-1].body)

    def test_an_internal_note_stays_inside(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.reply(kind="internal", body="Finance says the refund is on its way.")
        note = self.ticket.messages.get(author_user=self.alice)
        self.assertEqual(note.kind, Message.Kind.INTERNAL)
        self.assertEqual(len(mail.outbox), 0)

    def test_submit_as_solved_solves_and_returns_to_the_queue(self):
        response = self.reply(body="All sorted.", submit_as=Status.SOLVED)
        self.ticket.refresh_from_db()
        self.assertEqual(self.ticket.status, Status.SOLVED)
        self.assertTrue(response["Location"].startswith("/agent/"))

    def test_an_empty_reply_is_refused_and_a_bad_file_keeps_the_text(self):
        response = self.reply(body="   ")
        self.assertContains(response, "Write your reply or note first.", status_code=400)
        exe = SimpleUploadedFile("tool.exe", b"MZ", content_type="application/x-msdownload")
        response = self.reply(body="Here is the tool you asked for", attachments=[exe])
        self.assertContains(response, "tool.exe", status_code=400)
        self.assertContains(response, "Here is the tool you asked for", status_code=400)
        self.assertFalse(self.ticket.messages.filter(author_user=self.alice).exists())


class AttachmentTests(TicketPageTestCase):
    def setUp(self):
        super().setUp()
        pdf = SimpleUploadedFile("invoice 1042.pdf", b"%PDF-1.4 test", content_type="application/pdf")
        do_reply(self.ticket, user=self.alice, body="The corrected invoice.", attachments=[pdf])
        self.attachment = self.ticket.messages.get(author_user=self.alice).attachments.get()

    def test_the_thread_links_the_attachment_with_its_size(self):
        # The thread is rendered in Python (tickets.lists_html.thread_articles).
        html = self.client.get(url("tickets-detail", self.ticket)).content.decode()
        link = reverse("tickets-attachment", args=[self.attachment.pk])
        self.assertIn(f'<a class="ws-file" href="{link}" download>', html)
        self.assertIn('invoice 1042.pdf <span class="muted">13\xa0bytes</span>', html)
        self.assertIn('<article id="msg-', html)
        self.assertIn('<span class="who">Alice Martin</span><span class="role">', html)

    def test_it_downloads_as_an_attachment_that_browsers_will_not_sniff(self):
        response = self.client.get(reverse("tickets-attachment", args=[self.attachment.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment;", response["Content-Disposition"])
        self.assertIn("invoice 1042.pdf", response["Content-Disposition"])
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response.getvalue(), b"%PDF-1.4 test")

    def test_an_agent_without_access_gets_not_found(self):
        self.client.login(username="tom", password=PASSWORD)
        self.assertEqual(
            self.client.get(reverse("tickets-attachment", args=[self.attachment.pk])).status_code, 404
        )


class OrganisationCountIndexTests(TicketPageTestCase):
    """The customer panel's organisation counts can be answered from ticket_customer_recent alone: at a
    million tickets, reading the table's rows instead cost 5–10 ms a page (docs/benchmarks.md)."""

    def test_the_index_holds_every_column_the_counts_read(self):
        with CaptureQueriesContext(connection) as queries:
            self.client.get(reverse("tickets-detail", args=[self.ticket.reference]))
        counts = [
            q["sql"] for q in queries.captured_queries
            if "COUNT" in q["sql"] and "organisation_id" in q["sql"] and '"tickets_ticket"' in q["sql"]
        ]  # fmt: skip
        self.assertEqual(len(counts), 1)  # one statement: open, all, and the organisation's people
        self.assertEqual(counts[0].count("COUNT(*)"), 3)
        read = {"customer_id", "is_open", "team_id", "assignee_id"}
        self.assertTrue(all(f'"tickets_ticket"."{column}"' in " ".join(counts) for column in read))
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":  # no INCLUDE: the columns are in the key (and the row id)
                cursor.execute("SELECT name FROM pragma_index_info('ticket_customer_recent')")
            else:
                cursor.execute(
                    "SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                    "WHERE c.relname = 'ticket_customer_recent'"
                )
            indexed = {row[0] for row in cursor.fetchall()}
        self.assertLessEqual(read, indexed)
