"""Open data: only consented answers, no personal or monitoring data, formula-safe CSV."""

import csv
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from consult.models import Question, State
from feedback.models import Consent, ContactDetails, Monitoring
from outcomes import services
from outcomes.models import Coding, Job, Theme
from tests.factories import (
    ConsultationFactory,
    RegionFactory,
    SectionFactory,
    TargetGroupFactory,
    question_with_choices,
    sent_response,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.SUPPRESSION_THRESHOLD = 5


@pytest.fixture
def published(organisation, owner):
    consultation = ConsultationFactory(
        organisation=organisation, state=State.CLOSED, slug="roads", title_en="Roads"
    )
    section = SectionFactory(consultation=consultation)
    consultation.q_text = question_with_choices(
        section, Question.Kind.TEXT, [], text_en="Your view?"
    )
    consultation.q_rank = question_with_choices(
        section, Question.Kind.RANKING, ["Potholes", "Lights"], text_en="Rank"
    )
    consultation.q_yes = question_with_choices(section, Question.Kind.YES_NO, [], text_en="Agree?")
    return consultation


def publish(consultation, owner):
    services.report_save(consultation=consultation, actor=owner, fields={"summary_en": "Done."})
    services.report_publish(consultation=consultation, actor=owner)


def csv_rows(client, slug="roads"):
    response = client.get(reverse("outcomes:data_csv", kwargs={"slug": slug}))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_csv_has_only_answers_with_a_publication_consent(client, published, owner):
    potholes, lights = published.q_rank.choices.all()
    sent_response(
        published,
        {
            published.q_text: "Fix the road",
            published.q_rank: [lights, potholes],
            published.q_yes: True,
        },
        publish=True,
    )
    sent_response(published, {published.q_text: "Keep me private"})
    withdrawn = sent_response(published, {published.q_text: "I changed my mind"}, publish=True)
    Consent.objects.filter(participant=withdrawn.participant).update(withdrawn_at=timezone.now())
    publish(published, owner)

    rows = csv_rows(client)

    assert [(r["question_text"], r["text"], r["choices"], r["yes_no"]) for r in rows] == [
        ("Your view?", "Fix the road", "", ""),
        ("Rank", "", "Lights | Potholes", ""),
        ("Agree?", "", "", "yes"),
    ]
    assert len({r["response"] for r in rows}) == 1


def test_csv_neutralises_spreadsheet_formulas(client, published, owner):
    for text in ("=HYPERLINK(1)", "+1", "-2", "@SUM(A1)", "\tTab", "\rReturn", "plain"):
        sent_response(published, {published.q_text: text}, publish=True)
    publish(published, owner)

    texts = [r["text"] for r in csv_rows(client)]

    assert texts == ["'=HYPERLINK(1)", "'+1", "'-2", "'@SUM(A1)", "'\tTab", "'\rReturn", "plain"]


def test_json_has_suppressed_results_and_the_published_answers(client, published, owner):
    potholes, lights = published.q_rank.choices.all()
    for _ in range(5):
        sent_response(published, {published.q_rank: [potholes, lights]}, publish=True)
    sent_response(published, {published.q_yes: False})
    publish(published, owner)

    response = client.get(reverse("outcomes:data_json", kwargs={"slug": "roads"}))
    data = json.loads(b"".join(response.streaming_content))

    assert data["results"]["participants"] == {"count": 6, "suppressed": False}
    rank = next(q for q in data["results"]["questions"] if q["text"] == "Rank")
    assert [(o["label"], o["count"], o["mean_rank"], o["borda"]) for o in rank["options"]] == [
        ("Potholes", 5, 1.0, 10),
        ("Lights", 5, 2.0, 5),
    ]
    agree = next(q for q in data["results"]["questions"] if q["text"] == "Agree?")
    assert agree["respondents"] == {"count": None, "suppressed": True}
    assert len(data["responses"]) == 5


def test_api_lists_published_outcomes_and_their_answers(client, published, owner, organisation):
    sent_response(published, {published.q_text: "Consented view"}, publish=True)
    ConsultationFactory(organisation=organisation, state=State.CLOSED, slug="unpublished")
    publish(published, owner)

    listing = client.get("/api/v1/outcomes/").json()
    detail = client.get("/api/v1/outcomes/roads/").json()
    answers = client.get("/api/v1/outcomes/roads/answers/").json()

    assert [o["slug"] for o in listing["results"]] == ["roads"]
    assert detail["summary"] == "Done."
    assert detail["results"]["participants"] == {"count": None, "suppressed": True}
    assert [a["text"] for a in answers["results"]] == ["Consented view"]
    assert client.get("/api/v1/outcomes/unpublished/").status_code == 404


def test_api_schema_describes_the_outcomes_endpoints(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    assert "/api/v1/outcomes/{slug}/answers/" in schema["paths"]
    assert "PublishedAnswer" in schema["components"]["schemas"]


def test_export_job_writes_a_file_with_progress(
    client_for, analyst, published, owner, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    sent_response(published, {published.q_text: "=Exported"}, publish=True)
    publish(published, owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(analyst).post(
            reverse("outcomes_staff:export_start", kwargs={"pk": published.pk}),
            {"format": "csv"},
        )

    assert response.status_code == 302
    job = Job.objects.get(consultation=published)
    assert (job.state, job.progress) == (Job.State.DONE, 100)
    download = client_for(analyst).get(
        reverse("outcomes_staff:export_download", kwargs={"pk": published.pk, "job_pk": job.pk})
    )
    assert "'=Exported" in b"".join(download.streaming_content).decode("utf-8-sig")


def test_export_download_is_hidden_from_another_organisation(
    client_for, outsider, analyst, published, owner
):
    publish(published, owner)
    job = services.export_start(consultation=published, actor=analyst)

    response = client_for(outsider).get(
        reverse("outcomes_staff:export_download", kwargs={"pk": published.pk, "job_pk": job.pk})
    )

    assert response.status_code == 404


def test_csv_export_query_count_is_constant(
    client, published, owner, django_assert_max_num_queries
):
    potholes, lights = published.q_rank.choices.all()
    sent_response(published, {published.q_rank: [potholes, lights]}, publish=True)
    publish(published, owner)
    with django_assert_max_num_queries(8):
        csv_rows(client)
    for _ in range(20):
        sent_response(
            published, {published.q_rank: [lights, potholes], published.q_text: "x"}, publish=True
        )

    with django_assert_max_num_queries(8):
        rows = csv_rows(client)

    assert len(rows) == 41


# Leak test -------------------------------------------------------------------------------

PLANTED = {
    "email": "leak.email.7731@example.org",
    "phone": "+60 7731 000 999",
    "main_language": "Leaklang7731",
    "organisation_name": "Leak Org 7731 Sdn Bhd",
    "region": "Leakregion 7731",
    "group": "Leakgroup 7731",
    "place": "Leakplace 7731",
}


def test_personal_and_monitoring_data_appear_in_no_public_output(client, published, owner):
    region = RegionFactory(slug="leak-region", name_en=PLANTED["region"])
    group = TargetGroupFactory(slug="leak-group", name_en=PLANTED["group"])
    submission = sent_response(
        published,
        {published.q_text: "A public view"},
        publish=True,
        groups=[group],
        age_band=Monitoring.AgeBand.FROM_65,
        disability=Monitoring.Disability.YES,
        region=region,
        main_language=PLANTED["main_language"],
        answering_for=Monitoring.AnsweringFor.ORGANISATION,
        organisation_name=PLANTED["organisation_name"],
        civil_society=True,
    )
    submission.place = PLANTED["place"]
    submission.save()
    ContactDetails.objects.create(
        participant=submission.participant, email=PLANTED["email"], phone=PLANTED["phone"]
    )
    theme = Theme.objects.create(consultation=published, name_en="Safety")
    Coding.objects.create(answer=submission.answers.get(), theme=theme, is_quote=True)
    publish(published, owner)
    secrets = [
        *PLANTED.values(),
        submission.reference,
        submission.participant.token,
        "65 or over",
        "leak-region",
        "leak-group",
    ]

    outputs = {
        "report": client.get(reverse("outcomes:report", kwargs={"slug": "roads"})).text,
        "tracker": client.get(reverse("outcomes:tracker")).text,
        "csv": b"".join(
            client.get(reverse("outcomes:data_csv", kwargs={"slug": "roads"})).streaming_content
        ).decode(),
        "json": b"".join(
            client.get(reverse("outcomes:data_json", kwargs={"slug": "roads"})).streaming_content
        ).decode(),
        "api list": client.get("/api/v1/outcomes/").text,
        "api detail": client.get("/api/v1/outcomes/roads/").text,
        "api answers": client.get("/api/v1/outcomes/roads/answers/").text,
    }

    assert "A public view" in outputs["csv"]
    assert "A public view" in outputs["report"]
    leaks = [
        (name, secret) for name, text in outputs.items() for secret in secrets if secret in text
    ]
    assert leaks == []
