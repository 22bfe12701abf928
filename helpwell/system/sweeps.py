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
