from django_tasks import task

from . import notices, recompute


@task()
def send_notice_update(update_id: int) -> int:
    """Tell each affected customer of a notice's update, once."""
    return notices.send_update(update_id)


@task()
def recompute_due_times(job_id: int) -> int:
    """Recompute the due times of the tickets a calendar or policy change touches, with progress."""
    return recompute.run(job_id)
