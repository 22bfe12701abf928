"""`helpwell import-mail PATH…`: bring .eml files, mbox files or Maildirs in as tickets, with a progress bar."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from helpwell.mail.inbound.ingest import receive_many
from helpwell.mail.inbound.sources import count_messages, read_messages
from helpwell.mail.models import InboundMail
from helpwell.people.models import Team


class Command(BaseCommand):
    help = "Import mail from .eml files, directories of them, mbox files or Maildirs, like mail that arrives."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help=".eml file, directory, mbox file or Maildir")
        parser.add_argument("--team", help="slug of the team new tickets go to (default: the first team)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar (for scripts)")

    def handle(
        self, *args: Any, paths: list[str], team: str | None, no_progress: bool, **options: Any
    ) -> None:
        resolved = [Path(p) for p in paths]
        for path in resolved:
            if not path.exists():
                raise CommandError(f"{path} does not exist.")
        chosen = None
        if team:
            chosen = Team.objects.filter(slug=team).first()
            if chosen is None:
                raise CommandError(f"There is no team with the slug {team!r}.")
        counts: dict[str, int] = {}
        duplicates = 0
        total = count_messages(resolved)
        with tqdm(total=total, unit="mail", disable=no_progress, file=self.stderr._out) as bar:
            raws = (raw for _where, raw in read_messages(resolved))
            # Many mails per transaction (see receive_many); each is still stored or failed on its own.
            for inbound, created in receive_many(raws, source=InboundMail.Source.IMPORT, team=chosen):
                if created:
                    counts[inbound.status] = counts.get(inbound.status, 0) + 1
                else:
                    duplicates += 1
                bar.update(1)
        summary = ", ".join(f"{n} {InboundMail.Status(s).label.lower()}" for s, n in sorted(counts.items()))
        self.stdout.write(
            f"Imported {sum(counts.values())} mails ({summary or 'none'}); {duplicates} already known."
        )
        if counts.get(InboundMail.Status.FAILED):
            self.stdout.write(
                "Failed mail is kept with its reason: see Inbound mail in the admin, where it can be retried."
            )
