"""Enqueueing background tasks so that they run only for data that was committed."""

from typing import Any

from django.db import transaction
from django_tasks import task_backends
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks_db import DatabaseBackend


def enqueue_with_transaction(task: Any, *args: Any) -> None:
    """Enqueue `task` as part of the surrounding transaction.

    The database queue stores the task row in that same transaction, so the data and the task
    commit or vanish together and a crash between the two cannot lose the task. A queue outside
    the database (RQ) is told only after the commit, so its worker never looks for rows that are
    not there yet.
    """
    backend = task_backends[task.backend]
    if isinstance(backend, DatabaseBackend | ImmediateBackend):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))
