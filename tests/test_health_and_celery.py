"""Celery through the real Redis broker, and /healthz reporting database, Redis and workers."""

import pytest

from config.celery import app


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_a_task_through_redis(celery_worker):
    from celery.contrib.testing.tasks import ping

    result = ping.delay()

    assert result.get(timeout=20) == "pong"


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_healthz_is_ok_with_database_redis_and_a_worker(client, celery_worker):
    response = client.get("/healthz")

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["redis"] == "ok"
    assert body["workers"].startswith("ok (")


@pytest.mark.django_db
def test_healthz_is_503_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["redis"].startswith("error")
    assert response.json()["workers"] == "error: broker unreachable"


def test_celery_is_configured_for_reliability():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_time_limit == 300
