"""Messages to participants about their consultation, through the notifications outbox.

Only participants who gave the matching consent, have not withdrawn it and left a way to
reach them get anything; notifications drops anyone who unsubscribed. Audiences are paged
through a fan-out source, so a consultation with 100,000 participants is told in batches.
"""

from collections.abc import Callable

from django.conf import settings
from django.db.models import QuerySet
from django.dispatch import receiver
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import salted_hmac

from consult.models import Consultation, State
from consult.signals import consultation_transitioned
from feedback.models import Consent, Participant, Submission
from notifications import services as notifications
from notifications.specs import FanOutPage, MessageSpec, fan_out_source


def recipient_key(participant: Participant) -> str:
    """The participant's name in the outbox: stable, but not their private link token,
    which would let anyone reading the outbox change or withdraw the response.

    SHA-1 named explicitly: the keys already in the outbox and in unsubscribe records must
    stay the same when Django's default changes (a keyed HMAC, so SHA-1 is still sound)."""
    key = salted_hmac("feedback.messaging.recipient", participant.token, algorithm="sha1")
    return key.hexdigest()[:40]


def consultation_subject(consultation_id: int) -> str:
    """The unsubscribe scope of everything about one consultation."""
    return f"consultation:{consultation_id}"


def consenting(consultation_id: int, purpose: str) -> QuerySet[Participant]:
    """Participants of a consultation who consented to `purpose` and can be reached."""
    return Participant.objects.filter(
        submissions__consultation_id=consultation_id,
        submissions__state=Submission.State.SUBMITTED,
        consents__purpose=purpose,
        consents__withdrawn_at__isnull=True,
        contact_details__isnull=False,
    ).distinct()


def absolute_url(name: str, language: str, **kwargs) -> str:
    with translation.override(language):
        return settings.SITE_URL + reverse(name, kwargs=kwargs)


def participant_specs(
    participants: list[Participant],
    *,
    purpose: str,
    subject_key: str,
    template: str,
    context: dict,
    consultation: Consultation,
    extra: Callable[[Participant, str], dict] | None = None,
) -> list[MessageSpec]:
    """One message per participant: email if they gave one, otherwise SMS.

    `extra(participant, language)` adds context of the participant's own (a personal link).
    """
    specs = []
    for participant in participants:
        contact = participant.contact_details
        channel, address = ("email", contact.email) if contact.email else ("sms", contact.phone)
        if not address:
            continue
        language = participant.language or settings.LANGUAGE_CODE
        specs.append(
            MessageSpec(
                recipient=recipient_key(participant),
                channel=channel,
                address=address,
                purpose=purpose,
                subject_key=subject_key,
                language=language,
                template=template,
                context={
                    **context,
                    "consultation": consultation,
                    "consultation_url": absolute_url(
                        "consult:detail", language, slug=consultation.slug
                    ),
                    **(extra(participant, language) if extra else {}),  # nosec B610 - a callback named extra, not QuerySet.extra
                },
            )
        )
    return specs


def page_of(queryset: QuerySet[Participant], after: int, limit: int) -> list[Participant]:
    return list(
        queryset.filter(pk__gt=after).select_related("contact_details").order_by("pk")[:limit]
    )


@fan_out_source
def closing_messages(
    *, after: int, limit: int, consultation_id: int, taking_part: int
) -> FanOutPage:
    """Thanks, how many took part, and when the outcome is due: to those who asked for news."""
    consultation = Consultation.objects.get(pk=consultation_id)
    participants = page_of(consenting(consultation_id, Consent.Purpose.OUTCOME_NEWS), after, limit)
    specs = participant_specs(
        participants,
        purpose="closing",
        subject_key=consultation_subject(consultation_id),
        template="messages/closing",
        context={"taking_part": taking_part},
        consultation=consultation,
    )
    return FanOutPage(messages=specs, next_after=participants[-1].pk if participants else None)


@receiver(consultation_transitioned, dispatch_uid="feedback.closing_messages")
def on_consultation_closed(sender, consultation: Consultation, from_state, to_state, **kwargs):
    """Closing: start telling participants, in the same transaction as the closing."""
    if to_state == State.CLOSED and from_state == State.OPEN:
        notifications.fan_out_start(
            key=f"closing:consultation:{consultation.pk}",
            source="feedback.messaging.closing_messages",
            # Counted once, at closing, so every page of the send tells the same figure.
            kwargs={
                "consultation_id": consultation.pk,
                "taking_part": Submission.objects.confirmed()
                .filter(consultation_id=consultation.pk)
                .count(),
            },
        )
