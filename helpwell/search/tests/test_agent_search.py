from django.core.management import call_command

from helpwell.kb.tests.base import KbTestCase
from helpwell.people.actions import do_find_or_create_customer
from helpwell.search.models import SavedSearch, TicketDoc
from helpwell.search.service import search_people, search_tickets_for_agent
from helpwell.system.models import AuditEntry


class AgentSearchTest(KbTestCase):
    def test_the_reply_box_finds_articles_to_insert(self) -> None:
        ticket = self.make_ticket()
        self.client.force_login(self.alice)
        page = self.client.get(f"/agent/tickets/{ticket.reference}/")
        self.assertContains(page, "Insert a help article")
        picker = self.client.get("/agent/search/articles/?kbq=refund+days")
        self.assertContains(picker, self.refunds.title)
        self.assertContains(picker, f"/help/articles/{self.refunds.slug}/")
        self.assertContains(picker, "We refund within 3 working days")  # the text, without Markdown stars

    def test_internal_articles_can_be_inserted_as_text_but_not_as_a_link(self) -> None:
        self.client.force_login(self.alice)
        picker = self.client.get("/agent/search/articles/?kbq=approval+limits")
        self.assertContains(picker, self.approval_limits.title)
        self.assertNotContains(picker, f"/help/articles/{self.approval_limits.slug}/")

    def test_agents_save_and_delete_searches(self) -> None:
        self.client.force_login(self.alice)
        self.client.post("/agent/search/saved/", {"name": "Refunds", "q": "refund", "status": "open"})
        saved = SavedSearch.objects.get(user=self.alice)
        self.assertEqual((saved.query, saved.status), ("refund", "open"))
        self.assertContains(self.client.get("/agent/search/"), "Refunds")
        self.client.force_login(self.bob)
        self.assertNotContains(self.client.get("/agent/search/"), "?q=refund")
        self.assertEqual(self.client.post(f"/agent/search/saved/{saved.pk}/delete/").status_code, 404)
        self.client.force_login(self.alice)
        self.client.post(f"/agent/search/saved/{saved.pk}/delete/")
        self.assertFalse(SavedSearch.objects.exists())
        actions = list(
            AuditEntry.objects.filter(action__startswith="search.").values_list("action", flat=True)
        )
        self.assertEqual(sorted(actions), ["search.deleted", "search.saved"])

    def test_status_filters_narrow_ticket_results(self) -> None:
        from helpwell.tickets.actions import do_change_status

        open_one = self.make_ticket(subject="Refund missing")
        solved = self.make_ticket(subject="Refund arrived late")
        do_change_status(solved, "solved", user=self.alice)
        found = {r.ticket for r in search_tickets_for_agent(self.alice, "refund", status="open")}
        self.assertEqual(found, {open_one})

    def test_it_finds_customers_by_name_and_email(self) -> None:
        customer, _ = do_find_or_create_customer(
            email="olivia@brightleaf.example", name="Olivia Bennett", via="test"
        )
        self.assertEqual([p.obj for p in search_people(self.alice, "olivia")], [customer])
        self.assertEqual([p.obj for p in search_people(self.alice, "brightleaf")], [customer])

    def test_reindex_rebuilds_everything(self) -> None:
        ticket = self.make_ticket(subject="Thermostat rattles")
        TicketDoc.objects.all().delete()
        self.assertEqual(search_tickets_for_agent(self.alice, "rattles"), [])
        self.assertEqual(search_people(self.alice, "globex"), [])  # made by the test cast, not an action
        call_command("reindex", "--no-progress", stdout=open("/dev/null", "w"))  # noqa: SIM115
        self.assertEqual([r.ticket for r in search_tickets_for_agent(self.alice, "rattles")], [ticket])
        found = {p.obj for p in search_people(self.alice, "globex")}
        self.assertEqual(found, {self.dan, self.globex})

    def test_the_search_page_loads_articles_and_people_after_the_tickets(self) -> None:
        do_find_or_create_customer(email="refund.rita@brightleaf.example", name="Refund Rita", via="test")
        self.client.force_login(self.alice)
        page = self.client.get("/agent/search/?q=refund")
        self.assertContains(page, 'hx-get="/agent/search/more/?q=refund"')
        more = self.client.get("/agent/search/more/?q=refund")
        self.assertContains(more, self.approval_limits.title)  # agents see internal procedures
        self.assertContains(more, "Refund Rita")
