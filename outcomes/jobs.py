"""Long jobs (suggestions, campaigns, exports): started, claimed, finished, and swept.

A job is a row first and a Celery message second. The message is published after the
transaction commits; if the broker is unreachable the request still succeeds and the job
waits. Beat's sweep (`jobs_sweep`) hands the workers every job left waiting (the broker was
down, or Redis lost its queue) or left running past a task's time limit (its worker died),
so no job is lost. A redelivered or repeated message cannot run a job twice: a worker
claims it with a conditional UPDATE first, and gives up on a job whose worker died
`MAX_ATTEMPTS` times.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from accounts.services import audit_record
from consult.models import Consultation, Question
from notifications.services import BROKER_ERRORS, PUBLISH_RETRY
from outcomes.models import Job

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


def _stale_before(now: dt.datetime) -> dt.datetime:
    """A job running since before this has outlived any task: its worker died."""
    return now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def job_start(
    *,
    consultation: Consultation,
    question: Question | None,
    actor: User,
    kind: str,
    parameters: dict | None = None,
) -> Job:
    """A waiting job, audited, with its task published once the transaction commits."""
    with transaction.atomic():
        job = Job.objects.create(
            consultation=consultation,
            question=question,
            kind=kind,
            parameters=parameters or {},
            created_by=actor,
        )
        audit_record(
            actor=actor,
            organisation=consultation.organisation,
            action=f"job.{kind}",
            obj=job,
            question=question.pk if question else None,
            **(parameters or {}),
        )
        transaction.on_commit(lambda: job_enqueue(job_id=job.pk, kind=kind))
    return job


def job_enqueue(*, job_id: int, kind: str) -> bool:
    """Publish a job's task; if the broker is down, leave the job to the sweep.

    Never raises for an unreachable broker: it logs a warning and returns False.
    """
    from outcomes import tasks, tasks_text  # the tasks import this module

    task = {
        Job.Kind.SUGGEST_THEMES: tasks_text.suggest_themes,
        Job.Kind.GROUP_CAMPAIGNS: tasks_text.group_campaigns,
        Job.Kind.EXPORT: tasks.export_run,
    }[kind]
    try:
        task.apply_async(kwargs={"job_id": job_id}, retry_policy=PUBLISH_RETRY)
    except BROKER_ERRORS as error:
        logger.warning("Broker unreachable; job %s waits for the sweep: %s", job_id, error)
        return False
    Job.objects.filter(pk=job_id).update(enqueued_at=timezone.now())
    return True


def job_claim(*, job_id: int, kind: str) -> Job | None:
    """Move a waiting job to running; None if it is gone, running or finished.

    A job left running longer than a task may live (its worker died) can be claimed again,
    by the redelivered message or the sweep's, up to `MAX_ATTEMPTS` times in all.
    """
    now = timezone.now()
    claimed = Job.objects.filter(
        Q(state=Job.State.QUEUED) | Q(state=Job.State.RUNNING, started_at__lt=_stale_before(now)),
        pk=job_id,
        kind=kind,
        attempts__lt=MAX_ATTEMPTS,
    ).update(state=Job.State.RUNNING, started_at=now, progress=1, attempts=F("attempts") + 1)
    if not claimed:
        return None
    return Job.objects.select_related("consultation__organisation", "question").get(pk=job_id)


def job_progress(job: Job, progress: int) -> None:
    job.progress = max(job.progress, min(progress, 99))
    Job.objects.filter(pk=job.pk).update(progress=job.progress)


def job_finish(job: Job, result: dict) -> None:
    job.state, job.progress, job.result = Job.State.DONE, 100, result
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "progress", "result", "finished_at"])


def job_fail(job: Job, error: Exception) -> None:
    logger.exception("job %s failed", job.pk)
    job.state, job.error, job.finished_at = Job.State.FAILED, repr(error)[:2000], timezone.now()
    job.save(update_fields=["state", "error", "finished_at"])


def jobs_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Hand back to the workers the jobs a down broker or a dead worker left behind.

    Side effects: a task published for each job waiting, or running past a task's time
    limit, whose task was last published (or, never published, the job made) more than
    JOBS_SWEEP_AFTER seconds ago; a job whose worker died `MAX_ATTEMPTS` times fails.
    """
    now = now or timezone.now()
    grace = now - dt.timedelta(seconds=settings.JOBS_SWEEP_AFTER)
    stale = Q(state=Job.State.RUNNING, started_at__lt=_stale_before(now))
    failed = Job.objects.filter(stale, attempts__gte=MAX_ATTEMPTS).update(
        state=Job.State.FAILED,
        error="The worker stopped before finishing the job, every time it was tried.",
        finished_at=now,
    )
    # Not again within JOBS_SWEEP_AFTER of the last time its task was published.
    recent = Q(enqueued_at__gte=grace) | Q(enqueued_at__isnull=True, created_at__gte=grace)
    rows = list(
        Job.objects.filter(Q(state=Job.State.QUEUED) | stale)
        .exclude(recent)
        .order_by("pk")
        .values_list("pk", "kind")[:100]
    )
    published = sum(job_enqueue(job_id=pk, kind=kind) for pk, kind in rows)
    return {"published": published, "failed": failed}
