"""Celery entry points of the outcomes report: thin wrappers around exports and services."""

from celery import shared_task

from outcomes import exports, jobs, messaging
from outcomes.models import Job


@shared_task(name="outcomes.export_run")
def export_run(*, job_id: int) -> None:
    """Write an open-data export; a job already claimed by another worker is left alone."""
    job = jobs.job_claim(job_id=job_id, kind=Job.Kind.EXPORT)
    if job is None:
        return
    try:
        exports.export_write(job)
    except Exception as error:
        jobs.job_fail(job, error)
        raise


@shared_task(name="outcomes.jobs_sweep")
def jobs_sweep() -> dict[str, int]:
    """Hand back the jobs a down broker or a dead worker left; a lock keeps beats apart."""
    if not messaging.locked("outcomes.jobs_sweep", 55):
        return {"published": 0, "failed": 0, "skipped": 1}
    return jobs.jobs_sweep()


# The free-text analysis tasks live in their own module; importing it here registers them
# with the worker, which discovers only `tasks` modules.
from outcomes import tasks_messaging, tasks_text  # noqa: E402, F401
