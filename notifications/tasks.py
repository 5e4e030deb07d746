"""Celery entry points for notifications: thin wrappers around `notifications.services`.

Delivery has one task per channel so that each has its own rate limit
(NOTIFICATIONS_CHANNELS[channel]["rate_limit"], in tasks per second per worker; each task
carries up to NOTIFICATIONS_CHANNELS[channel]["batch"] messages).
"""

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from notifications import services

LOCK_SECONDS = 55


def _deliver(message_ids: list[int], channel: str) -> dict[str, int]:
    delivery = services.messages_deliver(message_ids=message_ids)
    for countdown, ids in delivery.retry.items():
        services.messages_schedule(message_ids=ids, channel=channel, countdown=countdown)
    return delivery.counts()


@shared_task(
    name="notifications.deliver_email",
    rate_limit=settings.NOTIFICATIONS_CHANNELS["email"]["rate_limit"] or None,
)
def deliver_email(*, message_ids: list[int]) -> dict[str, int]:
    """Send queued emails by id; ids already sent or gone are skipped."""
    return _deliver(message_ids, "email")


@shared_task(
    name="notifications.deliver_sms",
    rate_limit=settings.NOTIFICATIONS_CHANNELS["sms"]["rate_limit"] or None,
)
def deliver_sms(*, message_ids: list[int]) -> dict[str, int]:
    """Send queued text messages by id; ids already sent or gone are skipped."""
    return _deliver(message_ids, "sms")


DELIVERY_TASKS = {"email": deliver_email, "sms": deliver_sms}


@shared_task(name="notifications.fan_out_step")
def fan_out_step(*, fan_out_id: int) -> bool:
    """Queue the next page of a fan-out; the step schedules the one after it."""
    return services.fan_out_step(fan_out_id=fan_out_id)


@shared_task(name="notifications.sweep")
def sweep() -> dict[str, int]:
    """Re-enqueue what a dead worker or an unreachable Redis left; a lock keeps beats apart."""
    if not cache.add("lock:notifications.sweep", "1", LOCK_SECONDS):
        return {"messages": 0, "fan_outs": 0, "skipped": 1}
    try:
        return services.messages_sweep()
    finally:
        cache.delete("lock:notifications.sweep")
