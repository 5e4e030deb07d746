"""Celery entry points for consultations."""

from celery import shared_task
from django.core.cache import cache

from consult import services

LOCK_SECONDS = 55


@shared_task(name="consult.advance_lifecycle")
def advance_lifecycle() -> dict[str, int]:
    """Open and close consultations on time; a lock keeps two beats from overlapping."""
    if not cache.add("lock:consult.advance_lifecycle", "1", LOCK_SECONDS):
        return {"opened": 0, "closed": 0, "skipped": 1}
    try:
        return services.consultations_advance_due()
    finally:
        cache.delete("lock:consult.advance_lifecycle")
