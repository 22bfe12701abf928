"""POST /api/v1/guidelines/check: the same checks for other tools, with agent token auth."""

from helpwell.api.tests.base import ApiTestCase

BAD = "Hello,\n\nAs I already said, the RMA is open.\n\nSupport"


class CheckApiTests(ApiTestCase):
    def test_it_returns_findings_with_fixes_for_a_ticket(self):
        ticket = self.make_ticket()
        response = self.post("guidelines/check", "alice", {"draft": BAD, "ticket": ticket.reference})
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        by_check = {f["check"]: f for f in body["findings"]}
        self.assertEqual(set(by_check) >= {"greeting", "thanks", "blame", "jargon", "signoff"}, True)
        self.assertFalse(body["blocking"])
        self.assertEqual(by_check["jargon"]["fix"]["text"], "return number")
        self.assertIn("the return number is open", by_check["jargon"]["fix"]["result"])
        self.assertTrue(by_check["greeting"]["fix"]["result"].startswith("Hi Carol,"))

    def test_it_checks_a_draft_without_a_ticket(self):
        response = self.post(
            "guidelines/check", "alice", {"draft": "Card 4111 1111 1111 1111 is charged. Thanks!"}
        )
        body = response.json()
        self.assertTrue(body["blocking"])
        self.assertIn("sensitive", [f["check"] for f in body["findings"]])

    def test_a_ticket_the_agent_may_not_see_is_not_found(self):
        ticket = self.make_ticket()
        self.assertError(
            self.post("guidelines/check", "tom", {"draft": BAD, "ticket": ticket.reference}), 404, "not_found"
        )

    def test_customers_and_strangers_may_not_use_it(self):
        self.assertError(self.post("guidelines/check", "carol", {"draft": BAD}), 403, "forbidden")
        self.assertEqual(self.post("guidelines/check", None, {"draft": BAD}).status_code, 401)

    def test_it_is_in_the_openapi_schema(self):
        schema = self.client.get("/api/v1/openapi.json").json()
        operation = schema["paths"]["/api/v1/guidelines/check"]["post"]
        self.assertEqual(operation["summary"], "Check a draft reply")
        self.assertIn("FindingOut", schema["components"]["schemas"])
