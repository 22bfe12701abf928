from .base import PortalTestCase


class PublicPagesTests(PortalTestCase):
    def test_the_landing_page_offers_both_ways_in_and_the_response_times(self):
        response = self.client.get("/portal/")
        self.assertContains(response, "How can we help?")
        self.assertContains(response, 'href="/portal/new/"')
        self.assertContains(response, "Follow my requests")
        self.assertContains(response, "4 hours")

    def test_the_landing_page_welcomes_a_signed_in_customer_back(self):
        ticket = self.make_ticket()
        self.sign_in(self.carol)
        response = self.client.get("/portal/")
        self.assertContains(response, "Welcome back, Carol Chen")
        self.assertContains(response, ticket.reference)

    def test_the_priorities_page_lists_definitions_and_targets(self):
        response = self.client.get("/priorities/")
        for priority in self.priorities.values():
            self.assertContains(response, priority.name)
            self.assertContains(response, priority.definition)
            self.assertContains(response, priority.target_label)
        self.assertContains(response, "How your answers set the priority")

    def test_the_priorities_page_reads_edited_targets(self):
        low = self.priorities["low"]
        low.first_response_minutes = 90
        low.save()
        self.assertContains(self.client.get("/priorities/"), "90 minutes")
