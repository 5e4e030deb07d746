"""The staff workspace over HTTP: creating, editing, questions, scoping to the organisation."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from consult.models import Attachment, Consultation, Question, State
from tests.factories import (
    ConsultationFactory,
    QuestionFactory,
    SectionFactory,
    question_with_choices,
)


def future(days: int) -> str:
    return (timezone.now() + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def consultation_data(**overrides) -> dict[str, object]:
    data = {
        "title_en": "Clean water for every village",
        "summary_en": "How should we bring piped water to remote villages?",
        "title_ms": "Air bersih untuk setiap kampung",
        "mode": "anonymous",
        "time_zone": "Asia/Kuala_Lumpur",
        "opens_at": future(2),
        "closes_at": future(30),
        "outcome_due": (timezone.now() + dt.timedelta(days=60)).date().isoformat(),
        "contact_email": "water@example.gov",
    }
    data.update(overrides)
    return data


def test_editor_creates_a_draft_in_english_and_malay(client_for, editor, organisation):
    client = client_for(editor)

    response = client.post("/en/staff/consultations/new/", consultation_data())

    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert consultation.state == State.DRAFT
    assert consultation.organisation == organisation
    assert consultation.title_ms == "Air bersih untuk setiap kampung"
    assert str(consultation.opens_at.tzinfo) in {"UTC", "Asia/Kuala_Lumpur"}


def test_opening_time_is_read_in_the_chosen_time_zone(client_for, editor):
    data = consultation_data(
        opens_at="2030-01-01T09:00", closes_at="2030-02-01T09:00", outcome_due="2030-03-01"
    )

    client_for(editor).post("/en/staff/consultations/new/", data)

    consultation = Consultation.objects.get()
    assert consultation.opens_at == dt.datetime(2030, 1, 1, 1, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"closes_at": future(1), "opens_at": future(5)},
            "closes_at",
            "The closing time must be after the opening time.",
        ),
        ({"opens_at": "2020-01-01T09:00"}, "opens_at", "The opening time must not be in the past."),
        ({"title_en": ""}, "title_en", "This field is required."),
        ({"summary_en": ""}, "summary_en", "This field is required."),
        ({"opens_at": "not a date"}, "opens_at", "Enter a valid date/time."),
    ],
)
def test_bad_input_is_shown_beside_the_field_and_keeps_what_was_typed(
    client_for, editor, overrides, field, message
):
    data = consultation_data(**overrides)

    response = client_for(editor).post("/en/staff/consultations/new/", data)

    html = response.content.decode()
    assert response.status_code == 200
    assert Consultation.objects.count() == 0
    assert f'id="id_{field}-error"' in html
    assert message in html
    assert f'<a href="#id_{field}">' in html
    assert "Air bersih untuk setiap kampung" in html


def test_bad_input_is_translated(client_for, editor):
    data = consultation_data(closes_at=future(1), opens_at=future(5))

    response = client_for(editor).post("/fr/staff/consultations/new/", data)

    assert "La date de clôture doit être après la date d’ouverture." in response.content.decode()


def test_analyst_cannot_create(client_for, analyst):
    response = client_for(analyst).post("/en/staff/consultations/new/", consultation_data())

    assert response.status_code == 403
    assert Consultation.objects.count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "/en/staff/consultations/{pk}/",
        "/en/staff/consultations/{pk}/edit/",
        "/en/staff/consultations/{pk}/audit/",
        "/en/staff/consultations/{pk}/sections/new/",
        "/en/staff/consultations/{pk}/events/new/",
        "/en/staff/consultations/{pk}/do/schedule/",
    ],
)
def test_editor_of_another_organisation_gets_404_on_drafts(client_for, outsider, organisation, url):
    consultation = ConsultationFactory(organisation=organisation, state=State.DRAFT)

    response = client_for(outsider).get(url.format(pk=consultation.pk))

    assert response.status_code == 404


def test_staff_list_shows_only_own_organisation(
    client_for, editor, organisation, other_organisation
):
    ConsultationFactory(organisation=organisation, title_en="Ours")
    ConsultationFactory(organisation=other_organisation, title_en="Theirs")

    html = client_for(editor).get("/en/staff/consultations/").content.decode()

    assert "Ours" in html
    assert "Theirs" not in html


@pytest.mark.parametrize("count", [1, 20])
def test_staff_list_query_count_is_constant(
    client_for, editor, organisation, count, django_assert_max_num_queries
):
    ConsultationFactory.create_batch(count, organisation=organisation)
    client = client_for(editor)

    with django_assert_max_num_queries(8):
        response = client.get("/en/staff/consultations/")

    assert response.status_code == 200


def test_staff_detail_query_count_is_constant(
    client_for, editor, organisation, django_assert_max_num_queries
):
    consultation = ConsultationFactory(organisation=organisation, state=State.DRAFT)
    for _ in range(5):
        section = SectionFactory(consultation=consultation)
        question_with_choices(section, Question.Kind.SINGLE, ["a", "b", "c"])
        QuestionFactory(section=section)
    client = client_for(editor)

    with django_assert_max_num_queries(17):
        response = client.get(f"/en/staff/consultations/{consultation.pk}/")

    assert response.status_code == 200


def test_add_section_and_choice_question_with_translations(client_for, editor, organisation):
    consultation = ConsultationFactory(organisation=organisation, state=State.DRAFT)
    client = client_for(editor)
    client.post(f"/en/staff/consultations/{consultation.pk}/sections/new/", {"title_en": "Water"})
    section = consultation.sections.get()

    response = client.post(
        f"/en/staff/consultations/{consultation.pk}/sections/{section.pk}/questions/new/",
        {
            "kind": "single",
            "text_en": "Where do you get water?",
            "text_ms": "Dari mana anda mendapat air?",
            "choices_en": "Tap\nWell\nRiver",
            "choices_ms": "Paip\nPerigi\nSungai",
            "max_length": 2000,
            "file_types": "pdf",
            "max_file_mb": 10,
        },
    )

    question = section.questions.get()
    assert response.status_code == 302
    assert [c.label_en for c in question.choices.all()] == ["Tap", "Well", "River"]
    assert [c.label_ms for c in question.choices.all()] == ["Paip", "Perigi", "Sungai"]


def test_translated_choices_must_match_the_english_lines(client_for, editor, organisation):
    consultation = ConsultationFactory(organisation=organisation, state=State.DRAFT)
    section = SectionFactory(consultation=consultation)

    response = client_for(editor).post(
        f"/en/staff/consultations/{consultation.pk}/sections/{section.pk}/questions/new/",
        {
            "kind": "single",
            "text_en": "Where?",
            "choices_en": "Tap\nWell",
            "choices_ms": "Paip",
            "max_length": 2000,
            "file_types": "pdf",
            "max_file_mb": 10,
        },
    )

    assert response.status_code == 200
    assert "Give exactly one line for each English choice (2 lines)." in response.content.decode()
    assert Question.objects.count() == 0


def test_reorder_questions(client_for, editor, organisation):
    consultation = ConsultationFactory(organisation=organisation, state=State.DRAFT)
    section = SectionFactory(consultation=consultation)
    first, second = (
        QuestionFactory(section=section, position=0),
        QuestionFactory(section=section, position=1),
    )

    client_for(editor).post(
        f"/en/staff/consultations/{consultation.pk}/question/{second.pk}/move/up/"
    )

    assert list(section.questions.values_list("pk", flat=True)) == [second.pk, first.pk]


def test_attachment_of_the_wrong_type_is_refused(client_for, editor, organisation):
    consultation = ConsultationFactory(organisation=organisation, state=State.DRAFT)
    upload = SimpleUploadedFile("virus.exe", b"MZ...", content_type="application/octet-stream")

    response = client_for(editor).post(
        f"/en/staff/consultations/{consultation.pk}/documents/new/",
        {"file": upload, "title_en": "Plan", "text_alternative_en": "The plan"},
    )

    assert response.status_code == 200
    assert "The file must be one of:" in response.content.decode()
    assert Attachment.objects.count() == 0


def test_attachment_too_large_is_refused(client_for, editor, organisation, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    consultation = ConsultationFactory(organisation=organisation, state=State.DRAFT)
    upload = SimpleUploadedFile("plan.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024 + 1))

    response = client_for(editor).post(
        f"/en/staff/consultations/{consultation.pk}/documents/new/",
        {"file": upload, "title_en": "Plan", "text_alternative_en": "The plan"},
    )

    assert "The file must be smaller than 10 MB." in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content"),
    [("plan.pdf", b"<html>not a document</html>"), ("map.png", b"%PDF-1.4 not a picture")],
)
def test_attachment_whose_content_is_not_its_type_is_refused(
    client_for, editor, organisation, name, content
):
    consultation = ConsultationFactory(organisation=organisation, state=State.DRAFT)

    response = client_for(editor).post(
        f"/en/staff/consultations/{consultation.pk}/documents/new/",
        {
            "file": SimpleUploadedFile(name, content),
            "title_en": "Plan",
            "text_alternative_en": "The plan in words",
        },
    )

    kind = name.rsplit(".", 1)[1].upper()
    assert f"The file is not a real {kind} file. Choose another file." in response.content.decode()
    assert not Attachment.objects.exists()


def test_attachment_is_stored_with_its_text_alternative(
    client_for, editor, organisation, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    consultation = ConsultationFactory(organisation=organisation, state=State.DRAFT)
    upload = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 test")

    response = client_for(editor).post(
        f"/en/staff/consultations/{consultation.pk}/documents/new/",
        {"file": upload, "title_en": "Plan", "text_alternative_en": "The plan in words"},
    )

    attachment = Attachment.objects.get()
    assert response.status_code == 302
    assert attachment.text_alternative == "The plan in words"
    assert attachment.size == len(b"%PDF-1.4 test")


def test_missing_translations_panel_lists_what_is_missing(client_for, editor, organisation):
    consultation = ConsultationFactory(
        organisation=organisation, state=State.DRAFT, title_ms="Tajuk"
    )
    QuestionFactory(section=SectionFactory(consultation=consultation, title_ms="Bahagian"))

    html = client_for(editor).get(f"/en/staff/consultations/{consultation.pk}/").content.decode()

    assert "Translations" in html
    assert '<th scope="row" lang="ms">Bahasa Melayu</th>' in html
    assert '<th scope="row" lang="ta">தமிழ்</th>' in html


def test_owner_closes_early_with_a_reason_through_the_page(client_for, owner, organisation):
    consultation = ConsultationFactory(organisation=organisation, state=State.OPEN)
    client = client_for(owner)

    empty = client.post(f"/en/staff/consultations/{consultation.pk}/do/close/", {"reason": ""})
    done = client.post(
        f"/en/staff/consultations/{consultation.pk}/do/close/",
        {"reason": "Decision brought forward"},
    )

    consultation.refresh_from_db()
    assert empty.status_code == 200
    assert done.status_code == 302
    assert consultation.state == State.CLOSED


def test_editor_sees_no_close_button_and_is_refused(client_for, editor, organisation):
    consultation = ConsultationFactory(organisation=organisation, state=State.OPEN)
    client = client_for(editor)

    page = client.get(f"/en/staff/consultations/{consultation.pk}/").content.decode()
    response = client.post(f"/en/staff/consultations/{consultation.pk}/do/close/", {"reason": "x"})

    assert "/do/close/" not in page
    assert response.status_code == 403


def test_audit_log_is_for_owners(client_for, owner, editor, organisation):
    consultation = ConsultationFactory(organisation=organisation, state=State.OPEN)

    assert (
        client_for(owner).get(f"/en/staff/consultations/{consultation.pk}/audit/").status_code
        == 200
    )
    assert (
        client_for(editor).get(f"/en/staff/consultations/{consultation.pk}/audit/").status_code
        == 403
    )


def test_editing_a_question_shows_its_choices_one_per_line(client_for, editor, organisation):
    consultation = ConsultationFactory(organisation=organisation, state=State.DRAFT)
    section = SectionFactory(consultation=consultation)
    question = question_with_choices(section, Question.Kind.SINGLE, ["Tap", "Well"])

    response = client_for(editor).get(
        f"/en/staff/consultations/{consultation.pk}/sections/{section.pk}/questions/{question.pk}/"
    )

    assert response.status_code == 200
    assert "Tap\nWell</textarea>" in response.content.decode()


def test_documents_are_served_publicly_only_once_the_consultation_is_public(
    client, client_for, editor, outsider, organisation, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    draft = ConsultationFactory(organisation=organisation, state=State.DRAFT)
    client_for(editor).post(
        f"/en/staff/consultations/{draft.pk}/documents/new/",
        {
            "file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan"),
            "title_en": "The plan",
            "text_alternative_en": "The plan in words",
        },
    )
    url = f"/en/consultations/{draft.slug}/documents/{Attachment.objects.get().pk}/"

    hidden = client.get(url)
    outsider_view = client_for(outsider).get(url)
    staff_view = client_for(editor).get(url)
    Consultation.objects.filter(pk=draft.pk).update(state=State.OPEN)
    public_view = client.get(url)

    assert (hidden.status_code, outsider_view.status_code) == (404, 404)
    assert b"".join(staff_view.streaming_content) == b"%PDF-1.4 plan"
    assert public_view.status_code == 200
    assert public_view["Content-Disposition"].startswith('inline; filename="the-plan.pdf"')


def test_editing_in_malay_keeps_the_malay_translations(client_for, editor, organisation):
    consultation = ConsultationFactory(organisation=organisation, state=State.DRAFT)
    section = SectionFactory(consultation=consultation)
    question = question_with_choices(section, Question.Kind.SINGLE, ["Tap", "Well"])
    client = client_for(editor)

    client.post(
        f"/ms/staff/consultations/{consultation.pk}/edit/",
        consultation_data(title_ms="Air bersih", opens_at=future(2)),
    )
    client.post(
        f"/ms/staff/consultations/{consultation.pk}/sections/{section.pk}/questions/{question.pk}/",
        {
            "kind": "single",
            "text_en": "Where?",
            "text_ms": "Di mana?",
            "choices_en": "Tap\nWell",
            "choices_ms": "Paip\nPerigi",
            "max_length": 2000,
            "file_types": "pdf",
            "max_file_mb": 10,
        },
    )

    consultation.refresh_from_db()
    question.refresh_from_db()
    assert (consultation.title_en, consultation.title_ms) == (
        "Clean water for every village",
        "Air bersih",
    )
    assert (question.text_en, question.text_ms) == ("Where?", "Di mana?")
    assert [(c.label_en, c.label_ms) for c in question.choices.all()] == [
        ("Tap", "Paip"),
        ("Well", "Perigi"),
    ]
