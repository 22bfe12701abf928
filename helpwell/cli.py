"""The `helpwell` command: a friendly face on manage.py.

    helpwell run          migrate, load demo data if empty, start web + worker + mail catcher
    helpwell serve        the web server only (gunicorn)
    helpwell worker       background tasks and sweeps
    helpwell mailcatcher  the local SMTP server whose mail you read at /dev/mailbox/
    helpwell migrate      apply database migrations, then create the four priorities and a first team
                          if they are missing (never changing a lead's edits)
    helpwell createadmin  create an admin account
    helpwell demo         load demo data
    helpwell api-token USERNAME   issue an API token for an agent (shown once)
    helpwell import-customers FILE.csv   add or update customers and organisations
    helpwell reindex      rebuild the search index, with a progress bar
Anything else is passed to Django's manage.py; dashes in a command name stand for underscores.
"""

import os
import sys

ALIASES = {"demo": "demo_data"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpwell.settings")
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"-h", "--help"}:
        print(__doc__)
        args = ["help"]
    command, rest = args[0], args[1:]
    from django.core.management import execute_from_command_line

    command = ALIASES.get(command, command.replace("-", "_"))
    execute_from_command_line(["helpwell", command, *rest])
    whole = not [a for a in rest if not a.startswith("-")]  # not one app, nor back to a migration
    if command == "migrate" and whole and not {"-h", "--help", "--plan", "--check"} & set(rest):
        # A help desk without priorities cannot open a ticket from any channel: an install set up with
        # `helpwell migrate` and `helpwell serve` (no `helpwell run`) gets them here.
        from helpwell.demo.defaults import ensure_defaults

        ensure_defaults()


if __name__ == "__main__":
    main()
