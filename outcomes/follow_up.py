"""The follow-up survey: one-time invitations and anonymous responses.

A response is stored without any link to the person (only the consultation and the
language); the invitation is marked used in the same transaction, so a link works once
and a double submit stores one response.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.services import audit_record
from consult.models import Consultation
from feedback.models import Participant
from outcomes.models import FollowUpInvitation, FollowUpResponse

SCALES = ("felt_heard", "fair", "clear", "reflects")


@transaction.atomic
def follow_up_invitations_create(
    *, consultation: Consultation, participants: Iterable[Participant] | QuerySet[Participant]
) -> QuerySet[FollowUpInvitation]:
    """Invitations of the participants to the consultation's survey, made where missing.

    Idempotent: a participant already invited keeps the same token. Returns the invitations
    of all the participants given. Side effects: invitation rows, one audit entry.
    """
    if isinstance(participants, QuerySet):
        ids = list(participants.values_list("pk", flat=True))
    else:
        ids = [participant.pk for participant in participants]
    created = FollowUpInvitation.objects.bulk_create(
        (FollowUpInvitation(consultation=consultation, participant_id=pk) for pk in ids),
        ignore_conflicts=True,
        batch_size=1000,
    )
    invitations = FollowUpInvitation.objects.filter(
        consultation=consultation, participant_id__in=ids
    )
    audit_record(
        actor=None,
        organisation=consultation.organisation,
        action="follow_up.invite",
        obj=consultation,
        participants=len(ids),
        batch=len(created),
    )
    return invitations


def invitation_for(token: str) -> FollowUpInvitation | None:
    """The invitation with this token, whether used or not; None if there is none."""
    return FollowUpInvitation.objects.select_related("consultation").filter(token=token).first()


@transaction.atomic
def follow_up_respond(
    *, token: str, answers: dict[str, object], language: str
) -> FollowUpResponse | None:
    """Store a response and use up the invitation; None if the link is unknown or used.

    Side effects: response row (not linked to the participant), invitation marked used.
    """
    invitation = (
        FollowUpInvitation.objects.select_for_update()
        .filter(token=token, used_at__isnull=True)
        .first()
    )
    if invitation is None:
        return None
    response = FollowUpResponse.objects.create(
        consultation_id=invitation.consultation_id,
        language=language,
        what_should_change=(answers.get("what_should_change") or "").strip(),
        **{name: answers.get(name) for name in SCALES},
    )
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    return response
