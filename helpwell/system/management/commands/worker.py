"""`helpwell worker`: runs queued tasks and the periodic sweeps, and writes a heartbeat.

One process does all background work, so there is only one thing to forget to start, and the
heartbeat tells admins when it has been forgotten. Tasks come from the configured Tasks backend:
the database queue (django-tasks-db, the default) or RQ on Redis (HELPWELL_TASK_BACKEND=rq).
"""

import logging
import os
import signal
import socket
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from helpwell.system.heartbeat import beat
from helpwell.system.sweeps import run_every_poll, run_sweeps

log = logging.getLogger("helpwell.worker")

# The most tasks one loop runs before it sweeps and beats again, so a flood of tasks
# never makes the worker look dead.
TASKS_PER_LOOP = 100
# After an unexpected error (the database restarting, say) wait this long before trying again.
ERROR_PAUSE = 5.0


class Command(BaseCommand):
    help = "Run background tasks and periodic sweeps (mail delivery, reminders)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls for tasks.")
        parser.add_argument("--once", action="store_true", help="Run what is due now, then exit.")
        parser.add_argument("--name", default="worker", help="Name shown to admins in the heartbeat.")

    def handle(self, *args: Any, interval: float, once: bool, name: str, **options: Any) -> None:
        self.running = True
        self._previous_handlers = {
            sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        # django-tasks-db announces every (one-second) poll; one line per task is plenty.
        logging.getLogger("django_tasks_db").setLevel(logging.WARNING)
        backend = settings.TASK_BACKEND
        if not once:
            self.stdout.write(f"Helpwell worker '{name}' started ({backend} task queue).")
        last_sweep: float | None = None
        try:
            while self.running:
                ran = 0
                try:
                    close_old_connections()
                    ran = self._run_tasks(backend) + run_every_poll()
                    due = last_sweep is None or time.monotonic() - last_sweep >= settings.WORKER_SWEEP_SECONDS
                    if due or once:
                        results = run_sweeps()
                        last_sweep = time.monotonic()
                        done = {k: v for k, v in results.items() if v}
                        if done:
                            log.info("sweeps at %s: %s", timezone.now().isoformat(timespec="seconds"), done)
                    beat(name, backend, swept=due or once)
                except Exception:
                    if once:
                        raise
                    # The worker must outlive a database restart or a Redis blip; it says so and retries.
                    log.exception("worker loop failed; trying again in %s s", ERROR_PAUSE)
                    self._sleep(ERROR_PAUSE)
                    continue
                if once:
                    break
                if not ran:
                    self._sleep(interval)
        finally:
            for sig, handler in self._previous_handlers.items():
                signal.signal(sig, handler)
            close_old_connections()
        if not once:
            self.stdout.write(f"Helpwell worker '{name}' stopped.")

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.running = False

    def _sleep(self, seconds: float) -> None:
        # Sleep in small steps so that Ctrl-C or SIGTERM stops the worker promptly.
        end = time.monotonic() + seconds
        while self.running and time.monotonic() < end:
            time.sleep(min(0.1, end - time.monotonic()))

    def _run_tasks(self, backend: str) -> int:
        if backend == "rq":
            return self._run_rq_tasks()
        if backend == "database":
            return self._run_db_tasks()
        return 0  # "immediate": tasks ran when they were enqueued

    def _worker_id(self) -> str:
        return f"{socket.gethostname()[:40]}-{os.getpid()}"

    def _run_db_tasks(self) -> int:
        from django_tasks_db.management.commands.db_worker import Worker

        worker = Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=TASKS_PER_LOOP,
            worker_id=self._worker_id(),
            excluded_queue_names=[],
        )
        worker.run()
        return worker._run_tasks

    def _run_rq_tasks(self) -> int:
        import django_rq
        from django_tasks_rq.backend import Job
        from rq import SimpleWorker

        # SimpleWorker runs each job in this process: no fork, so no database connection is ever
        # shared between a parent and a child process.
        queues = list(settings.TASKS["default"].get("QUEUES") or settings.RQ_QUEUES)
        worker = django_rq.get_worker(*queues, job_class=Job, worker_class=SimpleWorker)  # type: ignore[arg-type]
        try:
            worked = worker.work(
                burst=True, with_scheduler=True, max_jobs=TASKS_PER_LOOP, logging_level="WARNING"
            )
        finally:
            # RQ installs its own SIGINT/SIGTERM handlers; ours decide when the loop stops.
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
        return int(worked)
