"""The `helpwell` command: a friendly face on manage.py.

    helpwell run          migrate, load demo data if empty, start web + worker + mail catcher
    helpwell serve        the web server only (gunicorn)
    helpwell worker       background tasks and sweeps
    helpwell migrate      apply database migrations
    helpwell createadmin  create an admin account
    helpwell demo         load demo data
    helpwell import-...   importers (see `helpwell help`)
Anything else is passed to Django's manage.py.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpwell.settings")
    argv = sys.argv[1:]
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__)
        argv = ["help"]
    command, rest = argv[0], argv[1:]
    aliases = {"demo": "demo_data", "createadmin": "createadmin", "serve": "serve", "run": "run"}
    from django.core.management import execute_from_command_line

    execute_from_command_line(["helpwell", aliases.get(command, command), *rest])


if __name__ == "__main__":
    main()
