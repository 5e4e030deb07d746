"""Site-wide pages: home, accessibility statement, health check."""

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app as celery_app
from consult import queries


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "pages/home.html",
        {"open_consultations": queries.mark_fallbacks(queries.open_consultations(limit=6))},
    )


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/accessibility.html")


def _database_state() -> str:
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any failure means "down"; the message says why
        return f"error: {type(exc).__name__}"
    return "ok"


def _redis_state() -> str:
    if not settings.REDIS_URL:
        return "not configured"
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        client.ping()
    except redis.RedisError as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


def _workers_state() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    try:
        replies = celery_app.control.ping(timeout=1.0)
    except Exception as exc:  # broker errors come in many types
        return f"error: {type(exc).__name__}"
    return f"ok ({len(replies)})" if replies else "error: no worker answered"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """State of the database, Redis and the Celery workers: 200 when all are fine."""
    checks = {"database": _database_state(), "redis": _redis_state()}
    checks["workers"] = (
        "error: broker unreachable" if checks["redis"].startswith("error") else _workers_state()
    )
    healthy = all(not value.startswith("error") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
