"""Participants choose which commitments to follow, from a signed link in the outcome message.

The link carries a signed participant id, not the private token of their response, so a
message in the outbox cannot be used to change or withdraw what they said.
"""

from django.core import signing
from django.db import transaction
from django.db.models import QuerySet

from feedback.models import Participant
from outcomes.models import Commitment, CommitmentFollower

SALT = "outcomes.follow-commitments"


def follow_signature(*, participant_id: int, consultation_id: int) -> str:
    return signing.dumps([participant_id, consultation_id], salt=SALT, compress=True)


def follow_target(signature: str) -> tuple[Participant, int] | None:
    """The participant and consultation a follow link is for, or None if it is not genuine."""
    try:
        participant_id, consultation_id = signing.loads(signature, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    participant = Participant.objects.filter(pk=participant_id).first()
    return (participant, consultation_id) if participant else None


def commitments_to_follow(consultation_id: int) -> QuerySet[Commitment]:
    return Commitment.objects.filter(
        consultation_id=consultation_id, consultation__report__published_at__isnull=False
    )


@transaction.atomic
def commitments_follow(
    *, participant: Participant, consultation_id: int, commitment_ids: set[int]
) -> None:
    """Follow exactly the chosen commitments of one consultation. Side effects: follower rows."""
    available = set(commitments_to_follow(consultation_id).values_list("pk", flat=True))
    chosen = commitment_ids & available
    CommitmentFollower.objects.filter(
        participant=participant, commitment_id__in=available - chosen
    ).delete()
    CommitmentFollower.objects.bulk_create(
        [CommitmentFollower(participant=participant, commitment_id=pk) for pk in chosen],
        ignore_conflicts=True,
    )
