"""Abuse guards for the public form: rate limits per address and per consultation.

Counters live in Django's cache (Redis in production). If the cache is unreachable the
guard lets people through: citizens must still be able to submit when Redis is down.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from consult.models import Consultation
from feedback import rules

logger = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str:
    """The caller's address; behind our proxy, the one it saw (the last hop it added)."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _over(key: str, limit: int, window: int) -> bool:
    try:
        cache.add(key, 0, timeout=window)
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr: start again
        cache.set(key, 1, timeout=window)
        return False
    except Exception:
        logger.warning("rate-limit cache unavailable; letting the request through")
        return False


def rate_limited(request: HttpRequest, consultation: Consultation) -> bool:
    """True when this address, or everyone together, sent too much to this consultation."""
    if rules.may_skip_rate_limits(request.user):
        return False
    limits = settings.FEEDBACK_RATE_LIMITS
    window = limits["window"]
    return _over(f"feedback:ip:{client_address(request)}", limits["per_address"], window) or _over(
        f"feedback:consultation:{consultation.pk}", limits["per_consultation"], window
    )


def too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.FEEDBACK_MAX_REQUEST_BYTES


def too_many_requests(request: HttpRequest) -> HttpResponse:
    """The translated 429 page, with a hint of when to try again."""
    window = settings.FEEDBACK_RATE_LIMITS["window"]
    response = render(request, "429.html", {"minutes": max(1, window // 60)}, status=429)
    response["Retry-After"] = str(window)
    return response
