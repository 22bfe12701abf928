import shutil
import tempfile

from django.test import override_settings

from helpwell.people.models import Customer
from helpwell.portal.links import magic_link
from helpwell.test import BaseTestCase


class PortalTestCase(BaseTestCase):
    """The shared cast, a clean rate-limit cache and a throw-away media folder for uploads."""

    def setUp(self) -> None:
        super().setUp()
        media = tempfile.mkdtemp(prefix="helpwell-portal-test-")
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)
        override = override_settings(MEDIA_ROOT=media)
        override.enable()
        self.addCleanup(override.disable)

    def sign_in(self, customer: Customer, client=None) -> None:
        """Sign in the honest way: by following the customer's magic link."""
        response = (client or self.client).get(magic_link(customer))
        self.assertEqual(response.status_code, 302)
