"""`helpwell reindex`: rebuild the search index from the tickets, articles and people, with progress bars."""

import time
from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from helpwell.kb.models import Article
from helpwell.people.models import Customer, Organisation
from helpwell.search import index
from helpwell.tickets.models import Ticket

PARTS = ("articles", "tickets", "people")


class Command(BaseCommand):
    help = "Rebuild the search index (articles, tickets and messages, customers and organisations)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--only", choices=PARTS, action="append", help="rebuild only this part (repeatable)"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bars (for logs)")

    def handle(self, *args: Any, only: list[str] | None, no_progress: bool, **options: Any) -> None:
        parts = only or list(PARTS)
        totals = {
            "articles": Article.objects.count,
            "tickets": Ticket.objects.count,
            "people": lambda: Customer.objects.count() + Organisation.objects.count(),
        }
        rebuild = {
            "articles": index.reindex_articles,
            "tickets": index.reindex_tickets,
            "people": index.reindex_people,
        }
        for part in parts:
            started = time.monotonic()
            with tqdm(total=totals[part](), desc=f"{part:>8}", unit=" rows", disable=no_progress,
                      file=self.stderr._out) as bar:  # fmt: skip
                done = rebuild[part](bar.update)
            self.stdout.write(f"{part}: {done:,} indexed in {time.monotonic() - started:.1f} s")
        index.optimise()
        self.stdout.write(self.style.SUCCESS("Search index rebuilt."))
