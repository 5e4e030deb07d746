"""The follow-up survey: one-time links, anonymous responses, idempotent invitations."""

import pytest
from django.urls import reverse

from consult.models import State
from outcomes.follow_up import follow_up_invitations_create, follow_up_respond
from outcomes.models import FollowUpInvitation, FollowUpResponse
from tests.factories import ConsultationFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

ANSWERS = {"felt_heard": "4", "fair": "5", "clear": "3", "reflects": "2", "what_should_change": "More meetings in the villages"}  # fmt: skip


@pytest.fixture
def consultation(organisation):
    return ConsultationFactory(organisation=organisation, state=State.OUTCOME_PUBLISHED)


@pytest.fixture
def invitation(consultation):
    participant = ParticipantFactory()
    return follow_up_invitations_create(consultation=consultation, participants=[participant]).get()


def survey_url(token: str, lang: str = "en") -> str:
    from django.utils import translation

    with translation.override(lang):
        return reverse("outcomes:follow_up", kwargs={"token": token})


def test_invitations_create_is_idempotent(consultation):
    participants = [ParticipantFactory() for _ in range(3)]

    first = follow_up_invitations_create(consultation=consultation, participants=participants)
    tokens = sorted(first.values_list("token", flat=True))
    again = follow_up_invitations_create(
        consultation=consultation, participants=[*participants, ParticipantFactory()]
    )

    assert FollowUpInvitation.objects.count() == 4
    assert set(tokens) <= set(again.values_list("token", flat=True))


def test_invitations_create_takes_a_queryset(consultation):
    ParticipantFactory.create_batch(2)
    from feedback.models import Participant

    invitations = follow_up_invitations_create(
        consultation=consultation, participants=Participant.objects.all()
    )

    assert invitations.count() == 2


def test_survey_page_shows_four_scales_and_a_text_box(client, invitation):
    response = client.get(survey_url(invitation.token))

    assert response.status_code == 200
    assert response.text.count("<legend") == 4
    assert 'name="what_should_change"' in response.text


def test_survey_page_is_translated(client, invitation):
    response = client.get(survey_url(invitation.token, "ms"))

    assert response.status_code == 200
    assert 'lang="ms"' in response.text


def test_survey_submit_stores_a_response_without_the_person(client, invitation):
    response = client.post(survey_url(invitation.token, "ms"), ANSWERS)

    assert response.status_code == 200
    stored = FollowUpResponse.objects.get()
    assert (stored.felt_heard, stored.fair, stored.clear, stored.reflects) == (4, 5, 3, 2)
    assert (stored.language, stored.consultation_id) == ("ms", invitation.consultation_id)
    assert not hasattr(stored, "participant_id")
    invitation.refresh_from_db()
    assert invitation.used_at is not None


def test_survey_double_submit_stores_one_response(client, invitation):
    client.post(survey_url(invitation.token), ANSWERS)
    second = client.post(survey_url(invitation.token), ANSWERS)

    assert FollowUpResponse.objects.count() == 1
    assert "This link has already been used" in second.text


def test_survey_used_link_shows_a_clear_page(client, invitation):
    follow_up_respond(token=invitation.token, answers={"fair": 3}, language="en")

    response = client.get(survey_url(invitation.token))

    assert response.status_code == 200
    assert "This link has already been used" in response.text
    assert "<form" not in response.text.split("<main", 1)[1]


def test_survey_unknown_token_is_a_clear_404(client):
    response = client.get(survey_url("not-a-token"))

    assert response.status_code == 404
    assert "We cannot find this survey" in response.text


def test_survey_with_nothing_answered_shows_an_error(client, invitation):
    response = client.post(survey_url(invitation.token), {})

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert FollowUpResponse.objects.count() == 0
    invitation.refresh_from_db()
    assert invitation.used_at is None


def test_survey_refuses_a_value_off_the_scale(client, invitation):
    response = client.post(survey_url(invitation.token), {"fair": "9"})

    assert "There is a problem" in response.text
    assert FollowUpResponse.objects.count() == 0


def test_respond_twice_with_the_service_stores_one_response(invitation):
    first = follow_up_respond(token=invitation.token, answers={"fair": 4}, language="en")
    second = follow_up_respond(token=invitation.token, answers={"fair": 4}, language="en")

    assert (first is not None, second) == (True, None)
    assert FollowUpResponse.objects.count() == 1
