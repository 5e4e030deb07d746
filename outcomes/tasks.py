"""Celery entry points of the outcomes report: thin wrappers around exports and services."""

from celery import shared_task
from django.utils import timezone

from outcomes import exports
from outcomes.models import Job


@shared_task(name="outcomes.export_run")
def export_run(*, job_id: int) -> None:
    """Write an open-data export; a job already claimed by another worker is left alone."""
    claimed = Job.objects.filter(pk=job_id, kind=Job.Kind.EXPORT, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return
    job = Job.objects.select_related("consultation").get(pk=job_id)
    try:
        exports.export_write(job)
    except Exception as error:
        Job.objects.filter(pk=job_id).update(
            state=Job.State.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise


# The free-text analysis tasks live in their own module; importing it here registers them
# with the worker, which discovers only `tasks` modules.
from outcomes import tasks_messaging, tasks_text  # noqa: E402, F401
