"""Messages about outcomes: the report, commitments people follow, the follow-up survey;
and the purge of contact details once nothing more will be sent.

Sends go through the notifications outbox, started in the transaction of the event that
causes them (publishing, a status change) or by a daily beat task (the follow-up survey
N days after the outcome, the purge after the retention period).
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.dispatch import receiver
from django.utils import timezone

from consult.models import Consultation, State
from consult.signals import consultation_transitioned
from feedback.messaging import (
    absolute_url,
    consenting,
    consultation_subject,
    page_of,
    participant_specs,
    recipient_key,
)
from feedback.models import Consent, ContactDetails, Participant
from notifications import services as notifications
from notifications.models import FanOut
from notifications.specs import FanOutPage, fan_out_source
from outcomes.following import follow_signature
from outcomes.models import CommitmentFollower, CommitmentUpdate, Report

logger = logging.getLogger(__name__)


def _report_url(consultation: Consultation, language: str) -> str:
    return absolute_url("outcomes:report", language, slug=consultation.slug)


@fan_out_source
def outcome_messages(*, after: int, limit: int, consultation_id: int) -> FanOutPage:
    """What was decided, with a link to the report: to those who asked for the outcome."""
    consultation = Consultation.objects.select_related("report").get(pk=consultation_id)
    participants = page_of(consenting(consultation_id, Consent.Purpose.OUTCOME_NEWS), after, limit)

    def links(participant: Participant, language: str) -> dict:
        signature = follow_signature(participant_id=participant.pk, consultation_id=consultation_id)
        return {
            "report_url": _report_url(consultation, language),
            "follow_url": absolute_url("outcomes:follow", language, signature=signature),
        }

    specs = participant_specs(
        participants,
        purpose="outcome",
        subject_key=consultation_subject(consultation_id),
        template="messages/outcome",
        context={
            "summary": consultation.report.summary,
            "commitments": consultation.commitments.count(),
        },
        consultation=consultation,
        extra=links,
    )
    return FanOutPage(messages=specs, next_after=participants[-1].pk if participants else None)


@receiver(consultation_transitioned, dispatch_uid="outcomes.outcome_messages")
def on_outcome_published(sender, consultation: Consultation, from_state, to_state, **kwargs):
    """Publishing the outcome: start telling participants, in the publishing transaction."""
    if to_state == State.OUTCOME_PUBLISHED:
        notifications.fan_out_start(
            key=f"outcome:consultation:{consultation.pk}",
            source="outcomes.messaging.outcome_messages",
            kwargs={"consultation_id": consultation.pk},
        )


@fan_out_source
def commitment_messages(*, after: int, limit: int, update_id: int) -> FanOutPage:
    """A commitment's new status: to the participants who chose to follow it."""
    update = CommitmentUpdate.objects.select_related("commitment__consultation").get(pk=update_id)
    commitment = update.commitment
    consultation = commitment.consultation
    followers = Participant.objects.filter(
        pk__in=CommitmentFollower.objects.filter(commitment=commitment).values("participant_id"),
        contact_details__isnull=False,
    )
    participants = page_of(followers, after, limit)
    specs = participant_specs(
        participants,
        purpose=f"commitment:{update.pk}",
        subject_key=consultation_subject(consultation.pk),
        template="messages/commitment",
        context={"commitment": commitment, "note": update.note},
        consultation=consultation,
        extra=lambda participant, language: {"report_url": _report_url(consultation, language)},
    )
    return FanOutPage(messages=specs, next_after=participants[-1].pk if participants else None)


def commitment_status_changed(*, update: CommitmentUpdate) -> None:
    """Queue "follow this commitment" messages; call inside the status change's transaction."""
    if update.commitment.consultation.state in (State.OUTCOME_PUBLISHED, State.ARCHIVED):
        notifications.fan_out_start(
            key=f"commitment:update:{update.pk}",
            source="outcomes.messaging.commitment_messages",
            kwargs={"update_id": update.pk},
        )


@fan_out_source
def follow_up_messages(*, after: int, limit: int, consultation_id: int) -> FanOutPage:
    """The follow-up survey's one-time link: to those who agreed to be asked."""
    from outcomes.follow_up import follow_up_invitations_create

    consultation = Consultation.objects.get(pk=consultation_id)
    participants = page_of(consenting(consultation_id, Consent.Purpose.FOLLOW_UP), after, limit)
    invitations = {
        invitation.participant_id: invitation
        for invitation in follow_up_invitations_create(
            consultation=consultation, participants=participants
        )
    }
    specs = participant_specs(
        participants,
        purpose="follow_up_survey",
        subject_key=consultation_subject(consultation_id),
        template="messages/follow_up",
        context={},
        consultation=consultation,
        extra=lambda participant, language: {
            "survey_url": absolute_url(
                "outcomes:follow_up", language, token=invitations[participant.pk].token
            )
        },
    )
    return FanOutPage(messages=specs, next_after=participants[-1].pk if participants else None)


def follow_up_surveys_start(*, now: dt.datetime | None = None) -> int:
    """Start the follow-up survey of every consultation whose outcome is N days old."""
    now = now or timezone.now()
    due = Report.objects.filter(
        published_at__isnull=False,
        consultation__state__in=[State.OUTCOME_PUBLISHED, State.ARCHIVED],
        published_at__lte=now - dt.timedelta(days=1) * F("consultation__follow_up_days"),
    ).values_list("consultation_id", flat=True)
    started = 0
    for consultation_id in due:
        key = f"follow_up:consultation:{consultation_id}"
        if FanOut.objects.filter(key=key).exists():
            continue
        with transaction.atomic():
            notifications.fan_out_start(
                key=key,
                source="outcomes.messaging.follow_up_messages",
                kwargs={"consultation_id": consultation_id},
            )
        started += 1
    return started


def contact_details_purge(*, now: dt.datetime | None = None) -> int:
    """Forget contact details once the follow-up survey has closed and the retention passed.

    Opinions stay, and stay counted: only ContactDetails rows go, and the copies of addresses
    in messages already sent are blanked. Returns how many participants were forgotten.
    """
    now = now or timezone.now()
    after_publication = settings.FOLLOW_UP_SURVEY_DAYS + settings.CONTACT_RETENTION_DAYS
    finished = Report.objects.filter(
        published_at__isnull=False,
        published_at__lte=now
        - dt.timedelta(days=1) * (F("consultation__follow_up_days") + after_publication),
    ).values("consultation_id")
    # A participant keeps their details while any consultation of theirs is still running.
    still_needed = Participant.objects.filter(
        ~Q(submissions__consultation_id__in=finished), submissions__isnull=False
    ).values("pk")
    forgotten = ContactDetails.objects.filter(
        participant__submissions__consultation_id__in=finished
    ).exclude(participant_id__in=still_needed)
    participants = list(Participant.objects.filter(contact_details__in=forgotten).distinct())
    with transaction.atomic():
        count, _ = ContactDetails.objects.filter(participant__in=participants).delete()
        notifications.messages_redact(recipients=[recipient_key(p) for p in participants])
    if count:
        logger.info("purged contact details of %s participants", count)
    return count


def locked(name: str, seconds: int) -> bool:
    """Take a beat task's lock for a while; False when another run holds it.

    The lock simply expires: these tasks are idempotent, the lock only stops two beats
    doing the same work at once.
    """
    return bool(cache.add(f"lock:{name}", "1", seconds))
