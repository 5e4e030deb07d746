"""Reads of the outbox shared by staff pages and the API."""

from django.db.models import Count, Q

from notifications.models import Message, State


def progress(subject_key: str) -> dict[str, int]:
    """How many messages about a subject are queued (or being sent), sent, failed, cancelled.

    One aggregate query; the counts add up to `total`.
    """
    counts = Message.objects.for_subject(subject_key).aggregate(
        total=Count("pk"),
        queued=Count("pk", filter=Q(state__in=[State.QUEUED, State.SENDING])),
        sent=Count("pk", filter=Q(state=State.SENT)),
        failed=Count("pk", filter=Q(state=State.FAILED)),
        cancelled=Count("pk", filter=Q(state=State.CANCELLED)),
    )
    return {name: value or 0 for name, value in counts.items()}
