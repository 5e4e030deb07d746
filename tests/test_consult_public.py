"""The public side of consultations: list, search, filters, a consultation's page, feed, home."""

import datetime as dt
import os
import zoneinfo

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from consult import services
from consult.models import Consultation, State
from tests.factories import (
    AttachmentFactory,
    ConsultationFactory,
    EventFactory,
    OrganisationFactory,
    RegionFactory,
    TargetGroupFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

# Stemming and typo tolerance come from PostgreSQL; the SQLite demo matches substrings only.
# Skipped only on a developer's SQLite run: CI always runs them.
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql" and not os.environ.get("CI"),
    reason="needs PostgreSQL full-text and trigram search",
)


def bulk_consultations(count: int, **fields) -> list[Consultation]:
    """Many public consultations at once, each with a topic, a region and two target groups."""
    organisation = OrganisationFactory()
    topic, region = TopicFactory(), RegionFactory()
    groups = [TargetGroupFactory(), TargetGroupFactory()]
    now = timezone.now()
    consultations = Consultation.objects.bulk_create(
        Consultation(
            organisation=organisation,
            slug=f"bulk-{n}",
            title_en=f"Bulk consultation {n}",
            summary_en="What we want to know.",
            state=State.OPEN if n % 2 else State.CLOSED,
            topic=topic,
            region=region,
            opens_at=now - dt.timedelta(days=40),
            closes_at=now + dt.timedelta(days=n % 30 - 10),
            outcome_due=(now + dt.timedelta(days=90)).date(),
            first_published_at=now - dt.timedelta(minutes=n),
            **fields,
        )
        for n in range(count)
    )
    through = Consultation.target_groups.through
    through.objects.bulk_create(
        through(consultation_id=consultation.pk, targetgroup_id=group.pk)
        for consultation in consultations
        for group in groups
    )
    return consultations


# The list ---------------------------------------------------------------------------------


def test_list_shows_open_consultations_before_closed_ones(client):
    ConsultationFactory(title_en="Closed roads plan", state=State.CLOSED)
    ConsultationFactory(title_en="Open water plan", state=State.OPEN)

    response = client.get("/en/consultations/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Open water plan") < html.index("Closed roads plan")


def test_list_shows_the_most_recently_closed_first_among_closed_ones(client):
    now = timezone.now()
    for title, days in [("Long ago", 30), ("Yesterday", 1), ("Last week", 7)]:
        ConsultationFactory(
            title_en=title,
            state=State.CLOSED,
            opens_at=now - dt.timedelta(days=60),
            closes_at=now - dt.timedelta(days=days),
        )

    response = client.get("/en/consultations/")

    titles = [c.title for c in response.context["consultations"]]
    assert titles == ["Yesterday", "Last week", "Long ago"]


def test_list_hides_drafts(client):
    ConsultationFactory(title_en="Secret draft", state=State.DRAFT)
    ConsultationFactory(title_en="Public plan", state=State.SCHEDULED)

    response = client.get("/en/consultations/")

    assert "Public plan" in response.content.decode()
    assert "Secret draft" not in response.content.decode()


def test_list_filters_by_topic_region_group_and_state(client):
    water, roads = TopicFactory(slug="t-water"), TopicFactory(slug="t-roads")
    north = RegionFactory(slug="r-north")
    youth = TargetGroupFactory(slug="g-youth")
    match = ConsultationFactory(title_en="The match", topic=water, region=north, state=State.CLOSED)
    match.target_groups.add(youth)
    ConsultationFactory(title_en="Wrong topic", topic=roads, region=north, state=State.CLOSED)
    ConsultationFactory(title_en="Wrong state", topic=water, region=north, state=State.OPEN)

    response = client.get(
        "/en/consultations/",
        {"topic": "t-water", "region": "r-north", "target_group": "g-youth", "state": "closed"},
    )

    html = response.content.decode()
    assert list(response.context["consultations"]) == [match]
    assert "Wrong topic" not in html
    assert "1 consultation found." in html


def test_list_language_filter_keeps_consultations_written_in_it(client):
    malay = ConsultationFactory(title_en="Water", title_ms="Air")
    ConsultationFactory(title_en="Roads only in English")

    response = client.get("/en/consultations/", {"language": "ms"})

    assert list(response.context["consultations"]) == [malay]


def test_list_unknown_filter_value_shows_an_error_summary(client):
    ConsultationFactory()

    response = client.get("/en/consultations/", {"topic": "no-such-topic"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert 'href="#id_topic"' in html


def test_list_empty_search_explains_what_to_do(client):
    ConsultationFactory(title_en="Clean water")

    response = client.get("/en/consultations/", {"q": "helicopters"})

    html = response.content.decode()
    assert "0 consultations found." in html
    assert "No consultations match what you asked for." in html
    assert "Clear filters" in html


def test_list_paginates_and_pagination_links_keep_the_filters(client):
    bulk_consultations(45)

    response = client.get("/en/consultations/", {"state": "open", "page": "2"})

    html = response.content.decode()
    assert len(response.context["consultations"]) == 2
    assert response.context["page_obj"].number == 2
    assert 'aria-label="Pages of results"' in html
    assert 'href="?state=open&amp;page=1"' in html
    assert 'aria-current="page"' in html


def test_list_links_to_the_feed_in_the_head(client):
    response = client.get("/en/consultations/")

    assert (
        '<link rel="alternate" type="application/atom+xml" title="New consultations on Suara"'
        ' href="/en/consultations/feed/">' in response.content.decode()
    )


@pytest.mark.parametrize("count", [1, 10, 1000])
def test_list_runs_a_constant_number_of_queries(client, django_assert_max_num_queries, count):
    bulk_consultations(count)

    with django_assert_max_num_queries(7):
        response = client.get("/en/consultations/")

    assert response.status_code == 200


def test_list_search_with_filters_runs_a_constant_number_of_queries(
    client, django_assert_max_num_queries
):
    bulk_consultations(1000)

    with django_assert_max_num_queries(7):
        response = client.get("/en/consultations/", {"q": "bulk", "state": "open"})

    assert response.context["page_obj"].paginator.count == 500


def test_list_escapes_consultation_text(client):
    ConsultationFactory(title_en="<script>alert(1)</script>")

    response = client.get("/en/consultations/")

    assert "<script>alert(1)</script>" not in response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.content.decode()


# Search -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "term"),
    [
        ("ms", "kampung"),
        ("zh-hans", "清洁用水"),
        ("ta", "சுத்தமான"),
    ],
)
def test_search_finds_a_term_in_the_page_language(client, language, term):
    water = ConsultationFactory(
        title_en="Clean water for every village",
        title_ms="Air bersih untuk setiap kampung",
        summary_zh_hans="每个村庄都有清洁用水。告诉我们什么对您重要。",
        title_ta="ஒவ்வொரு கிராமத்திற்கும் சுத்தமான நீர்",
    )
    ConsultationFactory(title_en="Road repairs", summary_en="Potholes and bridges.")

    response = client.get(f"/{language}/consultations/", {"q": term})

    assert list(response.context["consultations"]) == [water]


@postgres_only
def test_search_matches_other_forms_of_an_english_word(client):
    villages = ConsultationFactory(title_en="Clean water for every village")
    ConsultationFactory(title_en="Road repairs")

    response = client.get("/en/consultations/", {"q": "villages"})

    assert list(response.context["consultations"]) == [villages]


def test_search_in_another_language_also_finds_english_words(client):
    water = ConsultationFactory(title_en="Clean water", title_fr="Eau propre")

    response = client.get("/fr/consultations/", {"q": "water"})

    assert list(response.context["consultations"]) == [water]


@postgres_only
def test_search_forgives_a_small_typo_in_a_title_word(client):
    water = ConsultationFactory(title_en="Clean water for every village")

    response = client.get("/en/consultations/", {"q": "vilage"})

    assert list(response.context["consultations"]) == [water]


# A consultation's page --------------------------------------------------------------------


def test_detail_of_a_draft_is_not_found(client):
    draft = ConsultationFactory(state=State.DRAFT)

    response = client.get(f"/en/consultations/{draft.slug}/")

    assert response.status_code == 404


def test_detail_of_a_draft_is_not_found_for_its_own_staff(client_for, owner, organisation):
    draft = ConsultationFactory(state=State.DRAFT, organisation=organisation)

    response = client_for(owner).get(f"/en/consultations/{draft.slug}/")

    assert response.status_code == 404


def test_detail_shows_key_dates_in_the_consultation_time_zone(client):
    zone = zoneinfo.ZoneInfo("Asia/Kuala_Lumpur")
    consultation = ConsultationFactory(
        time_zone="Asia/Kuala_Lumpur",
        opens_at=dt.datetime(2026, 3, 1, 9, 0, tzinfo=zone),
        closes_at=dt.datetime(2030, 3, 31, 17, 0, tzinfo=zone),
        outcome_due=dt.date(2030, 6, 30),
    )

    response = client.get(f"/en/consultations/{consultation.slug}/")

    html = response.content.decode()
    assert "1 March 2026, 09:00" in html
    assert "31 March 2030, 17:00" in html
    assert "30 June 2030" in html
    assert "Times are in the Asia/Kuala_Lumpur time zone." in html


def test_detail_lists_documents_with_type_size_and_text_alternative(client):
    consultation = ConsultationFactory()
    AttachmentFactory(
        consultation=consultation,
        title_en="Full plan",
        file="consultations/plan.pdf",
        size=2_097_152,
        text_alternative_en="The plan has three parts.",
    )

    response = client.get(f"/en/consultations/{consultation.slug}/")

    html = response.content.decode()
    assert "Full plan" in html
    assert "(PDF, 2.0\xa0MB)" in html
    assert "The plan has three parts." in html


def test_detail_lists_events_with_place_accessibility_and_languages(client):
    consultation = ConsultationFactory()
    EventFactory(
        consultation=consultation,
        title_en="Meeting at the hall",
        place="Village hall",
        accessibility_en="Step-free entrance and a hearing loop.",
        languages="Malay, Tamil",
    )

    response = client.get(f"/en/consultations/{consultation.slug}/")

    html = response.content.decode()
    assert "Meeting at the hall" in html
    assert "Village hall" in html
    assert "Step-free entrance and a hearing loop." in html
    assert "Malay, Tamil" in html


def test_detail_shows_the_facilitator_contact(client):
    consultation = ConsultationFactory(
        contact_name="Aminah", contact_email="aminah@example.org", contact_phone="+60 3 1234"
    )

    response = client.get(f"/en/consultations/{consultation.slug}/")

    html = response.content.decode()
    assert "With a facilitator" in html
    assert 'href="mailto:aminah@example.org"' in html
    assert "+60 3 1234" in html


def test_detail_assisted_only_explains_there_is_no_online_form(client):
    consultation = ConsultationFactory(mode=Consultation.Mode.ASSISTED_ONLY)

    response = client.get(f"/en/consultations/{consultation.slug}/")

    html = response.content.decode()
    assert "answered with a facilitator or at an event, not online" in html
    assert "Give your views online" not in html


def test_detail_closed_says_what_happens_next(client):
    consultation = ConsultationFactory(state=State.CLOSED, outcome_due=dt.date(2031, 1, 15))

    response = client.get(f"/en/consultations/{consultation.slug}/")

    html = response.content.decode()
    assert "What happens next" in html
    assert "15 January 2031" in html


def test_detail_outcome_link_never_points_nowhere(client):
    consultation = ConsultationFactory(state=State.OUTCOME_PUBLISHED)

    response = client.get(f"/en/consultations/{consultation.slug}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'href=""' not in html
    assert 'href="#"' not in html


def test_detail_has_description_and_open_graph_tags(client):
    ConsultationFactory(
        slug="clean-water", title_en="Clean water", summary_en="Piped water for villages."
    )

    response = client.get("/ms/consultations/clean-water/")

    html = response.content.decode()
    assert '<meta name="description" content="Piped water for villages.">' in html
    assert '<meta property="og:title" content="Clean water">' in html
    assert (
        '<meta property="og:url" content="http://testserver/ms/consultations/clean-water/">' in html
    )
    assert '<meta property="og:locale" content="ms">' in html
    assert '<meta property="og:type" content="article">' in html


def test_detail_shows_content_in_the_page_language(client):
    consultation = ConsultationFactory(title_en="Clean water", title_ms="Air bersih")

    response = client.get(f"/ms/consultations/{consultation.slug}/")

    assert '<h1 id="consultation-title">Air bersih</h1>' in response.content.decode()


def test_detail_runs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    consultation = ConsultationFactory()
    for _ in range(5):
        AttachmentFactory(consultation=consultation)
        EventFactory(consultation=consultation)
    consultation.target_groups.add(TargetGroupFactory(), TargetGroupFactory())

    with django_assert_max_num_queries(5):
        response = client.get(f"/en/consultations/{consultation.slug}/")

    assert response.status_code == 200


def test_easy_read_page_shows_the_easy_read_text(client):
    consultation = ConsultationFactory(easy_read_en="We want to bring water to your village.")

    detail = client.get(f"/en/consultations/{consultation.slug}/")
    response = client.get(f"/en/consultations/{consultation.slug}/easy-read/")

    assert f'href="/en/consultations/{consultation.slug}/easy-read/"' in detail.content.decode()
    assert "We want to bring water to your village." in response.content.decode()


def test_easy_read_page_without_easy_read_text_is_not_found(client):
    consultation = ConsultationFactory(easy_read_en="")

    response = client.get(f"/en/consultations/{consultation.slug}/easy-read/")

    assert response.status_code == 404


# Feed and home ----------------------------------------------------------------------------


def test_feed_lists_public_consultations_newest_first(client):
    now = timezone.now()
    ConsultationFactory(title_en="Older", first_published_at=now - dt.timedelta(days=2))
    ConsultationFactory(title_en="Newer", first_published_at=now - dt.timedelta(days=1))
    ConsultationFactory(title_en="Hidden draft", state=State.DRAFT)

    response = client.get("/en/consultations/feed/")

    xml = response.content.decode()
    assert response["Content-Type"].startswith("application/atom+xml")
    assert xml.index("Newer") < xml.index("Older")
    assert "Hidden draft" not in xml


def test_feed_links_to_language_prefixed_pages(client):
    consultation = ConsultationFactory(title_en="Water", title_ms="Air")

    response = client.get("/ms/consultations/feed/")

    xml = response.content.decode()
    assert f"http://testserver/ms/consultations/{consultation.slug}/" in xml
    assert "<title>Air</title>" in xml


def test_home_shows_at_most_six_open_consultations(client):
    for n in range(8):
        ConsultationFactory(title_en=f"Open plan {n}")
    ConsultationFactory(title_en="Closed plan", state=State.CLOSED)

    response = client.get("/en/")

    assert len(response.context["open_consultations"]) == 6
    assert "Closed plan" not in response.content.decode()


def test_detail_marks_text_shown_in_english_on_an_arabic_page(client):
    consultation = ConsultationFactory(title_en="Clean water", title_ar="مياه نظيفة")

    response = client.get(f"/ar/consultations/{consultation.slug}/")

    html = response.content.decode()
    assert '<h1 id="consultation-title">مياه نظيفة</h1>' in html
    assert '<p class="lead" lang="en" dir="ltr">What we want to know, in short.</p>' in html
    assert '<span lang="ar" dir="rtl">العربية</span>' in html


# The page as visitors without a session see it is rendered once per version ---------------


def test_detail_second_visit_is_served_from_the_cache_in_one_query(
    client, django_assert_num_queries
):
    consultation = ConsultationFactory(title_en="Rivers and wells")
    EventFactory(consultation=consultation)
    first = client.get(f"/en/consultations/{consultation.slug}/")

    with django_assert_num_queries(1):
        second = client.get(f"/en/consultations/{consultation.slug}/")

    assert second.status_code == 200
    assert second.content == first.content
    assert "Rivers and wells" in second.content.decode()
    assert "Cookie" in second["Vary"]


def test_detail_cache_is_kept_per_language(client):
    consultation = ConsultationFactory(title_en="Rivers", title_ms="Sungai")
    client.get(f"/en/consultations/{consultation.slug}/")

    response = client.get(f"/ms/consultations/{consultation.slug}/")

    assert "Sungai" in response.content.decode()


def test_detail_shows_an_event_added_after_the_page_was_cached(client, organisation, owner):
    consultation = ConsultationFactory(organisation=organisation)
    client.get(f"/en/consultations/{consultation.slug}/")
    now = timezone.now()

    services.event_save(
        consultation=consultation,
        actor=owner,
        fields={
            "title_en": "Listening session at the mosque hall",
            "place": "Mosque hall",
            "starts_at": now + dt.timedelta(days=2),
            "ends_at": now + dt.timedelta(days=2, hours=2),
        },
    )
    response = client.get(f"/en/consultations/{consultation.slug}/")

    assert "Listening session at the mosque hall" in response.content.decode()


def test_detail_shows_the_closing_at_once_after_the_page_was_cached(client, organisation, owner):
    consultation = ConsultationFactory(organisation=organisation)
    client.get(f"/en/consultations/{consultation.slug}/")

    services.consultation_close(consultation=consultation, actor=owner, reason="Deadline reached")
    response = client.get(f"/en/consultations/{consultation.slug}/")

    assert "What happens next" in response.content.decode()


def test_detail_of_a_consultation_no_longer_public_is_not_found_from_the_cache(client):
    consultation = ConsultationFactory()
    client.get(f"/en/consultations/{consultation.slug}/")
    Consultation.objects.filter(pk=consultation.pk).update(state=State.DRAFT)

    response = client.get(f"/en/consultations/{consultation.slug}/")

    assert response.status_code == 404


def test_detail_for_signed_in_staff_is_never_the_cached_page(client_for, owner, organisation):
    consultation = ConsultationFactory(organisation=organisation)
    Client().get(f"/en/consultations/{consultation.slug}/")  # cached for visitors

    response = client_for(owner).get(f"/en/consultations/{consultation.slug}/")

    assert "Sign out" in response.content.decode()


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there: Redis is down
        }
    }
)
def test_detail_works_while_the_cache_is_down(client):
    consultation = ConsultationFactory(title_en="Rivers and wells")

    response = client.get(f"/en/consultations/{consultation.slug}/")

    assert response.status_code == 200
    assert "Rivers and wells" in response.content.decode()
