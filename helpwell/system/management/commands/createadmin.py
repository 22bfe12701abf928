"""`helpwell createadmin`: the first (or another) admin account, with its agent profile."""

import getpass
from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from helpwell.people.models import Agent, Role
from helpwell.system.audit import audit


class Command(BaseCommand):
    help = "Create an admin: a sign-in for the agent workspace with the admin role (and Django admin access)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="Where Helpwell sends this admin's notifications.")
        parser.add_argument("--name", default="", help="Display name customers see (default: the username).")
        parser.add_argument("--password", default=None, help="Without it, you are asked (it is not echoed).")

    def handle(self, *args: Any, username: str, email: str, name: str, password: str | None, **options: Any):
        username = username.strip()
        if not username:
            raise CommandError("A username is needed.")
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"There is already an account called “{username}”.")
        if email:
            try:
                validate_email(email)
            except ValidationError as exc:
                raise CommandError(f"“{email}” is not an email address.") from exc
        if password is None:
            password = self._ask_password()
        user = User(username=username, email=email, is_staff=True, is_superuser=True)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        with transaction.atomic():
            user.set_password(password)
            user.save()
            agent = Agent.objects.create(user=user, display_name=name.strip() or username, role=Role.ADMIN)
            audit(None, "people.admin_created", agent, {"username": username, "via": "helpwell createadmin"})
        self.stdout.write(self.style.SUCCESS(f"Created the admin “{username}”. Sign in at /login/."))

    def _ask_password(self) -> str:
        if not self.stdin_is_interactive():
            raise CommandError("No password given: use --password, or run this in a terminal to be asked.")
        while True:
            first = getpass.getpass("Password: ")
            second = getpass.getpass("Password (again): ")
            if first and first == second:
                return first
            self.stderr.write("The passwords did not match (or were empty); try again.")

    def stdin_is_interactive(self) -> bool:
        import sys

        return sys.stdin.isatty()
