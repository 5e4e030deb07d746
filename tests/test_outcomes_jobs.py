"""Long jobs survive an unreachable broker and a dead worker (outcomes/jobs.py)."""

import datetime as dt

import pytest
from celery import Celery
from django.urls import reverse
from django.utils import timezone

from config.celery import app as suara_app
from consult.models import Question, State
from outcomes import jobs, services
from outcomes.models import Job
from tests.factories import (
    ConsultationFactory,
    SectionFactory,
    question_with_choices,
    sent_response,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def published(organisation, owner):
    consultation = ConsultationFactory(organisation=organisation, state=State.CLOSED, slug="wells")
    section = SectionFactory(consultation=consultation)
    question = question_with_choices(section, Question.Kind.TEXT, [], text_en="Your view?")
    sent_response(consultation, {question: "Deeper wells"}, publish=True)
    services.report_save(consultation=consultation, actor=owner, fields={"summary_en": "Done."})
    services.report_publish(consultation=consultation, actor=owner)
    return consultation


@pytest.fixture
def broker_down():
    """Publish this thread's tasks to a Redis that is not there (nothing listens on port 1)."""
    app = Celery("suara-broker-down", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app.conf.task_always_eager = False
    app.set_current()
    yield
    suara_app.set_current()


def later(seconds: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=seconds)


def test_export_started_while_the_broker_is_down_is_run_by_the_sweep(
    client_for, analyst, published, broker_down, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(analyst).post(
            reverse("outcomes_staff:export_start", kwargs={"pk": published.pk}), {"format": "csv"}
        )
    job = Job.objects.get(consultation=published)
    waiting = (job.state, job.enqueued_at)
    suara_app.set_current()  # the broker is back

    too_soon = jobs.jobs_sweep(now=later(settings.JOBS_SWEEP_AFTER - 30))
    swept = jobs.jobs_sweep(now=later(settings.JOBS_SWEEP_AFTER + 1))

    assert response.status_code == 302
    assert waiting == (Job.State.QUEUED, None)
    assert too_soon == {"published": 0, "failed": 0}
    assert swept == {"published": 1, "failed": 0}
    job.refresh_from_db()
    assert (job.state, job.progress, job.attempts) == (Job.State.DONE, 100, 1)
    assert job.enqueued_at is not None


def ago(seconds: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=seconds)


def test_job_of_a_dead_worker_is_run_again_once(analyst, published, settings):
    job = Job.objects.create(
        consultation=published,
        kind=Job.Kind.EXPORT,
        parameters={"format": "json"},
        created_by=analyst,
        state=Job.State.RUNNING,
        started_at=ago(settings.CELERY_TASK_TIME_LIMIT),  # a long job, still within its time
        enqueued_at=ago(settings.CELERY_TASK_TIME_LIMIT),
        attempts=1,
    )
    alive = jobs.jobs_sweep()
    Job.objects.filter(pk=job.pk).update(
        started_at=ago(settings.CELERY_TASK_TIME_LIMIT + 61),
        enqueued_at=ago(settings.CELERY_TASK_TIME_LIMIT + 61),
    )

    dead = jobs.jobs_sweep()
    again = jobs.jobs_sweep()

    assert alive == {"published": 0, "failed": 0}
    assert dead == {"published": 1, "failed": 0}
    assert again == {"published": 0, "failed": 0}
    job.refresh_from_db()
    assert (job.state, job.attempts) == (Job.State.DONE, 2)
    assert job.file.name.endswith(".json")


def test_job_whose_worker_died_every_time_fails_and_is_not_run(analyst, published, settings):
    job = Job.objects.create(
        consultation=published,
        kind=Job.Kind.EXPORT,
        created_by=analyst,
        state=Job.State.RUNNING,
        started_at=ago(settings.CELERY_TASK_TIME_LIMIT + 61),
        attempts=jobs.MAX_ATTEMPTS,
    )

    redelivered = jobs.job_claim(job_id=job.pk, kind=Job.Kind.EXPORT)
    swept = jobs.jobs_sweep()

    assert redelivered is None
    assert swept == {"published": 0, "failed": 1}
    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert "worker stopped" in job.error


def test_a_repeated_message_does_not_run_a_finished_job_again(analyst, published):
    job = services.export_start(consultation=published, actor=analyst)
    jobs.job_enqueue(job_id=job.pk, kind=job.kind)
    first = Job.objects.get(pk=job.pk)

    jobs.job_enqueue(job_id=job.pk, kind=job.kind)

    job.refresh_from_db()
    assert first.state == Job.State.DONE
    assert (job.attempts, job.file.name, job.finished_at) == (1, first.file.name, first.finished_at)


def test_beats_sweep_task_runs_the_sweep_once_per_lock(analyst, published, settings):
    from django.core.cache import cache

    from outcomes import tasks

    cache.delete("lock:outcomes.jobs_sweep")
    Job.objects.create(
        consultation=published,
        kind=Job.Kind.EXPORT,
        created_by=analyst,
        state=Job.State.RUNNING,
        started_at=ago(settings.CELERY_TASK_TIME_LIMIT + 61),
        attempts=jobs.MAX_ATTEMPTS,
    )

    first = tasks.jobs_sweep.delay().get()
    overlapping = tasks.jobs_sweep.delay().get()

    assert first == {"published": 0, "failed": 1}
    assert overlapping == {"published": 0, "failed": 0, "skipped": 1}
