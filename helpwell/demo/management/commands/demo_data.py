"""`helpwell demo`: load the demo team, customers and 300 tickets into an empty help desk."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from helpwell.demo.loader import TICKETS, demo_loaded, demo_password, load_demo
from helpwell.tickets.models import Ticket


class Command(BaseCommand):
    help = "Load believable demo data (8 agents, 3 teams, 2 organisations, 300 tickets). Sends no mail."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even though the help desk already has tickets (the demo people must not exist yet).",
        )
        parser.add_argument(
            "--tickets", type=int, default=TICKETS, help=f"How many tickets (default {TICKETS})."
        )
        parser.add_argument(
            "--seed", type=int, default=None, help="Seed for the random choices (default: fixed)."
        )

    def handle(self, *args: Any, force: bool, tickets: int, seed: int | None, **options: Any) -> None:
        if demo_loaded():
            raise CommandError("The demo data is already loaded (its agents exist); nothing to do.")
        existing = Ticket.objects.count()
        if existing and not force:
            self.stdout.write(
                f"This help desk already has {existing} tickets, so the demo was not loaded. "
                "Use --force to add it anyway."
            )
            return
        kwargs: dict[str, Any] = {"tickets": tickets}
        if seed is not None:
            kwargs["seed"] = seed
        result = load_demo(**kwargs)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the demo in {result.seconds:.1f} s: {result.agents} agents, {result.customers} customers, "
                f"{result.tickets} tickets, {result.messages} messages, {result.ratings} ratings."
            )
        )
        self.stdout.write(f"Sign in with any of these usernames and the password “{demo_password()}”:")
        for username, name, title in result.logins:
            self.stdout.write(f"  {username:<8} {name}, {title}")
