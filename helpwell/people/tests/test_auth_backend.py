"""Sessions name a user; agent pages get the user and their agent profile in one query."""

from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helpwell.test import PASSWORD, BaseTestCase


class AgentBackendTests(BaseTestCase):
    def test_the_user_and_the_agent_come_in_one_query(self):
        self.client.login(username="alice", password=PASSWORD)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(reverse("tickets-queue"))
        self.assertEqual(response.status_code, 200)
        reads = [
            q["sql"]
            for q in queries.captured_queries
            if 'FROM "auth_user"' in q["sql"] or 'FROM "people_agent"' in q["sql"]
        ]
        self.assertTrue(any('"people_agent"' in sql and '"auth_user"' in sql for sql in reads), reads)
        self.assertFalse(
            [sql for sql in reads if sql.startswith('SELECT "people_agent"')], "the agent was read again"
        )

    def test_a_session_signed_in_by_djangos_own_backend_stays_valid(self):
        self.client.login(username="alice", password=PASSWORD)
        session = self.client.session
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session.save()
        response = self.client.get(reverse("tickets-queue"))
        self.assertEqual(response.status_code, 200)
