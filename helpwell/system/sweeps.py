"""Periodic work the worker runs; each sweep asks the database for what is due, never scans everything."""

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


def deliver_due_mail() -> int:
    from helpwell.mail.outbox import deliver_due

    return deliver_due()


SWEEPS: list[Callable[[], int]] = [deliver_due_mail]


def run_sweeps() -> dict[str, int]:
    results = {}
    for sweep in SWEEPS:
        try:
            results[sweep.__name__] = sweep()
        except Exception:  # one failing sweep must not stop the others or the worker
            log.exception("sweep %s failed", sweep.__name__)
            results[sweep.__name__] = -1
    return results


def open_submitted_tickets() -> int:
    """Tickets the API accepted for the background (`Prefer: respond-async`)."""
    from helpwell.api.actions import open_submitted_tickets as open_them

    return open_them()


# Work somebody is waiting for, checked on every poll of the worker (each second by default)
# rather than once a sweep interval; each is one indexed query when there is nothing to do.
EVERY_POLL: list[Callable[[], int]] = [open_submitted_tickets]


def run_every_poll() -> int:
    done = 0
    for work in EVERY_POLL:
        try:
            done += work()
        except Exception:
            log.exception("%s failed", work.__name__)
    return done
