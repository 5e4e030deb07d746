"""Messages hung on events: closing, the outcome, commitments, the follow-up survey; and the
purge of contact details. Only those who consented hear anything, each message once."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from consult import services as consult_services
from consult.models import State
from feedback.models import Consent, ContactDetails, Submission
from notifications import services as notification_services
from notifications.models import Message
from outcomes import messaging
from outcomes.models import Commitment, CommitmentFollower, FollowUpInvitation, Report
from outcomes.services import commitment_update_status
from tests.factories import ConsultationFactory, sent_response


def participant(consultation, *, email="", phone="", consents=(), language="en"):
    submission = sent_response(consultation, language=language)
    person = submission.participant
    person.language = language
    person.save(update_fields=["language"])
    if email or phone:
        ContactDetails.objects.create(participant=person, email=email, phone=phone)
    for purpose in consents:
        Consent.objects.create(participant=person, purpose=purpose, wording="…", language=language)
    return person


@pytest.fixture
def open_consultation(organisation):
    return ConsultationFactory(
        organisation=organisation, title_en="Clean water", title_ms="Air bersih", state=State.OPEN
    )


def close(consultation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        consult_services.consultation_close(consultation=consultation)


def test_closing_tells_only_those_who_asked_in_their_language(
    open_consultation, django_capture_on_commit_callbacks
):
    news = Consent.Purpose.OUTCOME_NEWS
    participant(open_consultation, email="amir@example.org", consents=[news], language="ms")
    participant(open_consultation, email="no-consent@example.org")
    participant(open_consultation, consents=[news])  # no way to reach them
    participant(
        open_consultation, email="survey-only@example.org", consents=[Consent.Purpose.FOLLOW_UP]
    )

    close(open_consultation, django_capture_on_commit_callbacks)

    assert [message.to for message in mail.outbox] == [["amir@example.org"]]
    assert "Air bersih" in mail.outbox[0].subject
    assert "4" in mail.outbox[0].body  # how many people took part
    assert mail.outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_closing_twice_sends_nothing_more(open_consultation, django_capture_on_commit_callbacks):
    participant(
        open_consultation, email="amir@example.org", consents=[Consent.Purpose.OUTCOME_NEWS]
    )
    close(open_consultation, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        moved = consult_services.consultation_transition(
            consultation=open_consultation, action="close", actor=None, check_permission=False
        )

    assert moved is False
    assert len(mail.outbox) == 1
    assert Message.objects.count() == 1


def test_outbox_does_not_store_the_private_link_token(
    open_consultation, django_capture_on_commit_callbacks
):
    person = participant(
        open_consultation, email="amir@example.org", consents=[Consent.Purpose.OUTCOME_NEWS]
    )

    close(open_consultation, django_capture_on_commit_callbacks)

    message = Message.objects.get()
    assert person.token not in message.recipient
    assert person.token not in message.text
    assert person.token not in message.html


def test_unsubscribed_participant_hears_nothing(
    open_consultation, django_capture_on_commit_callbacks
):
    from feedback.messaging import recipient_key

    person = participant(
        open_consultation, email="amir@example.org", consents=[Consent.Purpose.OUTCOME_NEWS]
    )
    notification_services.suppression_create(
        recipient=recipient_key(person), scope=f"consultation:{open_consultation.pk}"
    )

    close(open_consultation, django_capture_on_commit_callbacks)

    assert mail.outbox == []


def publish(consultation, owner, django_capture_on_commit_callbacks):
    from outcomes.services import report_publish

    Report.objects.update_or_create(
        consultation=consultation, defaults={"summary_en": "We will pipe water to 40 villages."}
    )
    with django_capture_on_commit_callbacks(execute=True):
        report_publish(consultation=consultation, actor=owner)


def test_publishing_the_outcome_tells_participants_with_a_link_to_the_report(
    open_consultation, owner, django_capture_on_commit_callbacks
):
    participant(
        open_consultation, email="amir@example.org", consents=[Consent.Purpose.OUTCOME_NEWS]
    )
    close(open_consultation, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    publish(open_consultation, owner, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    assert f"/en/consultations/{open_consultation.slug}/outcome/" in mail.outbox[0].body
    assert "We will pipe water to 40 villages." in mail.outbox[0].body


def test_commitment_status_change_tells_its_followers_only(
    open_consultation, owner, django_capture_on_commit_callbacks
):
    news = Consent.Purpose.OUTCOME_NEWS
    follower = participant(open_consultation, email="follower@example.org")
    participant(open_consultation, email="other@example.org", consents=[news])
    close(open_consultation, django_capture_on_commit_callbacks)
    commitment = Commitment.objects.create(
        consultation=open_consultation,
        action_en="Pipe water to 40 villages",
        responsible_body="Water board",
    )
    CommitmentFollower.objects.create(commitment=commitment, participant=follower)
    publish(open_consultation, owner, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        commitment_update_status(
            commitment=commitment, actor=owner, status=Commitment.Status.IN_PROGRESS
        )

    assert [message.to for message in mail.outbox] == [["follower@example.org"]]
    assert "Pipe water to 40 villages" in mail.outbox[0].body


def test_follow_up_survey_is_sent_after_n_days_with_a_working_one_time_link(
    client, open_consultation, owner, django_capture_on_commit_callbacks
):
    participant(
        open_consultation,
        email="amir@example.org",
        consents=[Consent.Purpose.FOLLOW_UP],
        language="ms",
    )
    close(open_consultation, django_capture_on_commit_callbacks)
    publish(open_consultation, owner, django_capture_on_commit_callbacks)
    published = Report.objects.get(consultation=open_consultation).published_at

    with django_capture_on_commit_callbacks(execute=True):
        early = messaging.follow_up_surveys_start(now=published + dt.timedelta(days=13))
        due = messaging.follow_up_surveys_start(now=published + dt.timedelta(days=14))
        again = messaging.follow_up_surveys_start(now=published + dt.timedelta(days=15))

    invitation = FollowUpInvitation.objects.get()
    assert (early, due, again) == (0, 1, 0)
    assert len(mail.outbox) == 1
    assert f"/ms/follow-up/{invitation.token}/" in mail.outbox[0].body
    assert client.get(f"/ms/follow-up/{invitation.token}/").status_code == 200


def test_purge_forgets_contact_details_after_retention_but_keeps_opinions(
    open_consultation, owner, django_capture_on_commit_callbacks, settings
):
    person = participant(
        open_consultation, email="amir@example.org", consents=[Consent.Purpose.OUTCOME_NEWS]
    )
    close(open_consultation, django_capture_on_commit_callbacks)
    publish(open_consultation, owner, django_capture_on_commit_callbacks)
    published = Report.objects.get(consultation=open_consultation).published_at
    retention = 14 + settings.FOLLOW_UP_SURVEY_DAYS + settings.CONTACT_RETENTION_DAYS

    kept = messaging.contact_details_purge(now=published + dt.timedelta(days=retention - 1))
    purged = messaging.contact_details_purge(now=published + dt.timedelta(days=retention + 1))

    assert (kept, purged) == (0, 1)
    assert not ContactDetails.objects.filter(participant=person).exists()
    assert Submission.objects.filter(participant=person, state="submitted").count() == 1
    assert Message.objects.filter(address="amir@example.org").count() == 0


def test_due_consultations_close_on_time_and_tell_participants(
    organisation, django_capture_on_commit_callbacks
):
    consultation = ConsultationFactory(
        organisation=organisation,
        state=State.OPEN,
        opens_at=timezone.now() - dt.timedelta(days=3),
        closes_at=timezone.now() - dt.timedelta(minutes=1),
    )
    participant(consultation, email="amir@example.org", consents=[Consent.Purpose.OUTCOME_NEWS])

    with django_capture_on_commit_callbacks(execute=True):
        consult_services.consultations_advance_due()

    assert len(mail.outbox) == 1


def test_outcome_message_links_to_following_commitments_which_then_bring_updates(
    client, open_consultation, owner, django_capture_on_commit_callbacks
):
    import re

    participant(
        open_consultation, email="amir@example.org", consents=[Consent.Purpose.OUTCOME_NEWS]
    )
    commitment = Commitment.objects.create(
        consultation=open_consultation, action_en="Dig ten wells", responsible_body="Water board"
    )
    close(open_consultation, django_capture_on_commit_callbacks)
    publish(open_consultation, owner, django_capture_on_commit_callbacks)
    follow_path = re.search(r"http://[^/]+(/en/follow/\S+/)", mail.outbox[-1].body).group(1)

    page = client.get(follow_path)
    saved = client.post(follow_path, {"commitments": [str(commitment.pk)]})
    forged = client.get("/en/follow/not-a-signature/")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        commitment_update_status(commitment=commitment, actor=owner, status=Commitment.Status.DONE)

    assert "Dig ten wells" in page.content.decode()
    assert saved.status_code == 302
    assert forged.status_code == 404
    assert [message.to for message in mail.outbox] == [["amir@example.org"]]
