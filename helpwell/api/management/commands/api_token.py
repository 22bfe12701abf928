"""helpwell api-token <username> [--revoke]: give an agent a new API token, shown once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from helpwell.api.actions import do_issue_api_token, do_revoke_api_token
from helpwell.people.models import Agent


class Command(BaseCommand):
    help = "Create (or replace) an agent's API token and print it once; --revoke removes it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="The agent's username")
        parser.add_argument("--revoke", action="store_true", help="Remove the agent's token instead")

    def handle(self, *args: Any, username: str, revoke: bool, **options: Any) -> None:
        agent = Agent.objects.select_related("user").filter(user__username=username).first()
        if agent is None:
            raise CommandError(f"No agent with the username {username!r}.")
        if revoke:
            do_revoke_api_token(agent, actor=None)
            self.stdout.write(f"{agent.display_name}'s API token is revoked.")
            return
        token = do_issue_api_token(agent, actor=None)
        self.stdout.write(f"API token for {agent.display_name} ({username}); it is shown only this once:\n")
        self.stdout.write(token)
        self.stdout.write("\nUse it as: Authorization: Bearer <token>   (any earlier token no longer works)")
