"""The outcome report: writing, commitments and their timeline, publishing, the public pages."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import AuditEntry
from consult.models import Question, State, Transition
from outcomes import services
from outcomes.models import (
    Coding,
    Commitment,
    CommitmentUpdate,
    FollowUpResponse,
    Report,
    Theme,
    ThemeResponse,
)
from tests.factories import (
    ConsultationFactory,
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
def closed(organisation):
    return ConsultationFactory(
        organisation=organisation, state=State.CLOSED, title_en="Water for all", slug="water"
    )


def publish(consultation, owner, summary="We heard you."):
    services.report_save(consultation=consultation, actor=owner, fields={"summary_en": summary})
    return services.report_publish(consultation=consultation, actor=owner)


# Publishing ------------------------------------------------------------------------------


def test_report_publish_sets_published_at_and_moves_the_consultation(closed, owner):
    report = publish(closed, owner)

    closed.refresh_from_db()
    assert report.published_at is not None
    assert report.published_by == owner
    assert closed.state == State.OUTCOME_PUBLISHED
    assert (
        Transition.objects.filter(consultation=closed, to_state=State.OUTCOME_PUBLISHED).count()
        == 1
    )
    assert AuditEntry.objects.filter(action="report.publish").count() == 1


def test_report_publish_refuses_an_editor(closed, owner, editor):
    services.report_save(consultation=closed, actor=editor, fields={"summary_en": "Draft"})

    with pytest.raises(PermissionDenied):
        services.report_publish(consultation=closed, actor=editor)

    assert Report.objects.get(consultation=closed).published_at is None


def test_report_publish_refuses_an_open_consultation(organisation, owner):
    consultation = ConsultationFactory(organisation=organisation, state=State.OPEN)
    services.report_save(consultation=consultation, actor=owner, fields={"summary_en": "x"})

    with pytest.raises(ValidationError):
        services.report_publish(consultation=consultation, actor=owner)

    consultation.refresh_from_db()
    assert consultation.state == State.OPEN


def test_report_publish_needs_a_summary(closed, owner):
    with pytest.raises(ValidationError):
        services.report_publish(consultation=closed, actor=owner)


def test_report_publish_twice_publishes_once(closed, owner):
    publish(closed, owner)
    closed.refresh_from_db()

    with pytest.raises(ValidationError):
        services.report_publish(consultation=closed, actor=owner)

    assert Transition.objects.filter(to_state=State.OUTCOME_PUBLISHED).count() == 1


def test_publish_page_publishes_for_the_owner(client_for, owner, closed):
    services.report_save(consultation=closed, actor=owner, fields={"summary_en": "Summary"})

    response = client_for(owner).post(reverse("outcomes_staff:publish", kwargs={"pk": closed.pk}))

    assert response.status_code == 302
    assert Report.objects.get(consultation=closed).is_published


def test_publish_page_is_refused_to_an_editor(client_for, editor, closed):
    response = client_for(editor).post(reverse("outcomes_staff:publish", kwargs={"pk": closed.pk}))

    assert response.status_code == 404
    closed.refresh_from_db()
    assert closed.state == State.CLOSED


# Commitments -----------------------------------------------------------------------------


def test_commitment_save_starts_the_timeline(closed, editor):
    commitment = services.commitment_save(
        consultation=closed,
        actor=editor,
        fields={
            "action_en": "Fix the pumps",
            "responsible_body": "Water board",
            "status": "planned",
        },
    )

    assert list(commitment.updates.values_list("status", flat=True)) == ["planned"]


def test_commitment_not_adopted_needs_a_reason(closed, editor):
    commitment = services.commitment_save(
        consultation=closed,
        actor=editor,
        fields={"action_en": "Free buses", "responsible_body": "Transport office"},
    )

    with pytest.raises(ValidationError) as error:
        services.commitment_update_status(commitment=commitment, actor=editor, status="not_adopted")

    assert "reason_en" in error.value.error_dict
    commitment.refresh_from_db()
    assert commitment.status == "planned"


def test_commitment_update_status_records_the_change(closed, editor):
    commitment = services.commitment_save(
        consultation=closed,
        actor=editor,
        fields={"action_en": "Free buses", "responsible_body": "Transport office"},
    )

    services.commitment_update_status(
        commitment=commitment,
        actor=editor,
        status="not_adopted",
        fields={"reason_en": "No budget this year", "note_en": "Decided by council"},
    )

    commitment.refresh_from_db()
    assert (commitment.status, commitment.reason) == ("not_adopted", "No budget this year")
    assert list(commitment.updates.values_list("status", "note")) == [
        ("planned", ""),
        ("not_adopted", "Decided by council"),
    ]


def test_commitment_update_status_refuses_an_analyst(closed, editor, analyst):
    commitment = services.commitment_save(
        consultation=closed, actor=editor, fields={"action_en": "x", "responsible_body": "y"}
    )

    with pytest.raises(PermissionDenied):
        services.commitment_update_status(commitment=commitment, actor=analyst, status="done")


def test_commitment_pages_add_and_change_status(client_for, editor, closed):
    client = client_for(editor)

    response = client.post(
        reverse("outcomes_staff:commitment_add", kwargs={"pk": closed.pk}),
        {
            "action_en": "Repair wells",
            "responsible_body": "District office",
            "status": "planned",
            "due": "2027-01-31",
        },
    )
    assert response.status_code == 302
    commitment = Commitment.objects.get()
    response = client.post(
        reverse(
            "outcomes_staff:commitment_status",
            kwargs={"pk": closed.pk, "commitment_pk": commitment.pk},
        ),
        {"status": "in_progress", "note_en": "Work started"},
    )

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == "in_progress"
    assert commitment.due == dt.date(2027, 1, 31)


def test_commitment_status_page_shows_the_reason_error(client_for, editor, closed):
    commitment = services.commitment_save(
        consultation=closed, actor=editor, fields={"action_en": "x", "responsible_body": "y"}
    )

    response = client_for(editor).post(
        reverse(
            "outcomes_staff:commitment_status",
            kwargs={"pk": closed.pk, "commitment_pk": commitment.pk},
        ),
        {"status": "not_adopted"},
    )

    assert response.status_code == 200
    assert "Say why this commitment was not adopted." in response.text


def test_summary_page_saves_each_language(client_for, editor, closed):
    response = client_for(editor).post(
        reverse("outcomes_staff:report_summary", kwargs={"pk": closed.pk}),
        {"summary_en": "What happened", "summary_ms": "Apa yang berlaku"},
    )

    assert response.status_code == 302
    report = Report.objects.get(consultation=closed)
    assert (report.summary_en, report.summary_ms) == ("What happened", "Apa yang berlaku")


def test_report_staff_pages_are_hidden_from_another_organisation(client_for, outsider, closed):
    client = client_for(outsider)

    for name in ("report", "report_summary", "commitment_add"):
        assert (
            client.get(reverse(f"outcomes_staff:{name}", kwargs={"pk": closed.pk})).status_code
            == 404
        )


def test_analyst_of_another_organisation_sees_nothing(client_for, other_organisation, closed):
    from tests.conftest import make_member

    stranger = make_member(other_organisation, "analyst")
    client = client_for(stranger)

    for name in ("results", "heard", "report"):
        assert (
            client.get(reverse(f"outcomes_staff:{name}", kwargs={"pk": closed.pk})).status_code
            == 404
        )


# The public report -----------------------------------------------------------------------


def test_public_report_is_404_before_publication(client, closed, owner):
    services.report_save(consultation=closed, actor=owner, fields={"summary_en": "Not yet"})

    for name in ("report", "data_csv", "data_json"):
        assert (
            client.get(reverse(f"outcomes:{name}", kwargs={"slug": closed.slug})).status_code == 404
        )


def test_public_report_shows_figures_themes_quotes_and_commitments(client, closed, owner, editor):
    section = SectionFactory(consultation=closed)
    question = question_with_choices(
        section, Question.Kind.SINGLE, ["Yes please", "No thanks"], text_en="Do you want a well?"
    )
    text_question = question_with_choices(section, Question.Kind.TEXT, [], text_en="Why?")
    yes, no = question.choices.all()
    older = TargetGroupFactory(slug="older", name_en="Older persons")
    submissions = [
        sent_response(
            closed,
            {question: [yes], text_question: "Water is far away"},
            groups=[older],
            publish=True,
        )
        for _ in range(6)
    ]
    sent_response(closed, {question: [no]}, channel="assisted")
    theme = Theme.objects.create(consultation=closed, name_en="Distance to water")
    answer = submissions[0].answers.get(question=text_question)
    Coding.objects.create(answer=answer, theme=theme, is_quote=True)
    report = publish(closed, owner, summary="People want wells.")
    ThemeResponse.objects.create(
        report=report, theme=theme, what_we_heard_en="Too far", response_en="We will dig"
    )
    services.commitment_save(
        consultation=closed,
        actor=editor,
        fields={"action_en": "Dig ten wells", "responsible_body": "Water board"},
    )

    response = client.get(reverse("outcomes:report", kwargs={"slug": "water"}))

    assert response.status_code == 200
    text = response.text
    for expected in (
        "People want wells.",
        "Do you want a well?",
        "Distance to water",
        "Water is far away",
        "We will dig",
        "Dig ten wells",
        "fewer than 5",
        'role="img"',
    ):
        assert expected in text
    assert "Older persons" in text


def test_public_report_shows_follow_up_figures_suppressed(client, closed, owner):
    publish(closed, owner)
    for score in (5, 5, 5, 4, 4, 4, 2):
        FollowUpResponse.objects.create(consultation=closed, felt_heard=score, fair=3)

    response = client.get(reverse("outcomes:report", kwargs={"slug": "water"}))

    follow_up = response.context["follow_up"]
    felt_heard = follow_up["scales"][0]
    assert follow_up["responses"].value == 7
    assert felt_heard["mean"] == 4.14
    assert [p["cell"].value for p in felt_heard["points"]] == [0, None, 0, None, None]
    assert "How participants rated the process" in response.text


def test_public_report_query_count_is_constant(
    client, closed, owner, editor, django_assert_max_num_queries
):
    section = SectionFactory(consultation=closed)
    question = question_with_choices(section, Question.Kind.SINGLE, ["a", "b"])
    sent_response(closed, {question: [question.choices.first()]})
    publish(closed, owner)
    url = reverse("outcomes:report", kwargs={"slug": "water"})
    with django_assert_max_num_queries(25):
        client.get(url)
    for n in range(5):
        question_with_choices(section, Question.Kind.SCALE, ["1", "2", "3"])
        theme = Theme.objects.create(consultation=closed, name_en=f"Theme {n}")
        services.commitment_save(
            consultation=closed,
            actor=editor,
            fields={"action_en": f"Do {n}", "responsible_body": "x", "theme": theme},
        )

    with django_assert_max_num_queries(25):
        response = client.get(url)

    assert response.status_code == 200


# Tracker ---------------------------------------------------------------------------------


def test_tracker_lists_only_commitments_of_published_reports(
    client, organisation, owner, editor, closed
):
    publish(closed, owner)
    services.commitment_save(
        consultation=closed,
        actor=editor,
        fields={"action_en": "Published promise", "responsible_body": "x"},
    )
    draft = ConsultationFactory(organisation=organisation, state=State.CLOSED)
    services.commitment_save(
        consultation=draft,
        actor=editor,
        fields={"action_en": "Secret promise", "responsible_body": "x"},
    )

    response = client.get(reverse("outcomes:tracker"))

    assert "Published promise" in response.text
    assert "Secret promise" not in response.text


def test_tracker_filters_by_status(client, owner, editor, closed):
    publish(closed, owner)
    planned = services.commitment_save(
        consultation=closed,
        actor=editor,
        fields={"action_en": "Still planned", "responsible_body": "x"},
    )
    done = services.commitment_save(
        consultation=closed,
        actor=editor,
        fields={"action_en": "Already done", "responsible_body": "x"},
    )
    services.commitment_update_status(commitment=done, actor=editor, status="done")

    response = client.get(reverse("outcomes:tracker"), {"status": "done"})

    assert "Already done" in response.text
    assert "Last change" in response.text
    assert planned.action not in response.text


def test_tracker_query_count_is_constant_and_paginated(
    client, owner, editor, closed, django_assert_max_num_queries
):
    publish(closed, owner)
    services.commitment_save(
        consultation=closed, actor=editor, fields={"action_en": "One", "responsible_body": "x"}
    )
    with django_assert_max_num_queries(6):
        client.get(reverse("outcomes:tracker"))
    for n in range(30):
        commitment = services.commitment_save(
            consultation=closed,
            actor=editor,
            fields={"action_en": f"Promise {n}", "responsible_body": "x"},
        )
        services.commitment_update_status(commitment=commitment, actor=editor, status="in_progress")

    with django_assert_max_num_queries(6):
        response = client.get(reverse("outcomes:tracker"), {"page": 2})

    assert response.status_code == 200
    assert CommitmentUpdate.objects.count() == 61
    assert response.context["page_obj"].paginator.num_pages == 2
