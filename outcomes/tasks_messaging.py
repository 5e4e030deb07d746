"""Celery beat entry points for messages about outcomes and the purge of contact details."""

from celery import shared_task

from outcomes import messaging


@shared_task(name="outcomes.follow_up_surveys_start")
def follow_up_surveys_start() -> int:
    """Send the follow-up survey of consultations whose outcome is N days old (idempotent)."""
    if not messaging.locked("outcomes.follow_up_surveys_start", 300):
        return 0
    return messaging.follow_up_surveys_start()


@shared_task(name="outcomes.contact_details_purge")
def contact_details_purge() -> int:
    """Forget contact details past the retention period; opinions stay."""
    if not messaging.locked("outcomes.contact_details_purge", 300):
        return 0
    return messaging.contact_details_purge()
