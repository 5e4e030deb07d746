"""Facilitators: who may enter responses, assisted entry, late paper, CSV import."""

import csv
import datetime as dt
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import AuditEntry, Organisation, Role
from consult.models import Consultation, Question, State
from feedback import rules
from feedback.models import Answer, Submission
from tests.conftest import make_member
from tests.factories import OrganisationFactory, consultation_with_every_kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(organisation):
    return consultation_with_every_kind(organisation=organisation, slug="water")


def q(consultation: Consultation, text: str) -> Question:
    return Question.objects.get(section__consultation=consultation, text_en=text)


def entry(consultation: Consultation, **overrides) -> dict:
    text = q(consultation, "What matters most to you?")
    single = q(consultation, "How do you travel?")
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "received_via": "paper",
        "received_on": timezone.localdate().isoformat(),
        "place": "Kampung Baru hall",
        "language": "ms",
        f"q{text.pk}": "Air bersih",
        f"q{single.pk}": str(single.choices.get(label_en="Bus").pk),
    }
    data.update(overrides)
    return data


# Who may ------------------------------------------------------------------------------


@pytest.fixture
def partner():
    return OrganisationFactory(kind=Organisation.Kind.CIVIL_SOCIETY)


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("owner", True),
        ("editor", True),
        ("facilitator", True),
        ("analyst", False),
        ("outsider", False),
        ("partner_facilitator", True),
        ("uninvited_partner_facilitator", False),
        ("partner_analyst", False),
    ],
)
def test_who_may_enter_responses(request, consultation, partner, persona, allowed):
    if persona.startswith("partner") or persona.startswith("uninvited"):
        role = Role.ANALYST if persona == "partner_analyst" else Role.FACILITATOR
        user = make_member(partner, role)
        if not persona.startswith("uninvited"):
            consultation.partners.add(partner)
    else:
        user = request.getfixturevalue(persona)

    assert rules.can_assist(user, consultation) is allowed


def test_public_institution_listed_as_partner_is_not_a_facilitator(consultation):
    other = OrganisationFactory(kind=Organisation.Kind.PUBLIC_INSTITUTION)
    consultation.partners.add(other)
    user = make_member(other, Role.FACILITATOR)

    assert rules.can_assist(user, consultation) is False


@pytest.mark.parametrize("name", ["overview", "assist", "preview", "import", "import_template"])
def test_outsider_gets_404_on_staff_pages(client_for, outsider, consultation, name):
    client = client_for(outsider)

    response = client.get(
        f"/en/staff/responses/{consultation.pk}/"
        + {
            "overview": "",
            "assist": "new/",
            "preview": "preview/",
            "import": "import/",
            "import_template": "import/template.csv",
        }[name]
    )

    assert response.status_code == 404


def test_analyst_may_preview_but_not_enter(client_for, analyst, consultation):
    client = client_for(analyst)

    assert client.get(f"/en/staff/responses/{consultation.pk}/preview/").status_code == 200
    assert client.get(f"/en/staff/responses/{consultation.pk}/new/").status_code == 404


# Assisted entry ----------------------------------------------------------------------


def test_facilitator_enters_a_response_marked_assisted(client_for, facilitator, consultation):
    client = client_for(facilitator)

    response = client.post(f"/en/staff/responses/{consultation.pk}/new/", entry(consultation))

    submission = Submission.objects.get()
    assert response.status_code == 302
    assert (submission.channel, submission.state, submission.received_via) == (
        "assisted",
        "submitted",
        "paper",
    )
    assert (submission.entered_by, submission.place, submission.language) == (
        facilitator,
        "Kampung Baru hall",
        "ms",
    )
    assert submission.late_paper is False
    assert AuditEntry.objects.filter(action="submission.assisted").count() == 1
    assert submission.reference in client.get(response["Location"]).content.decode()


def test_assisted_entry_uses_the_same_validation(client_for, facilitator, consultation):
    text = q(consultation, "What matters most to you?")
    client = client_for(facilitator)

    response = client.post(
        f"/en/staff/responses/{consultation.pk}/new/",
        entry(consultation, **{f"q{text.pk}": "", "received_on": ""}),
    )

    html = response.content.decode()
    assert "Enter your answer" in html
    assert "Enter the date you received the response" in html
    assert Submission.objects.count() == 0


def test_assisted_entry_posted_twice_is_one_submission(client_for, facilitator, consultation):
    client = client_for(facilitator)
    data = entry(consultation)

    client.post(f"/en/staff/responses/{consultation.pk}/new/", data)
    client.post(f"/en/staff/responses/{consultation.pk}/new/", data)

    assert Submission.objects.count() == 1


def test_paper_received_before_closing_may_be_entered_after_closing(
    client_for, facilitator, consultation
):
    closed_on = timezone.now() - dt.timedelta(days=2)
    Consultation.objects.filter(pk=consultation.pk).update(
        state=State.CLOSED, opens_at=closed_on - dt.timedelta(days=30), closes_at=closed_on
    )
    client = client_for(facilitator)
    before = (closed_on - dt.timedelta(days=1)).date().isoformat()

    response = client.post(
        f"/en/staff/responses/{consultation.pk}/new/", entry(consultation, received_on=before)
    )

    assert response.status_code == 302
    assert Submission.objects.get().late_paper is True


def test_paper_received_after_closing_is_refused(client_for, facilitator, consultation):
    closed_on = timezone.now() - dt.timedelta(days=2)
    Consultation.objects.filter(pk=consultation.pk).update(
        state=State.CLOSED, opens_at=closed_on - dt.timedelta(days=30), closes_at=closed_on
    )
    client = client_for(facilitator)

    response = client.post(
        f"/en/staff/responses/{consultation.pk}/new/",
        entry(consultation, received_on=timezone.localdate().isoformat()),
    )

    assert "only paper responses received before it closed" in response.content.decode()
    assert Submission.objects.count() == 0


# CSV import --------------------------------------------------------------------------


def template(client, consultation) -> list[str]:
    response = client.get(f"/en/staff/responses/{consultation.pk}/import/template.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def csv_file(header: list[str], rows: list[dict]) -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column.split(":")[0], "") for column in header])
    return SimpleUploadedFile("responses.csv", buffer.getvalue().encode(), "text/csv")


def good_row(consultation, **cells) -> dict:
    row = {
        "received_via": "paper",
        "received_on": timezone.localdate().isoformat(),
        "place": "Clinic",
        "language": "ta",
        f"Q{q(consultation, 'What matters most to you?').pk}": "Roads",
        f"Q{q(consultation, 'How do you travel?').pk}": "Train",
        f"Q{q(consultation, 'What worries you?').pk}": "Cost; Floods",
        f"Q{q(consultation, 'What worries you?').pk} other": "",
        f"Q{q(consultation, 'Rank these priorities').pk}": "Roads; Schools; Clinics",
        f"Q{q(consultation, 'Do you support the plan?').pk}": "yes",
        f"Q{q(consultation, 'How many people live in your home?').pk}": "6",
    }
    row.update(cells)
    return row


def test_template_has_one_column_per_question_and_is_formula_safe(
    client_for, facilitator, consultation
):
    Question.objects.filter(pk=q(consultation, "What matters most to you?").pk).update(
        text_en='=HYPERLINK("http://evil")'
    )

    header = template(client_for(facilitator), consultation)

    assert header[:4] == ["received_via", "received_on", "place", "language"]
    assert any(cell.startswith("'Q") is False and "HYPERLINK" in cell for cell in header)
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in header)
    assert f"Q{q(consultation, 'Do you support the plan?').pk} reason" in header
    assert not any("Upload a photo" in cell for cell in header)  # files cannot go in a cell


def test_import_of_good_rows_stores_them_all(client_for, facilitator, consultation):
    client = client_for(facilitator)
    header = template(client, consultation)
    upload = csv_file(header, [good_row(consultation), good_row(consultation, place="Market")])

    response = client.post(f"/en/staff/responses/{consultation.pk}/import/", {"file": upload})

    assert response.status_code == 302
    submissions = Submission.objects.order_by("place")
    assert [(s.channel, s.place) for s in submissions] == [
        ("import", "Clinic"),
        ("import", "Market"),
    ]
    worries = Answer.objects.filter(question=q(consultation, "What worries you?")).first()
    assert worries.other_text == "Floods"
    ranking = Answer.objects.filter(question=q(consultation, "Rank these priorities")).first()
    assert [s.choice.label for s in ranking.selections.order_by("rank")] == [
        "Roads",
        "Schools",
        "Clinics",
    ]


def test_import_with_a_bad_row_imports_nothing_and_says_why(client_for, facilitator, consultation):
    client = client_for(facilitator)
    header = template(client, consultation)
    number = q(consultation, "How many people live in your home?")
    upload = csv_file(
        header,
        [
            good_row(consultation),
            good_row(consultation, **{f"Q{number.pk}": "99", "received_on": "yesterday"}),
        ],
    )

    response = client.post(f"/en/staff/responses/{consultation.pk}/import/", {"file": upload})

    html = response.content.decode()
    assert response.status_code == 400
    assert "1 row has problems, so nothing was imported" in html
    assert "How many people live in your home?: Enter a number of 50 or less" in html
    assert "Date received: Enter a real date" in html
    assert Submission.objects.count() == 0


def test_importing_the_same_file_twice_adds_nothing(client_for, facilitator, consultation):
    client = client_for(facilitator)
    header = template(client, consultation)
    content = csv_file(header, [good_row(consultation)]).read()

    for _n in range(2):
        client.post(
            f"/en/staff/responses/{consultation.pk}/import/",
            {"file": SimpleUploadedFile("r.csv", content, "text/csv")},
        )

    assert Submission.objects.count() == 1


def test_import_without_the_question_columns_is_refused(client_for, facilitator, consultation):
    client = client_for(facilitator)
    upload = SimpleUploadedFile("r.csv", b"name,comment\nA,B\n", "text/csv")

    response = client.post(f"/en/staff/responses/{consultation.pk}/import/", {"file": upload})

    assert "Columns missing" in response.content.decode()
    assert Submission.objects.count() == 0
