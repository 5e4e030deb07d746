"""The submissions API: partner tokens, idempotency, throttling, the web form's messages."""

import uuid

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import Organisation
from consult.models import Consultation, Question, State
from feedback.forms import MESSAGES
from feedback.models import Answer, Submission
from tests.factories import OrganisationFactory, consultation_with_every_kind, partner_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


@pytest.fixture
def consultation(organisation):
    return consultation_with_every_kind(organisation=organisation, slug="water")


@pytest.fixture
def api(organisation):
    key, _token = partner_token(organisation)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def q(consultation: Consultation, text: str) -> Question:
    return Question.objects.get(section__consultation=consultation, text_en=text)


def body(consultation: Consultation, **changes) -> dict:
    single = q(consultation, "How do you travel?")
    ranking = q(consultation, "Rank these priorities")
    items = {c.label: c.pk for c in ranking.choices.all()}
    answers = {
        "What matters most to you?": {"value": "Air bersih"},
        "How do you travel?": {"value": single.choices.get(label_en="Train").pk},
        "What worries you?": {"value": ["other"], "other": "Banjir"},
        "Rank these priorities": {"value": [items["Roads"], items["Schools"], items["Clinics"]]},
        "Do you support the plan?": {"value": True, "reason": "Baik"},
        "How many people live in your home?": {"value": 5},
    }
    answers.update(changes)
    return {
        "consultation": consultation.slug,
        "language": "ms",
        "answers": [
            {"question": q(consultation, text).pk, **answer}
            for text, answer in answers.items()
            if answer is not None
        ],
    }


def post(api, data, key=None):
    return api.post(
        "/api/v1/submissions/", data, format="json", HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4())
    )


def test_api_submission_is_stored_with_channel_api(api, consultation, organisation):
    response = post(api, body(consultation))

    submission = Submission.objects.get()
    assert response.status_code == 201
    assert response.json() == {
        "reference": submission.reference,
        "consultation": "water",
        "channel": "api",
        "state": "submitted",
        "language": "ms",
        "submitted_at": response.json()["submitted_at"],
    }
    assert submission.entered_for == organisation
    assert Answer.objects.get(question=q(consultation, "What worries you?")).other_text == "Banjir"


def test_api_without_a_token_is_refused(consultation):
    response = APIClient().post("/api/v1/submissions/", body(consultation), format="json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_api_with_a_wrong_or_revoked_token_is_refused(consultation, organisation):
    key, token = partner_token(organisation)
    token.revoked_at = token.created_at
    token.save()
    revoked = APIClient()
    revoked.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Token not-a-key")

    assert post(revoked, body(consultation)).status_code == 401
    assert post(wrong, body(consultation)).status_code == 401


def test_api_refuses_a_key_revoked_or_a_consultation_closed_within_the_reuse_window(
    consultation, organisation, monkeypatch, settings
):
    """A web process reuses a checked key and the consultation for API_REUSE_SECONDS."""
    settings.API_REUSE_SECONDS = 5
    clock = [1000.0]
    monkeypatch.setattr("feedback.queries.time.monotonic", lambda: clock[0])
    key, token = partner_token(organisation)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert post(client, body(consultation)).status_code == 201

    token.revoked_at = token.created_at
    token.save()
    clock[0] += 4
    still_reused = post(client, body(consultation)).status_code
    clock[0] += 2
    refused = post(client, body(consultation)).status_code

    other_key, _token = partner_token(organisation)
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {other_key}")
    assert post(other, body(consultation)).status_code == 201
    Consultation.objects.filter(pk=consultation.pk).update(state=State.CLOSED)
    clock[0] += 6

    assert (still_reused, refused) == (201, 401)
    assert post(other, body(consultation)).status_code == 409
    assert Submission.objects.count() == 3


def test_api_token_of_another_organisation_gets_404(consultation):
    key, _token = partner_token(OrganisationFactory())
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = post(other, body(consultation))

    assert response.status_code == 404
    assert Submission.objects.count() == 0


def test_api_token_of_an_invited_partner_may_submit(consultation):
    partner = OrganisationFactory(kind=Organisation.Kind.CIVIL_SOCIETY)
    consultation.partners.add(partner)
    key, _token = partner_token(partner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert post(client, body(consultation)).status_code == 201


def test_api_retried_with_the_same_key_returns_the_same_submission(api, consultation):
    key = str(uuid.uuid4())

    first = post(api, body(consultation), key)
    second = post(api, body(consultation), key)

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["reference"] == second.json()["reference"]
    assert Submission.objects.count() == 1


def test_api_without_an_idempotency_key_is_refused(api, consultation):
    response = api.post("/api/v1/submissions/", body(consultation), format="json")

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]


def test_api_idempotency_key_may_be_a_field(api, consultation):
    data = {**body(consultation), "idempotency_key": str(uuid.uuid4())}

    api.post("/api/v1/submissions/", data, format="json")
    api.post("/api/v1/submissions/", data, format="json")

    assert Submission.objects.count() == 1


def test_api_gives_the_web_forms_messages_per_question(api, consultation):
    text = q(consultation, "What matters most to you?")
    number = q(consultation, "How many people live in your home?")
    single = q(consultation, "How do you travel?")

    response = post(
        api,
        body(
            consultation,
            **{
                "What matters most to you?": {"value": "x" * 501},
                "How many people live in your home?": {"value": 99},
                "How do you travel?": {"value": 123456},
            },
        ),
    )

    assert response.status_code == 400
    assert response.json() == {
        "answers": {
            str(text.pk): ["Your answer must be 500 characters or fewer"],
            str(single.pk): ["Select an answer"],
            str(number.pk): ["Enter a number of 50 or less"],
        }
    }
    assert Submission.objects.count() == 0
    # The process shares the built fields between requests: nothing carries over.
    assert post(api, body(consultation)).status_code == 201
    again = post(api, body(consultation, **{"How many people live in your home?": {"value": 0}}))
    assert again.json() == {"answers": {str(number.pk): ["Enter a number of 1 or more"]}}


def test_api_messages_follow_the_language(api, consultation):
    response = api.post(
        "/api/v1/submissions/",
        body(consultation, **{"What matters most to you?": None}),
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        HTTP_ACCEPT_LANGUAGE="fr",
    )

    with translation.override("fr"):
        expected = str(MESSAGES["enter"])
    assert response.status_code == 400
    assert list(response.json()["answers"].values()) == [[expected]]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ([], {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
        ({"consultation": "water"}, {"answers": ["This field is required."]}),
        (
            {"consultation": "water", "answers": "all good"},
            {"answers": {"non_field_errors": ['Expected a list of items but got type "str".']}},
        ),
        (
            {"consultation": "water", "answers": [{"value": 1}, {"question": 1}]},
            {"answers": {"0": {"question": ["This field is required."]}}},
        ),
    ],
)
def test_api_says_what_is_wrong_with_the_body_itself(api, consultation, body, expected):
    response = post(api, body)

    assert response.status_code == 400
    assert response.json() == expected
    assert not Submission.objects.exists()


def test_api_refuses_a_question_of_another_consultation(api, consultation):
    other = consultation_with_every_kind(organisation=consultation.organisation)
    stray = Question.objects.filter(section__consultation=other).first()
    data = body(consultation)
    data["answers"].append({"question": stray.pk, "value": "x"})

    response = post(api, data)

    assert response.json()["answers"][str(stray.pk)] == [
        "This is not a question of this consultation."
    ]


def test_api_refuses_a_closed_consultation(api, consultation):
    Consultation.objects.filter(pk=consultation.pk).update(state=State.CLOSED)

    response = post(api, body(consultation))

    assert response.status_code == 409


def test_api_is_throttled_per_token(api, consultation, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"submissions": "2/min"},
    }
    from rest_framework.settings import api_settings

    from feedback.api import PartnerRateThrottle

    api_settings.reload()
    PartnerRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        codes = [post(api, body(consultation)).status_code for _n in range(3)]
    finally:
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"submissions": "600/min"},
        }
        api_settings.reload()
        PartnerRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES

    assert codes == [201, 201, 429]


def test_throttle_counter_is_shared_and_expires(api, consultation):
    from feedback.api import PartnerRateThrottle
    from feedback.models import PartnerToken

    throttle = PartnerRateThrottle()
    token = PartnerToken.objects.get()

    for _n in range(2):
        assert post(api, body(consultation)).status_code == 201

    window = int(throttle.timer() // throttle.duration)
    key = f"throttle_submissions_token-{token.pk}:{window}"
    assert cache.get(key) == 2  # every web process counts on the one counter
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        ttl = backend._cache.get_client().ttl(backend.make_key(key))
        assert throttle.duration < ttl <= 2 * throttle.duration


def test_api_takes_submissions_while_the_cache_is_down(api, consultation, settings):
    # Nothing listens on port 1: the throttle's counter cannot be reached.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }

    response = post(api, body(consultation))

    assert response.status_code == 201
    assert Submission.objects.get().reference == response.json()["reference"]


def test_api_submission_takes_at_most_ten_queries(api, consultation, django_assert_max_num_queries):
    data = body(consultation)

    with django_assert_max_num_queries(10):
        response = post(api, data)

    assert response.status_code == 201


def test_api_submission_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/?format=json").json()

    operation = schema["paths"]["/api/v1/submissions/"]["post"]
    assert operation["operationId"] == "submissions_create"
    assert {"partnerToken": []} in operation["security"]
    assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
    assert set(operation["responses"]) >= {"200", "201", "400", "401", "404", "409", "429"}


def test_partner_token_command_prints_a_working_key(consultation, organisation):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("partner_token", organisation.slug, "Kiosk", stdout=out)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().strip()}")

    assert post(client, body(consultation)).status_code == 201
