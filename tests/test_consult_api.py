"""The read API: public consultations and events, in the request's language, and its docs."""

import pytest
import yaml

from consult.models import Question, State
from tests.factories import (
    AttachmentFactory,
    ConsultationFactory,
    EventFactory,
    RegionFactory,
    SectionFactory,
    TargetGroupFactory,
    TopicFactory,
    consultation_with_every_kind,
)
from tests.test_consult_public import bulk_consultations

pytestmark = pytest.mark.django_db


def slugs(response) -> list[str]:
    return [item["slug"] for item in response.json()["results"]]


def test_consultation_list_is_public_only_and_paginated(client):
    ConsultationFactory(slug="open-plan", state=State.OPEN)
    ConsultationFactory(slug="closed-plan", state=State.CLOSED)
    ConsultationFactory(slug="draft-plan", state=State.DRAFT)

    response = client.get("/api/v1/consultations/")

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 2
    assert slugs(response) == ["open-plan", "closed-plan"]


def test_consultation_detail_of_a_draft_is_not_found(client):
    ConsultationFactory(slug="draft-plan", state=State.DRAFT)

    response = client.get("/api/v1/consultations/draft-plan/")

    assert response.status_code == 404


def test_consultation_detail_nests_sections_questions_and_choices(client):
    consultation = consultation_with_every_kind(slug="every-kind")
    AttachmentFactory(consultation=consultation, title_en="Plan", size=1024)
    EventFactory(consultation=consultation, title_en="Hall meeting")

    response = client.get("/api/v1/consultations/every-kind/")

    body = response.json()
    first = body["sections"][0]
    travel = next(q for q in first["questions"] if q["kind"] == Question.Kind.SINGLE)
    assert [s["title"] for s in body["sections"]] == ["Your views", "More detail"]
    assert travel["text"] == "How do you travel?"
    assert [c["label"] for c in travel["choices"]] == ["Bus", "Train", "Walking"]
    assert body["attachments"][0]["title"] == "Plan"
    assert body["attachments"][0]["type"] == "PDF"
    assert body["events"][0]["title"] == "Hall meeting"


def test_consultation_detail_runs_a_constant_number_of_queries(
    client, django_assert_max_num_queries
):
    consultation_with_every_kind(slug="every-kind")

    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/consultations/every-kind/")

    assert response.status_code == 200


def test_translated_fields_follow_the_lang_parameter(client):
    ConsultationFactory(slug="water", title_en="Clean water", title_ms="Air bersih")

    response = client.get("/api/v1/consultations/water/", {"lang": "ms"})

    assert response.json()["title"] == "Air bersih"
    assert response["Content-Language"] == "ms"


def test_translated_fields_follow_accept_language(client):
    ConsultationFactory(slug="water", title_en="Clean water", title_ta="சுத்தமான நீர்")

    response = client.get("/api/v1/consultations/water/", headers={"accept-language": "ta"})

    assert response.json()["title"] == "சுத்தமான நீர்"


def test_missing_translation_falls_back_to_english_and_languages_say_so(client):
    ConsultationFactory(slug="water", title_en="Clean water", title_ar="مياه نظيفة")

    response = client.get("/api/v1/consultations/water/", {"lang": "fr"})

    body = response.json()
    assert body["title"] == "Clean water"
    assert body["languages"] == ["en", "ar"]
    assert body["url"] == "http://testserver/fr/consultations/water/"


def test_consultation_list_filters(client):
    topic, region, group = (
        TopicFactory(slug="water"),
        RegionFactory(slug="north"),
        TargetGroupFactory(slug="youth"),
    )
    match = ConsultationFactory(
        slug="match", topic=topic, region=region, state=State.CLOSED, title_ms="Air"
    )
    match.target_groups.add(group)
    ConsultationFactory(slug="other", state=State.CLOSED)

    response = client.get(
        "/api/v1/consultations/",
        {
            "topic": "water",
            "region": "north",
            "target_group": "youth",
            "state": "closed",
            "language": "ms",
        },
    )

    assert slugs(response) == ["match"]


def test_consultation_list_search_finds_a_tamil_term(client):
    ConsultationFactory(slug="water", title_ta="ஒவ்வொரு கிராமத்திற்கும் சுத்தமான நீர்")
    ConsultationFactory(slug="roads", title_en="Road repairs")

    response = client.get("/api/v1/consultations/", {"q": "சுத்தமான", "lang": "ta"})

    assert slugs(response) == ["water"]


def test_consultation_list_with_a_bad_filter_is_a_bad_request(client):
    response = client.get("/api/v1/consultations/", {"state": "draft"})

    assert response.status_code == 400


@pytest.mark.parametrize("count", [1, 10, 1000])
def test_consultation_list_runs_a_constant_number_of_queries(
    client, django_assert_max_num_queries, count
):
    bulk_consultations(count)

    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/consultations/", {"q": "bulk", "lang": "ms"})

    assert response.json()["count"] == count


def test_events_are_those_of_public_consultations(client):
    public = ConsultationFactory(slug="public")
    EventFactory(consultation=public, title_en="Public meeting")
    EventFactory(consultation=ConsultationFactory(state=State.DRAFT), title_en="Draft meeting")

    response = client.get("/api/v1/events/")

    assert [e["title"] for e in response.json()["results"]] == ["Public meeting"]
    assert response.json()["results"][0]["consultation"] == "public"


def test_events_filter_by_consultation(client):
    EventFactory(consultation=ConsultationFactory(slug="one"), title_en="First")
    EventFactory(consultation=ConsultationFactory(slug="two"), title_en="Second")

    response = client.get("/api/v1/events/", {"consultation": "two"})

    assert [e["title"] for e in response.json()["results"]] == ["Second"]


def test_api_is_read_only(client):
    ConsultationFactory(slug="water")

    response = client.post("/api/v1/consultations/", {"slug": "new"})

    assert response.status_code in (403, 405)


def test_schema_is_openapi_3_with_both_resources(client):
    response = client.get("/api/schema/")

    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/consultations/{slug}/" in schema["paths"]
    assert "/api/v1/events/" in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/v1/consultations/"]["get"]["parameters"]}
    assert {
        "q",
        "topic",
        "region",
        "target_group",
        "state",
        "language",
        "lang",
        "page",
    } <= parameters


def test_docs_page_lists_endpoints_and_loads_nothing_from_elsewhere(client):
    SectionFactory()

    response = client.get("/api/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "GET /api/v1/consultations/{slug}/" in html
    assert "<script>" not in html
    assert 'src="http' not in html
    assert 'href="http' not in html
