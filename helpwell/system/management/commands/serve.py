"""`helpwell serve`: the web server (gunicorn with threads), sized for a small machine by default.

HELPWELL_HOST / HELPWELL_PORT         where to listen (127.0.0.1:8000)
HELPWELL_WEB_WORKERS                  processes (default: the number of CPU cores, at least 2)
HELPWELL_WEB_THREADS                  threads per process (default 4)
HELPWELL_ACCESS_LOG=1                 log every request to standard output
"""

import os
from typing import Any

from django.core.management.base import BaseCommand
from django.db import connections


def default_bind() -> str:
    return f"{os.environ.get('HELPWELL_HOST', '127.0.0.1')}:{os.environ.get('HELPWELL_PORT', '8000')}"


def gunicorn_options(bind: str, workers: int | None = None, threads: int | None = None) -> dict[str, Any]:
    cores = os.cpu_count() or 2
    workers = workers or int(os.environ.get("HELPWELL_WEB_WORKERS", str(max(2, cores))))
    threads = threads or int(os.environ.get("HELPWELL_WEB_THREADS", "4"))
    options: dict[str, Any] = {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "timeout": 60,
        "graceful_timeout": 10,
        "keepalive": 5,
        "errorlog": "-",
        "loglevel": os.environ.get("HELPWELL_WEB_LOG_LEVEL", "warning"),
        "proc_name": "helpwell-web",
    }
    if os.environ.get("HELPWELL_ACCESS_LOG", "").lower() in {"1", "true", "yes", "on"}:
        options["accesslog"] = "-"
    return options


class Command(BaseCommand):
    help = "Run the web server (gunicorn, threaded workers) on HELPWELL_HOST:HELPWELL_PORT."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind", default=default_bind(), help="host:port (default from HELPWELL_HOST/PORT)."
        )
        parser.add_argument("--workers", type=int, default=None)
        parser.add_argument("--threads", type=int, default=None)

    def handle(self, *args: Any, bind: str, workers: int | None, threads: int | None, **options: Any) -> None:
        from gunicorn.app.base import BaseApplication

        options_ = gunicorn_options(bind, workers, threads)
        connections.close_all()  # workers open their own

        class HelpwellApplication(BaseApplication):
            def load_config(self) -> None:
                for key, value in options_.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                from helpwell.wsgi import application

                return application

        self.stdout.write(
            f"Web server on http://{bind} ({options_['workers']} workers × {options_['threads']} threads)."
        )
        self.stdout.flush()
        HelpwellApplication().run()
