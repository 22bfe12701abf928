"""Recomputing due times after a calendar or policy change, as a background job with progress."""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from helpwell.system.queue import enqueue_with_transaction
from helpwell.tickets.models import Ticket

from .clocks import Lookup, recompute_batch
from .models import BusinessCalendar, RecomputeJob

BATCH = 500


def affected_tickets(calendar: BusinessCalendar | None) -> QuerySet[Ticket]:
    """Open tickets whose clocks count on `calendar` (None: every open ticket, e.g. after a policy change)."""
    qs = Ticket.objects.filter(is_open__in=[True])
    if calendar is None:
        return qs
    if calendar.team_id is not None:
        return qs.filter(team_id=calendar.team_id)
    with_own = BusinessCalendar.objects.filter(team__isnull=False).values_list("team_id", flat=True)
    return qs.exclude(team_id__in=list(with_own))


def start_job(*, calendar: BusinessCalendar | None, reason: str) -> RecomputeJob:
    job = RecomputeJob.objects.create(calendar=calendar, reason=reason[:200])
    from .tasks import recompute_due_times

    enqueue_with_transaction(recompute_due_times, job.pk)
    return job


def run(job_id: int, *, batch: int = BATCH, progress: Any = None) -> int:
    """Recompute in batches by primary key, saving progress after each, so a page can show it."""
    job = RecomputeJob.objects.select_related("calendar").get(pk=job_id)
    tickets = affected_tickets(job.calendar)
    job.total = tickets.count()
    job.done = 0
    job.save(update_fields=["total", "done"])
    lookup = Lookup()
    last = 0
    while True:
        rows = list(
            tickets.filter(pk__gt=last)
            .select_related("priority", "customer__organisation")
            .order_by("pk")[:batch]
        )
        if not rows:
            break
        now = timezone.now()
        with transaction.atomic():
            recompute_batch(rows, now, lookup)
        last = rows[-1].pk
        job.done += len(rows)
        RecomputeJob.objects.filter(pk=job.pk).update(done=job.done)
        if progress is not None:
            progress(job.done, job.total)
    job.finished_at = timezone.now()
    job.save(update_fields=["finished_at"])
    return job.done
