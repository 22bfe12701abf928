import os
import socket
from datetime import timedelta

from django.utils import timezone

from .models import WorkerHeartbeat

# The worker beats every few seconds; three missed sweeps means it is not running.
STALE_AFTER = timedelta(minutes=3)


def beat(name: str, backend: str, *, swept: bool = False) -> None:
    now = timezone.now()
    pid = os.getpid()
    defaults: dict = {"hostname": socket.gethostname(), "pid": pid, "backend": backend, "last_seen": now}
    if swept:
        defaults["last_sweep_at"] = now
    # A new process under the same name is a restart: its uptime starts now.
    if not WorkerHeartbeat.objects.filter(name=name, pid=pid).exists():
        defaults["started_at"] = now
    WorkerHeartbeat.objects.update_or_create(name=name, defaults=defaults)


def worker_status() -> dict:
    """What the admin banner shows: when a worker was last seen and whether that is too long ago."""
    latest = WorkerHeartbeat.objects.order_by("-last_seen").first()
    if latest is None:
        return {
            "seen": None,
            "ok": False,
            "message": "The background worker has never run: mail is not being sent.",
        }
    age = timezone.now() - latest.last_seen
    ok = age <= STALE_AFTER
    minutes = int(age.total_seconds() // 60)
    when = "just now" if minutes < 1 else f"{minutes} min ago"
    message = f"Worker last seen {when}" + (
        "" if ok else ": it is not running, so mail and reminders are waiting."
    )
    return {"seen": latest.last_seen, "ok": ok, "message": message, "heartbeat": latest}
