"""The citizen form: every kind of question, drafts, submitting, modes, withdraw and change."""

import datetime as dt
import re
import uuid

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from consult.models import Consultation, Question, State
from feedback.models import Answer, Consent, ContactDetails, Monitoring, Submission
from tests.factories import (
    ConsultationFactory,
    QuestionFactory,
    SectionFactory,
    TargetGroupFactory,
    consultation_with_every_kind,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the shared cache: start every test from zero."""
    cache.clear()


def q(consultation: Consultation, text: str) -> Question:
    return Question.objects.get(section__consultation=consultation, text_en=text)


def choice_id(question: Question, label: str) -> str:
    return str(question.choices.get(label_en=label).pk)


def start(client, consultation: Consultation, lang: str = "en") -> Submission:
    response = client.post(
        f"/{lang}/take-part/{consultation.slug}/", {"idempotency_key": str(uuid.uuid4())}
    )
    assert response.status_code == 302
    submission = Submission.objects.get(consultation=consultation)
    assert response["Location"] == (
        f"/{lang}/take-part/{consultation.slug}/r/{submission.participant.token}/section/1/"
    )
    return submission


def url(submission: Submission, step: str, lang: str = "en") -> str:
    return (
        f"/{lang}/take-part/{submission.consultation.slug}/r/{submission.participant.token}/{step}"
    )


def first_page(consultation: Consultation, **overrides) -> dict:
    data = {
        f"q{q(consultation, 'What matters most to you?').pk}": "Clean water",
        f"q{q(consultation, 'How do you travel?').pk}": choice_id(
            q(consultation, "How do you travel?"), "Bus"
        ),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def consultation():
    return consultation_with_every_kind(slug="water")


@pytest.fixture
def draft(client, consultation):
    return start(client, consultation)


# Each kind of question ---------------------------------------------------------------


def test_section_page_shows_progress_and_every_question(client, draft):
    response = client.get(url(draft, "section/1/"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Page 1 of 4" in html
    assert html.count('class="field') >= 4
    assert 'name="website"' not in html  # no honeypot on question pages


def test_required_questions_left_blank_show_the_error_summary(client, consultation, draft):
    text = q(consultation, "What matters most to you?")

    response = client.post(url(draft, "section/1/"), {})

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert f'href="#id_q{text.pk}"' in html
    assert "Enter your answer" in html
    assert "Select an answer" in html
    assert Answer.objects.count() == 0


def test_text_longer_than_the_limit_is_refused_and_kept(client, consultation, draft):
    text = q(consultation, "What matters most to you?")
    long = "x" * 501

    response = client.post(
        url(draft, "section/1/"), first_page(consultation, **{f"q{text.pk}": long})
    )

    html = response.content.decode()
    assert "Your answer must be 500 characters or fewer" in html
    assert long in html


def test_invalid_choice_is_refused(client, consultation, draft):
    single = q(consultation, "How do you travel?")

    response = client.post(
        url(draft, "section/1/"), first_page(consultation, **{f"q{single.pk}": "999999"})
    )

    assert "Select an answer" in response.content.decode()
    assert Answer.objects.count() == 0


def test_other_without_text_is_refused(client, consultation, draft):
    multiple = q(consultation, "What worries you?")

    response = client.post(
        url(draft, "section/1/"), first_page(consultation, **{f"q{multiple.pk}": ["other"]})
    )

    assert "Say what your &quot;Other&quot; answer is" in response.content.decode()


def test_first_page_saves_choices_and_other_text(client, consultation, draft):
    multiple = q(consultation, "What worries you?")
    scale = q(consultation, "How good is the service?")
    data = first_page(
        consultation,
        **{
            f"q{multiple.pk}": [choice_id(multiple, "Cost"), "other"],
            f"q{multiple.pk}_other": "Floods",
            f"q{scale.pk}": choice_id(scale, "Good"),
        },
    )

    response = client.post(url(draft, "section/1/"), data)

    assert response.status_code == 302
    assert response["Location"] == url(draft, "section/2/")
    answer = Answer.objects.get(question=multiple)
    assert answer.other_text == "Floods"
    assert [s.choice.label for s in answer.selections.all()] == ["Cost"]
    assert Answer.objects.get(question=scale).selections.get().choice.label == "Good"


def second_page(consultation, **overrides) -> dict:
    ranking = q(consultation, "Rank these priorities")
    yes_no = q(consultation, "Do you support the plan?")
    number = q(consultation, "How many people live in your home?")
    data = {
        f"q{ranking.pk}_0": "2",
        f"q{ranking.pk}_1": "1",
        f"q{ranking.pk}_2": "3",
        f"q{yes_no.pk}": "yes",
        f"q{yes_no.pk}_reason": "It helps the village",
        f"q{number.pk}": "4",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_ranking_stores_ranks_in_order(client, consultation, draft):
    ranking = q(consultation, "Rank these priorities")

    response = client.post(url(draft, "section/2/"), second_page(consultation))

    assert response.status_code == 302
    answer = Answer.objects.get(question=ranking)
    assert [(s.choice.label, s.rank) for s in answer.selections.order_by("rank")] == [
        ("Clinics", 1),
        ("Schools", 2),
        ("Roads", 3),
    ]


def test_ranking_with_the_same_rank_twice_is_refused(client, consultation, draft):
    ranking = q(consultation, "Rank these priorities")

    response = client.post(
        url(draft, "section/2/"), second_page(consultation, **{f"q{ranking.pk}_1": "2"})
    )

    html = response.content.decode()
    assert "Give each item a different rank" in html
    assert f'href="#id_q{ranking.pk}_0"' in html
    assert f'id="id_q{ranking.pk}_0"' in html


def test_yes_no_stores_the_answer_and_reason(client, consultation, draft):
    yes_no = q(consultation, "Do you support the plan?")

    client.post(url(draft, "section/2/"), second_page(consultation))

    answer = Answer.objects.get(question=yes_no)
    assert (answer.yes_no, answer.text) == (True, "It helps the village")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "Enter a number of 1 or more"),
        ("51", "Enter a number of 50 or less"),
        ("lots", "Enter a number, like 12 or 3.5"),
    ],
)
def test_number_outside_limits_is_refused(client, consultation, draft, typed, message):
    number = q(consultation, "How many people live in your home?")

    response = client.post(
        url(draft, "section/2/"), second_page(consultation, **{f"q{number.pk}": typed})
    )

    assert message in response.content.decode()
    assert Answer.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "size", "message"),
    [
        ("virus.exe", 10, "The file must be one of these types: JPG, PNG, MP3, M4A"),
        ("big.jpg", 5 * 1024 * 1024 + 1, "The file must be smaller than 5 MB"),
    ],
)
def test_file_of_wrong_type_or_size_is_refused(client, consultation, draft, name, size, message):
    upload = q(consultation, "Upload a photo or voice note")
    data = second_page(consultation)
    data[f"q{upload.pk}"] = SimpleUploadedFile(name, b"x" * size)

    response = client.post(url(draft, "section/2/"), data)

    assert message in response.content.decode()


# The first bytes of a JPEG photo (JFIF).
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", b"<html><script>alert(1)</script></html>"),
        ("photo.jpg", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"),  # a program
        ("voice.mp3", b"%PDF-1.4 a document, not a voice note"),
    ],
)
def test_file_whose_content_is_not_its_type_is_refused_and_nothing_is_stored(
    client, consultation, draft, name, content
):
    upload = q(consultation, "Upload a photo or voice note")
    data = second_page(consultation)
    data[f"q{upload.pk}"] = SimpleUploadedFile(name, content)

    response = client.post(url(draft, "section/2/"), data)

    kind = name.rsplit(".", 1)[1].upper()
    assert f"The file is not a real {kind} file. Choose another file." in response.content.decode()
    assert not Answer.objects.filter(question=upload).exists()


def test_file_of_allowed_type_is_stored_under_a_random_name(
    client, consultation, draft, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    upload = q(consultation, "Upload a photo or voice note")
    data = second_page(consultation)
    data[f"q{upload.pk}"] = SimpleUploadedFile("my-name.jpg", JPEG)

    client.post(url(draft, "section/2/"), data)

    stored = Answer.objects.get(question=upload).file.name
    assert stored.startswith(f"answers/{upload.pk}/")
    assert "my-name" not in stored


# Drafts, check, submit -----------------------------------------------------------------


def test_draft_resumes_from_the_private_link_with_answers_kept(client, consultation, draft):
    client.post(url(draft, "section/1/"), first_page(consultation))
    other_device = type(client)()

    resumed = other_device.get(url(draft, ""))
    page = other_device.get(url(draft, "section/1/"))

    assert resumed.status_code == 200
    assert "Continue where you left off" in resumed.content.decode()
    assert "Clean water" in page.content.decode()
    assert resumed["Cache-Control"].startswith("max-age=0")


def test_unknown_token_gets_404(client, consultation, draft):
    response = client.get(f"/en/take-part/{consultation.slug}/r/not-a-token/section/1/")

    assert response.status_code == 404


def test_submit_with_a_required_answer_missing_changes_nothing(client, consultation, draft):
    single = q(consultation, "How do you travel?")
    client.post(url(draft, "section/1/"), first_page(consultation, **{f"q{single.pk}": None}))
    text = q(consultation, "What matters most to you?")
    Answer.objects.create(submission=draft, question=text, text="Only this")

    response = client.post(url(draft, "check/"), {"idempotency_key": str(uuid.uuid4())})

    draft.refresh_from_db()
    assert response.status_code == 400
    assert f'href="#answer-q{single.pk}"' in response.content.decode()
    assert draft.state == Submission.State.DRAFT


def complete(client, consultation, submission, *, contact=None):
    client.post(url(submission, "section/1/"), first_page(consultation))
    client.post(url(submission, "section/2/"), second_page(consultation))
    client.post(url(submission, "about-you/"), {})
    client.post(url(submission, "contact/"), contact or {"language": "en"})
    return client.post(url(submission, "check/"), {"idempotency_key": str(uuid.uuid4())})


def test_complete_response_gets_a_reference_and_private_link(client, consultation, draft):
    response = complete(client, consultation, draft)

    draft.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == url(draft, "done/")
    done = client.get(response["Location"]).content.decode()
    assert draft.state == Submission.State.SUBMITTED
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", draft.reference)
    assert draft.reference in done
    assert draft.participant.token in done


def test_submitting_twice_keeps_one_submission(client, consultation, draft):
    complete(client, consultation, draft)
    first = Submission.objects.get().submitted_at

    again = client.post(url(draft, "check/"), {"idempotency_key": str(uuid.uuid4())})

    assert again.status_code == 302
    assert Submission.objects.get().submitted_at == first


def test_double_click_on_start_makes_one_draft(client, consultation):
    key = str(uuid.uuid4())

    first = client.post(f"/en/take-part/{consultation.slug}/", {"idempotency_key": key})
    second = client.post(f"/en/take-part/{consultation.slug}/", {"idempotency_key": key})

    assert Submission.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_check_page_change_link_returns_to_check(client, consultation, draft):
    client.post(url(draft, "section/1/"), first_page(consultation))

    response = client.post(url(draft, "section/1/") + "?change=1", first_page(consultation))

    assert response["Location"] == url(draft, "check/")


# About you, contact and consent --------------------------------------------------------


def test_about_you_needs_its_own_consent(client, consultation, draft):
    response = client.post(url(draft, "about-you/"), {"age_band": "25_34"})

    assert "Tick the box to agree" in response.content.decode()
    assert Monitoring.objects.count() == 0


def test_about_you_is_stored_apart_with_consent(client, draft):
    group = TargetGroupFactory(name_en="Older persons")
    draft.consultation.target_groups.add(group)

    response = client.post(
        url(draft, "about-you/"),
        {
            "consent": "on",
            "age_band": "65_plus",
            "groups": [str(group.pk)],
            "disability": "prefer_not",
        },
    )

    monitoring = Monitoring.objects.get(submission=draft)
    assert response.status_code == 302
    assert (monitoring.age_band, monitoring.disability) == ("65_plus", "prefer_not")
    assert list(monitoring.groups.all()) == [group]
    assert Consent.objects.get(purpose="monitoring").wording.startswith("I agree")


def test_contact_consents_are_unticked_and_recorded_with_wording(
    client, draft, django_capture_on_commit_callbacks
):
    page = client.get(url(draft, "contact/")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url(draft, "contact/"),
            {"email": "siti@example.org", "outcome_news": "on", "language": "ms"},
        )

    assert "checked" not in page
    consent = Consent.objects.get()
    assert (consent.purpose, consent.wording) == (
        "outcome_news",
        "Tell me the outcome of this consultation",
    )
    assert ContactDetails.objects.get().email == "siti@example.org"
    assert len(mail.outbox) == 1
    assert draft.participant.token in mail.outbox[0].body


def test_unticking_a_consent_withdraws_it(client, draft):
    client.post(url(draft, "contact/"), {"email": "a@example.org", "follow_up": "on"})

    client.post(url(draft, "contact/"), {"email": "a@example.org"})

    consent = Consent.objects.get()
    assert consent.withdrawn_at is not None


# Modes and closing ---------------------------------------------------------------------


def test_email_confirmed_mode_sends_a_link_and_counts_apart(
    client, django_capture_on_commit_callbacks
):
    consultation = consultation_with_every_kind(mode=Consultation.Mode.EMAIL_CONFIRMED)
    submission = start(client, consultation)
    missing_email = client.post(url(submission, "contact/"), {"language": "en"})

    with django_capture_on_commit_callbacks(execute=True):
        complete(client, consultation, submission, contact={"email": "a@example.org"})

    submission.refresh_from_db()
    assert "Enter your email address" in missing_email.content.decode()
    assert submission.awaits_confirmation
    assert list(Submission.objects.unconfirmed()) == [submission]
    assert list(Submission.objects.confirmed()) == []
    link = re.search(r"http\S+/confirm/\S+/", mail.outbox[-1].body).group(0)
    path = link.split("127.0.0.1:8000", 1)[-1]
    assert client.get(path).status_code == 200
    client.post(path)
    submission.refresh_from_db()
    assert submission.email_confirmed_at is not None
    assert list(Submission.objects.confirmed()) == [submission]


def test_a_wrong_confirmation_link_confirms_nothing(client, draft):
    response = client.post(url(draft, "confirm/not-a-signature/"))

    draft.refresh_from_db()
    assert response.status_code == 400
    assert draft.email_confirmed_at is None


def test_assisted_only_consultation_explains_other_ways(client):
    consultation = ConsultationFactory(mode=Consultation.Mode.ASSISTED_ONLY)

    get = client.get(f"/en/take-part/{consultation.slug}/")
    post = client.post(
        f"/en/take-part/{consultation.slug}/", {"idempotency_key": str(uuid.uuid4())}
    )

    assert "facilitator" in get.content.decode()
    assert post.status_code == 200
    assert Submission.objects.count() == 0


def test_closed_consultation_shows_a_clear_page_and_takes_nothing(client):
    consultation = ConsultationFactory(state=State.CLOSED)

    response = client.post(
        f"/en/take-part/{consultation.slug}/", {"idempotency_key": str(uuid.uuid4())}
    )

    assert "has closed" in response.content.decode()
    assert Submission.objects.count() == 0


def test_draft_consultation_is_404(client):
    consultation = ConsultationFactory(state=State.DRAFT)

    assert client.get(f"/en/take-part/{consultation.slug}/").status_code == 404


def test_closing_stops_changes_through_the_private_link(client, consultation, draft):
    complete(client, consultation, draft)
    Consultation.objects.filter(pk=consultation.pk).update(state=State.CLOSED)

    response = client.post(url(draft, "section/1/"), first_page(consultation))

    assert response["Location"] == url(draft, "")
    assert "has closed" in client.get(url(draft, "")).content.decode()


def test_change_after_sending_updates_the_answer(client, consultation, draft):
    complete(client, consultation, draft)
    text = q(consultation, "What matters most to you?")

    client.post(url(draft, "section/1/"), first_page(consultation, **{f"q{text.pk}": "Schools"}))

    assert Answer.objects.get(question=text).text == "Schools"
    assert Submission.objects.get().state == Submission.State.SUBMITTED


def test_withdraw_needs_confirmation_then_withdraws(client, consultation, draft):
    complete(client, consultation, draft)

    unconfirmed = client.post(url(draft, "withdraw/"), {})
    client.post(url(draft, "withdraw/"), {"confirm": "on"})

    draft.refresh_from_db()
    assert "Tick the box to confirm" in unconfirmed.content.decode()
    assert draft.state == Submission.State.WITHDRAWN
    assert list(Submission.objects.submitted()) == []


# Abuse ---------------------------------------------------------------------------------


def test_honeypot_filled_in_makes_nothing(client, consultation):
    response = client.post(
        f"/en/take-part/{consultation.slug}/",
        {"idempotency_key": str(uuid.uuid4()), "website": "http://spam.example"},
    )

    assert response.status_code == 400
    assert Submission.objects.count() == 0


def test_too_many_starts_from_one_address_get_a_429_page(client, consultation, settings):
    settings.FEEDBACK_RATE_LIMITS = {"per_address": 2, "per_consultation": 100, "window": 60}
    codes = [
        client.post(
            f"/en/take-part/{consultation.slug}/", {"idempotency_key": str(uuid.uuid4())}
        ).status_code
        for _n in range(3)
    ]

    assert codes == [302, 302, 429]
    assert Submission.objects.count() == 2


def test_signed_in_facilitator_is_never_rate_limited(
    client_for, facilitator, consultation, settings
):
    settings.FEEDBACK_RATE_LIMITS = {"per_address": 1, "per_consultation": 1, "window": 60}
    client = client_for(facilitator)

    codes = [
        client.post(
            f"/en/take-part/{consultation.slug}/", {"idempotency_key": str(uuid.uuid4())}
        ).status_code
        for _n in range(3)
    ]

    assert codes == [302, 302, 302]


def test_a_too_large_request_is_refused(client, draft, settings):
    settings.FEEDBACK_MAX_REQUEST_BYTES = 100

    response = client.post(url(draft, "section/1/"), {"x": "y" * 200})

    assert response.status_code == 413


def test_a_section_without_questions_still_lets_people_continue(client):
    consultation = ConsultationFactory()
    section = SectionFactory(consultation=consultation)
    QuestionFactory(section=section, kind=Question.Kind.TEXT)
    SectionFactory(consultation=consultation)
    submission = start(client, consultation)

    response = client.post(url(submission, "section/2/"), {})

    assert response["Location"] == url(submission, "about-you/")


def test_closing_time_passed_but_state_open_still_allows_the_beat_to_close(client):
    consultation = ConsultationFactory(closes_at=timezone.now() + dt.timedelta(minutes=1))

    assert client.get(f"/en/take-part/{consultation.slug}/").status_code == 200


def test_check_page_after_sending_offers_no_second_send(client, consultation, draft):
    complete(client, consultation, draft)

    html = client.get(url(draft, "check/")).content.decode()

    assert "Your response has been sent" in html
    assert 'name="idempotency_key"' not in html
