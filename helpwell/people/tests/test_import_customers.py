from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory

from django.core.management import call_command

from helpwell.people.models import Customer
from helpwell.test import BaseTestCase

CSV = """email,name,organisation,language,time_zone
carol@acme.example,Someone Else,Initech,de,Asia/Tokyo
erin@initech.example,Erin Park,Initech,de,Europe/Vienna
not-an-email,Bad Row,,,
frank@example.org,Frank,,xx,
gina@example.org,Gina,,,Mars/Olympus
"""


class ImportCustomersTests(BaseTestCase):
    def run_import(self, text: str) -> tuple[str, str]:
        out, err = StringIO(), StringIO()
        with TemporaryDirectory() as folder:
            path = Path(folder) / "customers.csv"
            path.write_text(text, encoding="utf-8")
            call_command("import_customers", str(path), "--no-progress", stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_it_creates_new_customers_with_their_organisation(self):
        out, _ = self.run_import(CSV)
        erin = Customer.objects.get(email="erin@initech.example")
        assert erin.organisation is not None
        self.assertEqual((erin.name, erin.organisation.name, erin.language, erin.time_zone),
                         ("Erin Park", "Initech", "de", "Europe/Vienna"))  # fmt: skip
        self.assertIn("1 created, 0 updated, 1 unchanged, 3 skipped.", out)

    def test_it_never_overwrites_what_the_team_knows(self):
        self.run_import(CSV)
        self.carol.refresh_from_db()
        self.assertEqual((self.carol.name, self.carol.organisation, self.carol.time_zone),
                         ("Carol Chen", self.acme, "Europe/Berlin"))  # fmt: skip

    def test_it_reports_each_unusable_row_by_line(self):
        _, err = self.run_import(CSV)
        self.assertIn("line 4: “not-an-email” is not an email address", err)
        self.assertIn("line 5: “xx” is not a language", err)
        self.assertIn("line 6: “Mars/Olympus” is not a time zone", err)
        self.assertFalse(
            Customer.objects.filter(email__in=["frank@example.org", "gina@example.org"]).exists()
        )
