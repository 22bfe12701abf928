from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpwell.system.models import SiteSettings
from helpwell.test import BaseTestCase


class SiteContextTests(BaseTestCase):
    """What every template may show is read only when a template shows it."""

    def site_queries(self, path: str, **headers: str) -> tuple[int, str]:
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(path, headers=headers)
        self.assertEqual(response.status_code, 200)
        touched = [q for q in ctx.captured_queries if "system_sitesettings" in q["sql"]]
        return len(touched), response.content.decode()

    def test_a_full_page_shows_the_site_name_and_a_fragment_does_not_read_it(self) -> None:
        site = SiteSettings.load()
        site.site_name = "Acme Help"
        site.save()
        reads, page = self.site_queries("/help/")
        self.assertEqual(reads, 1)
        self.assertIn("Acme Help", page)
        reads, _ = self.site_queries("/help/suggest/?subject=refund+for+my+order", **{"HX-Request": "true"})
        self.assertEqual(reads, 0)

    def test_the_worker_warning_still_reaches_admins_and_only_them(self) -> None:
        self.client.force_login(self.ada)
        self.assertIn("helpwell worker", self.client.get("/agent/").content.decode())
        self.client.force_login(self.alice)
        self.assertNotIn("helpwell worker", self.client.get("/agent/").content.decode())
