import json
import re

from helpwell.tickets.models import Status

from .base import ApiTestCase

EXPECTED = {
    "/api/v1/tickets": {"get", "post"},
    "/api/v1/tickets/{reference}": {"get", "patch"},
    "/api/v1/tickets/{reference}/messages": {"get", "post"},
    "/api/v1/ticket-submissions/{reference}": {"get"},
    "/api/v1/customers": {"get"},
    "/api/v1/customers/{customer_id}": {"get"},
    "/api/v1/agents": {"get"},
    "/api/v1/me": {"get"},
    "/api/v1/guidelines/check": {"post"},
    "/api/v1/search/tickets": {"get"},
    "/api/v1/search/articles": {"get"},
}


class OpenApiTests(ApiTestCase):
    def test_the_schema_is_json_listing_every_path(self):
        response = self.client.get("/api/v1/openapi.json")
        self.assertEqual(response.status_code, 200)
        schema = json.loads(response.content)
        self.assertTrue(schema["openapi"].startswith("3."))
        self.assertEqual(schema["info"]["title"], "Helpwell API")
        self.assertEqual({path: set(ops) for path, ops in schema["paths"].items()}, EXPECTED)
        self.assertEqual(schema["components"]["securitySchemes"]["BearerAuth"]["scheme"], "bearer")
        status = schema["components"]["schemas"]["TicketOut"]["properties"]["status"]
        self.assertEqual(set(status["enum"]), set(Status.values))
        # Every operation documents the error shape.
        for ops in schema["paths"].values():
            for op in ops.values():
                self.assertIn("401", op["responses"])

    def test_the_docs_page_loads_nothing_from_elsewhere(self):
        response = self.client.get("/api/v1/docs")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertNotRegex(html, r"(src|href)=\"(https?:)?//")
        for asset in re.findall(r"(?:src|href)=\"(/api/v1/docs/assets/[^\"]+)\"", html):
            self.assertEqual(self.client.get(asset).status_code, 200, asset)
        self.assertEqual(self.client.get("/api/v1/docs/assets/redoc.standalone.js.map").status_code, 404)

    def test_unknown_api_paths_answer_in_json(self):
        error = self.assertError(self.client.get("/api/v1/nothing-here"), 404, "not_found")
        self.assertIn("docs", error["message"])
        error = self.assertError(self.get("/api/v1/tickets/", "alice"), 404, "not_found")
        self.assertIn("trailing slash", error["message"])

    def test_wrong_methods_and_the_bare_root_answer_in_json(self):
        ticket = self.make_ticket()
        response = self.api("delete", f"tickets/{ticket.reference}", "alice")
        error = self.assertError(response, 405, "method_not_allowed")
        self.assertIn("PATCH", error["message"])
        self.assertIn("PATCH", response["Allow"])
        self.assertError(self.get("/api/v1/", "alice"), 404, "not_found")
