"""`helpwell import-customers customers.csv`: bring an existing customer list into Helpwell.

Columns (a header row is required; only email is mandatory): email, name, organisation, language, time_zone.
Existing customers are matched by email and only their blank fields are filled, so an import never
overwrites what the team already knows. Rows that cannot be used are reported with their line number.
"""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from helpwell.people.actions import do_import_customer_row


class Command(BaseCommand):
    help = "Import customers (and their organisations) from a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--no-progress", action="store_true", help="Do not show a progress bar.")

    def handle(self, *args, path: Path, no_progress: bool, **options):
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        if rows and "email" not in {key.strip().lower() for key in rows[0]}:
            raise CommandError("The file needs a header row with at least an 'email' column.")
        created = updated = unchanged = 0
        problems: list[str] = []
        for line, row in enumerate(tqdm(rows, unit="row", disable=no_progress), start=2):
            clean = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            try:
                outcome = do_import_customer_row(clean)
            except ValueError as exc:
                problems.append(f"line {line}: {exc}")
                continue
            created += outcome == "created"
            updated += outcome == "updated"
            unchanged += outcome == "unchanged"
        self.stdout.write(
            f"{created} created, {updated} updated, {unchanged} unchanged, {len(problems)} skipped."
        )
        for problem in problems:
            self.stderr.write(problem)
