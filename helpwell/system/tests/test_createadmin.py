"""`helpwell createadmin`: an admin account with its agent profile, from the command line."""

import io
from unittest import mock

from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import TestCase

from helpwell.people.models import Agent, Role
from helpwell.system.management.commands import createadmin
from helpwell.system.models import AuditEntry


class CreateAdminTest(TestCase):
    def test_it_creates_an_admin_who_can_sign_in(self):
        out = io.StringIO()

        call_command(
            "createadmin", "nora", "--email", "nora@example.com", "--name", "Nora Quinn",
            "--password", "a long passphrase", stdout=out,
        )  # fmt: skip

        self.assertIn("Created the admin “nora”", out.getvalue())
        agent = Agent.objects.get(user__username="nora")
        self.assertEqual((agent.role, agent.display_name), (Role.ADMIN, "Nora Quinn"))
        self.assertTrue(agent.user.is_superuser and agent.user.is_staff)
        self.assertEqual(agent.user.email, "nora@example.com")
        self.assertIsNotNone(authenticate(username="nora", password="a long passphrase"))
        self.assertTrue(
            AuditEntry.objects.filter(action="people.admin_created", object_id=str(agent.pk)).exists()
        )

    def test_it_asks_for_the_password_twice_in_a_terminal(self):
        with (
            mock.patch.object(createadmin.Command, "stdin_is_interactive", return_value=True),
            mock.patch.object(createadmin.getpass, "getpass", side_effect=["one thing", "another", "same words", "same words"]),
        ):  # fmt: skip
            err = io.StringIO()
            call_command("createadmin", "nora", stdout=io.StringIO(), stderr=err)

        self.assertIn("did not match", err.getvalue())
        self.assertIsNotNone(authenticate(username="nora", password="same words"))
        self.assertEqual(Agent.objects.get(user__username="nora").display_name, "nora")

    def test_without_a_terminal_it_needs_the_password_option(self):
        with (
            mock.patch.object(createadmin.Command, "stdin_is_interactive", return_value=False),
            self.assertRaisesMessage(CommandError, "--password"),
        ):
            call_command("createadmin", "nora")
        self.assertFalse(User.objects.exists())

    def test_it_refuses_a_taken_username(self):
        User.objects.create_user("Nora", password="x" * 12)
        with self.assertRaisesMessage(CommandError, "already an account"):
            call_command("createadmin", "nora", "--password", "a long passphrase")

    def test_it_refuses_a_short_password(self):
        with self.assertRaisesMessage(CommandError, "too short"):
            call_command("createadmin", "nora", "--password", "short")
        self.assertFalse(User.objects.exists())

    def test_it_refuses_a_bad_email(self):
        with self.assertRaisesMessage(CommandError, "not an email address"):
            call_command(
                "createadmin", "nora", "--email", "nora-at-example", "--password", "a long passphrase"
            )
