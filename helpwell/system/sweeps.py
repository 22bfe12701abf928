"""Periodic work the worker runs; each sweep asks the database for what is due, never scans everything."""

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


def deliver_due_mail() -> int:
    from helpwell.mail.outbox import deliver_due

    return deliver_due()


def poll_mailboxes() -> int:
    from helpwell.mail.inbound.imap import poll_all

    return poll_all()


def retry_received_mail() -> int:
    from helpwell.mail.inbound.ingest import process_stale

    return process_stale()


def record_sla_points() -> int:
    """Breaches and escalation levels that have come due (one index range on Ticket.sla_check_at)."""
    from helpwell.sla.breaches import sweep_due

    return sweep_due()


def publish_scheduled_articles() -> int:
    from helpwell.kb.actions import publish_due_articles

    return publish_due_articles()


def remind_article_reviews() -> int:
    from helpwell.kb.actions import remind_due_reviews

    return remind_due_reviews()


SWEEPS: list[Callable[[], int]] = [
    deliver_due_mail,
    poll_mailboxes,
    retry_received_mail,
    record_sla_points,
    publish_scheduled_articles,
    remind_article_reviews,
]


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
