"""Bad input: the API against its own OpenAPI schema, and hostile text, types and uploads on
the citizen form and the submission API.

- Schemathesis generates requests for every operation of `/api/schema/` and checks that no
  response is a 5xx and that every response (status code and body) matches the schema.
- Hypothesis throws any Unicode (RTL marks, zero-width joiners, emoji, combining marks), very
  long text, wrong types and malformed uploads at the citizen form and the submission API:
  the answer is always a 4xx (or the form shown again with its errors), with the message in
  the page's language, and nothing partial is stored.

Case counts are printed (run with `-s` to see them) for the closing note.

Every response is validated in full against the schema (status code and body); the common
error answers are added to every operation by `config.api_schema`. Django REST framework's
own messages are translated through `config/drf_messages.py` (it has no Malay catalogue).
"""

import re
import uuid
from collections import Counter

import pytest
import schemathesis
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.core.validators import ProhibitNullCharactersValidator
from django.db import close_old_connections
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from consult.models import Consultation, Question
from feedback.forms import MESSAGES
from feedback.models import Answer, AnswerChoice, Submission
from tests.factories import EventFactory, consultation_with_every_kind, partner_token

CASES: Counter[str] = Counter()


def report(label: str) -> None:
    print(f"\n[bad input] {label}: {CASES[label]} generated cases")
    for outcome in sorted(key for key in CASES if key.startswith(f"{label}, ")):
        print(f"[bad input]   answered {outcome.rsplit(', ', 1)[1]}: {CASES[outcome]}")


# Schemathesis --------------------------------------------------------------------------


def _load_schema():
    """The schema as the site serves it, fetched through the WSGI application."""
    from django.test import override_settings

    from config.wsgi import application

    with override_settings(ALLOWED_HOSTS=["localhost"]):  # schemathesis' WSGI host
        return schemathesis.openapi.from_wsgi("/api/schema/", application)


schema = _load_schema()
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture
def partner_key(db, organisation, settings):
    """A public consultation (and an event) for the API to return, and a partner key."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    cache.clear()
    consultation = consultation_with_every_kind(organisation=organisation, slug="clean-water")
    EventFactory(consultation=consultation)
    key, _token = partner_token(organisation)
    # As Django's test client does: the test's transaction must outlive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield key
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_answers_every_generated_request_within_its_schema(case, partner_key):
    """No 5xx; every response matches the schema, its status code and its body."""
    CASES["schemathesis"] += 1
    response = case.call(headers={"Authorization": f"Token {partner_key}"})
    assert response.status_code < 500, f"{case.method} {case.path} → {response.status_code}"
    case.validate_response(response, checks=CHECKS)


def test_schemathesis_case_count():
    """Runs after the generated tests: the count for the closing note."""
    assert CASES["schemathesis"], "run it with the generated tests above, which it counts"
    report("schemathesis")
    assert CASES["schemathesis"] >= 100


# Hypothesis: hostile text, wrong types and malformed uploads ------------------------------

# Characters that break naive code: right-to-left and left-to-right marks and overrides,
# zero-width joiners and spaces, a byte-order mark, emoji sequences, combining marks.
TRICKY = [
    "\u200f",
    "\u200e",
    "\u202e",
    "\u200d",
    "\u200b",
    "\ufeff",
    "👩\u200d👩\u200d👧",
    "🇲🇾",
    "e\u0301",
    "Z\u0337\u0322a\u0336l\u0337g\u0338o\u0334",
    "مرحبا",
    "水",
    "\x00",
    "\r\n",
    "<script>",
    "' OR 1=1 --",
    "=1+1",
]
tricky_text = st.lists(st.one_of(st.sampled_from(TRICKY), st.text(max_size=12)), max_size=40).map(
    "".join
)
long_text = st.builds(
    lambda unit, repeat: unit * repeat,
    st.sampled_from(["x", "ب\u200f", "👩\u200d👧", "e\u0301"]),
    st.integers(min_value=200, max_value=4000),
)
any_text = st.one_of(tricky_text, long_text, st.text(max_size=600))
# What a form field may receive: text, numbers written as text, several values for one.
form_value = st.one_of(
    any_text,
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["NaN", "Infinity", "-0", "1e400", "١٢", "12,5", "", "other", "yes"]),
    st.lists(st.text(max_size=8), min_size=2, max_size=4),
)

MS_PROBLEM = "Ada masalah"  # "There is a problem", the error summary's heading in Malay


def malay_messages() -> list[str]:
    """The form's messages in Malay, from the catalogue, as a page shows them (escaped)."""
    with translation.override("ms"):
        messages = [str(message) for message in MESSAGES.values()]
        messages.append(str(ProhibitNullCharactersValidator.message))
        messages.append("Jawapan anda mesti tidak melebihi")  # "…must be N characters or fewer"
        messages.append("Fail mesti")  # "The file must be …"
        messages.append("Masukkan nombor")  # "Enter a number of N or more/less"
    assert "Masukkan jawapan anda" in messages  # the catalogue is compiled and loaded
    return [escape(message) for message in messages]


EXAMPLES = 40


@pytest.fixture
def consultation(db, organisation):
    cache.clear()
    return consultation_with_every_kind(organisation=organisation, slug="water")


def question(consultation: Consultation, text: str) -> Question:
    return Question.objects.get(section__consultation=consultation, text_en=text)


def draft_in_malay(client: Client, consultation: Consultation) -> str:
    response = client.post(
        f"/ms/take-part/{consultation.slug}/", {"idempotency_key": str(uuid.uuid4())}
    )
    assert response.status_code == 302, response.status_code
    return response["Location"].rsplit("section/", 1)[0]


def stored() -> tuple[int, int, int]:
    return Submission.objects.count(), Answer.objects.count(), AnswerChoice.objects.count()


def assert_refused_in_malay(response) -> None:
    html = response.content.decode()
    assert response.status_code in (200, 400), response.status_code
    assert MS_PROBLEM in html
    errors = re.findall(r'class="error-message">(.*?)</p>', html, re.S)
    assert errors, "an invalid page shows its errors beside the fields"
    assert any(message in html for message in malay_messages()), errors


def test_citizen_form_first_page_takes_any_text_and_wrong_types(consultation):
    client = Client()
    private = draft_in_malay(client, consultation)
    text = question(consultation, "What matters most to you?")
    single = question(consultation, "How do you travel?")
    multiple = question(consultation, "What worries you?")
    valid_choice = str(single.choices.first().pk)

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
    @given(
        answer=any_text,
        travel=st.one_of(st.just(valid_choice), st.just(valid_choice), form_value),
        worries=st.one_of(st.just([]), st.just(["other"]), form_value),
        other=any_text,
    )
    def post(answer, travel, worries, other):
        CASES["hypothesis: citizen form, first page"] += 1
        data = {
            f"q{text.pk}": answer,
            f"q{single.pk}": travel,
            f"q{multiple.pk}": worries,
            f"q{multiple.pk}_other": other,
        }
        Answer.objects.filter(question__in=[text, single, multiple]).delete()
        before = stored()

        response = client.post(f"{private}section/1/", data)

        CASES[f"hypothesis: citizen form, first page, {response.status_code}"] += 1
        if response.status_code == 302:  # every answer valid: stored whole, as typed
            saved = Answer.objects.get(question=text)
            assert saved.text == answer.strip()
            assert len(saved.text) <= 500 and "\x00" not in saved.text
            assert Submission.objects.get().state == "draft"
        else:
            assert_refused_in_malay(response)
            assert stored() == before
        if len(answer.strip()) > 500:
            assert response.status_code != 302
            assert "Jawapan anda mesti tidak melebihi 500 aksara" in response.content.decode()

    post()
    report("hypothesis: citizen form, first page")


UPLOAD_NAMES = st.sampled_from(
    ["photo.jpg", "voice.MP3", "virus.exe", "photo.jpg.exe", "noextension", ".png", "x" * 300]
)
UPLOAD_SIZES = st.sampled_from([0, 1, 2048, 5 * 1024 * 1024 + 1])
UPLOAD_TYPES = st.sampled_from(["image/jpeg", "application/x-msdownload", "text/html", ""])


def test_citizen_form_second_page_refuses_bad_numbers_ranks_and_uploads(
    consultation, settings_media
):
    client = Client()
    private = draft_in_malay(client, consultation)
    ranking = question(consultation, "Rank these priorities")
    yes_no = question(consultation, "Do you support the plan?")
    number = question(consultation, "How many people live in your home?")
    upload = question(consultation, "Upload a photo or voice note")
    items = len(ranking.choices.all())

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
    @given(
        ranks=st.lists(form_value, min_size=items, max_size=items),
        support=form_value,
        reason=any_text,
        people=form_value,
        file=st.one_of(st.none(), st.tuples(UPLOAD_NAMES, UPLOAD_SIZES, UPLOAD_TYPES)),
    )
    def post(ranks, support, reason, people, file):
        CASES["hypothesis: citizen form, second page"] += 1
        data = {f"q{ranking.pk}_{i}": rank for i, rank in enumerate(ranks)}
        data.update({f"q{yes_no.pk}": support, f"q{yes_no.pk}_reason": reason})
        data[f"q{number.pk}"] = people
        if file is not None:
            name, size, content_type = file
            data[f"q{upload.pk}"] = SimpleUploadedFile(name, b"\xff" * size, content_type)
        Answer.objects.filter(question__in=[ranking, yes_no, number, upload]).delete()
        before = stored()

        response = client.post(f"{private}section/2/", data)
        CASES[f"hypothesis: citizen form, second page, {response.status_code}"] += 1

        if response.status_code == 302:
            assert Submission.objects.get().state == "draft"
            saved = Answer.objects.filter(question=upload).first()
            if saved is not None and saved.file:
                assert saved.file.name.rsplit(".", 1)[-1].lower() in {"jpg", "png", "mp3", "m4a"}
        else:
            assert_refused_in_malay(response)
            assert stored() == before
        if file is not None and (file[1] == 0 or file[1] > 5 * 1024 * 1024):
            assert response.status_code != 302, f"accepted a {file[1]}-byte upload"
        if file is not None and file[0].rsplit(".", 1)[-1].lower() not in {"jpg", "mp3"}:
            assert response.status_code != 302, f"accepted {file[0]!r}"

    post()
    report("hypothesis: citizen form, second page")


@pytest.fixture
def settings_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# The submission API, in Malay -------------------------------------------------------------

json_value = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        any_text,
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@pytest.fixture
def malay_api(organisation):
    key, _token = partner_token(organisation)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="ms")
    return client


def valid_answers(consultation: Consultation) -> dict[int, object]:
    single = question(consultation, "How do you travel?")
    return {
        question(consultation, "What matters most to you?").pk: "Air bersih",
        single.pk: single.choices.first().pk,
    }


def test_submission_api_refuses_wrong_types_in_malay_and_stores_nothing(consultation, malay_api):
    answers = valid_answers(consultation)
    ids = [q.pk for q in Question.objects.filter(section__consultation=consultation)]
    english = [
        str(m) for m in ("Enter your answer", "Select an answer", "Enter a number, like 12 or 3.5")
    ]

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
    @given(
        target=st.one_of(st.sampled_from(ids), json_value),
        value=json_value,
        extra=st.dictionaries(st.sampled_from(["other", "reason", "value"]), json_value),
        language=st.one_of(st.none(), json_value),
    )
    def post(target, value, extra, language):
        CASES["hypothesis: submission API"] += 1
        items = [{"question": pk, "value": v} for pk, v in answers.items() if pk != target]
        items.append({"question": target, "value": value, **extra})
        body = {"consultation": consultation.slug, "answers": items}
        if language is not None:
            body["language"] = language
        before = stored()

        response = malay_api.post(
            "/api/v1/submissions/", body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
        )

        assert response.status_code in (201, 400), (response.status_code, response.content)
        CASES[f"hypothesis: submission API, {response.status_code}"] += 1
        if response.status_code == 400:
            assert stored() == before
            text = response.content.decode()
            assert not any(message in text for message in english), text
        else:
            assert stored()[0] == before[0] + 1

    post()
    report("hypothesis: submission API")


def test_submission_api_stores_any_text_whole_or_refuses_it_in_malay(consultation, malay_api):
    text = question(consultation, "What matters most to you?")
    answers = valid_answers(consultation)

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
    @given(answer=any_text)
    def post(answer):
        CASES["hypothesis: submission API, text"] += 1
        body = {
            "consultation": consultation.slug,
            "language": "ms",
            "answers": [
                {"question": pk, "value": answer if pk == text.pk else v}
                for pk, v in answers.items()
            ],
        }
        before = stored()

        response = malay_api.post(
            "/api/v1/submissions/", body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
        )

        CASES[f"hypothesis: submission API, text, {response.status_code}"] += 1
        if response.status_code == 201:
            reference = response.json()["reference"]
            saved = Answer.objects.get(submission__reference=reference, question=text)
            assert saved.text == answer.strip()
        else:
            assert response.status_code == 400, response.status_code
            assert stored() == before
            messages = response.json()["answers"][str(text.pk)]
            if len(answer.strip()) > 500:
                assert "Jawapan anda mesti tidak melebihi 500 aksara" in messages
            else:
                assert messages, response.json()

    post()
    report("hypothesis: submission API, text")


def test_submission_api_type_errors_are_in_malay(consultation, malay_api):
    body = {"consultation": consultation.slug, "answers": [{"question": "abc"}]}

    response = malay_api.post(
        "/api/v1/submissions/", body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )

    assert response.status_code == 400
    assert "Masukkan nombor bulat yang sah." in response.content.decode()


def test_submission_api_yes_no_given_a_list_is_a_400_in_malay(consultation, malay_api):
    """Found by hypothesis: a list for a yes/no answer was a 500 (unhashable in a dict)."""
    support = question(consultation, "Do you support the plan?")
    answers = [{"question": pk, "value": v} for pk, v in valid_answers(consultation).items()]
    body = {
        "consultation": consultation.slug,
        "answers": [*answers, {"question": support.pk, "value": ["yes"]}],
    }
    before = stored()

    response = malay_api.post(
        "/api/v1/submissions/", body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )

    assert response.status_code == 400
    assert response.json() == {"answers": {str(support.pk): ["Pilih satu jawapan"]}}
    assert stored() == before


@pytest.mark.parametrize(
    ("name", "size", "content_type", "message"),
    [
        ("virus.exe", 10, "application/x-msdownload", "Fail mesti salah satu daripada jenis ini"),
        ("photo.jpg.exe", 10, "image/jpeg", "Fail mesti salah satu daripada jenis ini"),
        ("big.jpg", 5 * 1024 * 1024 + 1, "image/jpeg", "Fail mesti lebih kecil daripada 5 MB"),
        ("empty.jpg", 0, "image/jpeg", "Pilih fail untuk dimuat naik"),
    ],
)
def test_malformed_upload_is_refused_in_malay_and_nothing_stored(
    consultation, settings_media, name, size, content_type, message
):
    client = Client()
    private = draft_in_malay(client, consultation)
    upload = question(consultation, "Upload a photo or voice note")
    before = stored()

    response = client.post(
        f"{private}section/2/",
        {f"q{upload.pk}": SimpleUploadedFile(name, b"\xff" * size, content_type)},
    )

    assert_refused_in_malay(response)
    assert message in response.content.decode()
    assert stored() == before
    assert list(settings_media.rglob("*.*")) == []
