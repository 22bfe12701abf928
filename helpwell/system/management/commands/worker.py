"""`helpwell worker`: runs queued tasks and the periodic sweeps, and writes a heartbeat."""

import logging
import signal
import time
from types import FrameType

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from helpwell.system.heartbeat import beat
from helpwell.system.sweeps import run_sweeps

log = logging.getLogger("helpwell.worker")


class Command(BaseCommand):
    help = "Run background tasks and periodic sweeps (mail delivery, reminders)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls for tasks.")
        parser.add_argument("--once", action="store_true", help="Run what is due now, then exit.")
        parser.add_argument("--name", default="worker")

    def handle(self, *args, interval: float, once: bool, name: str, **options):
        self.running = True
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        backend = settings.TASK_BACKEND
        self.stdout.write(f"Helpwell worker '{name}' started ({backend} task queue).")
        last_sweep = 0.0
        while self.running:
            close_old_connections()
            ran = self._run_tasks(backend)
            swept = False
            if time.monotonic() - last_sweep >= settings.WORKER_SWEEP_SECONDS or once:
                results = run_sweeps()
                last_sweep = time.monotonic()
                swept = True
                log.debug("sweeps at %s: %s", timezone.now(), results)
            beat(name, backend, swept=swept)
            if once:
                break
            if not ran:
                time.sleep(interval)

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.running = False

    def _run_tasks(self, backend: str) -> int:
        if backend == "rq":
            import django_rq

            worker = django_rq.get_worker("default")
            return int(worker.work(burst=True, with_scheduler=False))
        if backend != "database":
            return 0
        from django_tasks_db.management.commands.db_worker import Worker

        worker = Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=100,
            worker_id=f"helpwell-{timezone.now():%H%M%S}",
            excluded_queue_names=[],
        )
        worker.run()
        return worker._run_tasks
