"""The API's test helpers: the shared cast with API credentials, and JSON request shortcuts."""

import json
from typing import Any

from django.test.client import Client

from helpwell.api.actions import do_issue_api_token
from helpwell.portal.links import make_token
from helpwell.test import BaseTestCase


class ApiTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.tokens = {
            "alice": do_issue_api_token(self.alice.agent),
            "tom": do_issue_api_token(self.tom.agent),
            "ada": do_issue_api_token(self.ada.agent),
            "lena": do_issue_api_token(self.lena.agent),
            # Customers use the token from their magic sign-in link.
            "carol": make_token(self.carol),
            "dan": make_token(self.dan),
        }

    def auth(self, who: str | None) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[who]}"} if who else {}

    def api(self, method: str, path: str, who: str | None, data: Any = None, client: Client | None = None):
        client = client or self.client
        url = path if path.startswith("/") else f"/api/v1/{path}"
        kwargs: dict[str, Any] = self.auth(who)
        if method == "get":
            return client.get(url, data or {}, **kwargs)
        body = json.dumps(data if data is not None else {})
        return getattr(client, method)(url, body, content_type="application/json", **kwargs)

    def get(self, path: str, who: str | None, params: dict[str, Any] | None = None):
        return self.api("get", path, who, params)

    def post(self, path: str, who: str | None, data: Any = None):
        return self.api("post", path, who, data)

    def patch(self, path: str, who: str | None, data: Any = None):
        return self.api("patch", path, who, data)

    def assertError(self, response, status: int, code: str) -> dict[str, Any]:  # noqa: N802
        self.assertEqual(response.status_code, status, response.content)
        body = response.json()
        self.assertEqual(set(body), {"error"})
        self.assertEqual(set(body["error"]), {"code", "message", "fields"})
        self.assertEqual(body["error"]["code"], code)
        self.assertTrue(body["error"]["message"])
        return body["error"]

    def references(self, response) -> list[str]:
        self.assertEqual(response.status_code, 200, response.content)
        return [item["reference"] for item in response.json()["items"]]
