"""Celery entry points of the outcomes report: thin wrappers around exports and services."""

from celery import shared_task
from django.core.cache import cache

from outcomes import exports, jobs
from outcomes.models import Job

LOCK_SECONDS = 300


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
    if not cache.add("lock:outcomes.jobs_sweep", "1", LOCK_SECONDS):
        return {"published": 0, "failed": 0, "skipped": 1}
    try:
        return jobs.jobs_sweep()
    finally:
        cache.delete("lock:outcomes.jobs_sweep")


# The free-text analysis tasks live in their own module; importing it here registers them
# with the worker, which discovers only `tasks` modules.
from outcomes import tasks_messaging, tasks_text  # noqa: E402, F401
