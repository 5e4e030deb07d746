"""Results per question and "who has been heard": figures against hand-computed ones."""

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from consult.models import Question, State
from outcomes import queries
from outcomes.models import Baseline
from tests.factories import (
    ConsultationFactory,
    SectionFactory,
    TargetGroupFactory,
    consultation_with_every_kind,
    question_with_choices,
    sent_response,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.SUPPRESSION_THRESHOLD = 5


def by_kind(consultation):
    return {q.kind: q for q in queries.questions_for(consultation)}


def result_of(results, question):
    return next(r for r in results if r["question"].pk == question.pk)


def counts(result):
    return [option["cell"].value for option in result["options"]]


# Suppression -------------------------------------------------------------------------


def test_suppress_hides_counts_below_the_threshold_only():
    cells = queries.suppress({"four": 4, "five": 5, "six": 6, "zero": 0})

    assert [cells[k].value for k in ("four", "five", "six", "zero")] == [None, 5, 6, 0]
    assert cells["four"].hidden == "small"


def test_suppress_hides_the_next_smallest_when_one_cell_of_a_line_is_hidden():
    cells = queries.suppress({"a": 4, "b": 6, "c": 5, "total": 15}, [["a", "b", "c", "total"]])

    assert {k: c.hidden for k, c in cells.items()} == {
        "a": "small",
        "b": "",
        "c": "complementary",
        "total": "",
    }


def test_suppress_needs_no_complement_when_two_cells_are_hidden():
    cells = queries.suppress({"a": 4, "b": 3, "c": 10}, [["a", "b", "c"]])

    assert [cells[k].value for k in "abc"] == [None, None, 10]


def test_suppress_prefers_a_non_zero_complement():
    cells = queries.suppress({"a": 2, "b": 0, "c": 9, "d": 7}, [["a", "b", "c", "d"]])

    assert [cells[k].value for k in "abcd"] == [None, 0, 9, None]


def test_suppress_follows_lines_in_both_directions():
    # A 2x2 table: hiding (1,1) hides its row and column neighbours, then the far corner.
    counts = {(1, 1): 3, (1, 2): 8, (2, 1): 9, (2, 2): 20}
    lines = [[(1, 1), (1, 2)], [(2, 1), (2, 2)], [(1, 1), (2, 1)], [(1, 2), (2, 2)]]

    cells = queries.suppress(counts, lines)

    assert all(cell.hidden for cell in cells.values())


# Results ------------------------------------------------------------------------------


@pytest.fixture
def survey():
    consultation = consultation_with_every_kind(state=State.CLOSED)
    return consultation, by_kind(consultation)


def test_results_of_a_single_choice_question_match_hand_counts(survey):
    consultation, q = survey
    bus, train, _walking = q["single"].choices.all()
    for _ in range(6):
        sent_response(consultation, {q["single"]: [bus]})
    for _ in range(5):
        sent_response(consultation, {q["single"]: [train]})

    result = result_of(queries.results(consultation), q["single"])

    assert result["respondents"].value == 11
    assert counts(result) == [6, 5, 0]
    assert [o["share"] for o in result["options"]] == [54.5, 45.5, 0.0]


def test_results_count_every_option_of_a_list_longer_than_one_statement_takes():
    consultation = ConsultationFactory(state=State.CLOSED)
    places = question_with_choices(
        SectionFactory(consultation=consultation),
        Question.Kind.SINGLE,
        [f"Village {n}" for n in range(501)],
    )
    first, last = places.choices.first(), places.choices.last()
    for choice, n in ((first, 5), (last, 6)):
        for _ in range(n):
            sent_response(consultation, {places: [choice]})

    result = result_of(queries.results(consultation), places)

    assert result["respondents"].value == 11
    assert (counts(result)[0], counts(result)[-1], sum(counts(result))) == (5, 6, 11)


def test_results_suppress_a_choice_picked_by_four_and_its_complement(survey):
    consultation, q = survey
    bus, train, walking = q["single"].choices.all()
    for choice, n in ((bus, 4), (train, 6), (walking, 9)):
        for _ in range(n):
            sent_response(consultation, {q["single"]: [choice]})

    result = result_of(queries.results(consultation), q["single"])

    assert counts(result) == [None, None, 9]
    assert [o["cell"].hidden for o in result["options"]] == ["small", "complementary", ""]
    assert result["respondents"].value == 19


def test_results_of_a_scale_give_distribution_and_mean_by_position(survey):
    consultation, q = survey
    points = list(q["scale"].choices.all())
    # 5 x "Poor" (2), 5 x "Good" (4), 6 x "Very good" (5): mean = (10+20+30)/16 = 3.75
    for choice, n in ((points[1], 5), (points[3], 5), (points[4], 6)):
        for _ in range(n):
            sent_response(consultation, {q["scale"]: [choice]})

    result = result_of(queries.results(consultation), q["scale"])

    assert counts(result) == [0, 5, 0, 5, 6]
    assert result["mean"] == 3.75


def test_results_of_a_ranking_give_mean_rank_and_borda_score(survey):
    consultation, q = survey
    schools, clinics, roads = q["ranking"].choices.all()
    for _ in range(5):
        sent_response(consultation, {q["ranking"]: [schools, clinics, roads]})
    for _ in range(5):
        sent_response(consultation, {q["ranking"]: [clinics, schools, roads]})

    options = result_of(queries.results(consultation), q["ranking"])["options"]

    assert [o["mean_rank"] for o in options] == [1.5, 1.5, 3.0]
    # Borda with 3 items: first = 3, second = 2, third = 1 point.
    assert [o["borda"] for o in options] == [25, 25, 10]


def test_results_of_multiple_choice_count_every_option_picked(survey):
    consultation, q = survey
    cost, safety, _time = q["multiple"].choices.all()
    for _ in range(5):
        sent_response(consultation, {q["multiple"]: [cost, safety]})
    for _ in range(5):
        sent_response(consultation, {q["multiple"]: [cost]})

    result = result_of(queries.results(consultation), q["multiple"])

    assert result["respondents"].value == 10
    assert counts(result) == [10, 5, 0]
    assert [o["share"] for o in result["options"]] == [100.0, 50.0, 0.0]


def test_results_of_yes_no_numbers_and_text(survey):
    consultation, q = survey
    for n in (1, 2, 3, 4, 10, 50):
        sent_response(
            consultation,
            {q["yes_no"]: n < 10, q["number"]: n, q["text"]: f"view {n}"},
        )

    results = queries.results(consultation)

    yes_no = result_of(results, q["yes_no"])
    assert counts(yes_no) == [None, None]  # 4 yes, 2 no: both below the threshold
    number = result_of(results, q["number"])
    assert number["number"] == {"count": 6, "min": "1", "max": "50", "mean": "11.67"}
    # Bins over the question's limits 1..50, width 9.8: 1-10.8 holds 1,2,3,4,10; the last 50.
    # The last bin (1) is hidden, so the next smallest (5) is hidden with it.
    assert number["options"][0]["label"] == "1 – 10.8"
    assert counts(number) == [None, 0, 0, 0, None]
    assert [o["cell"].count for o in number["options"]] == [5, 0, 0, 0, 1]
    assert result_of(results, q["text"])["texts"].value == 6


def test_results_leave_out_drafts_withdrawn_and_unconfirmed(survey):
    consultation, q = survey
    consultation.mode = consultation.Mode.EMAIL_CONFIRMED
    consultation.save()
    bus = q["single"].choices.first()
    for _ in range(5):
        sent_response(consultation, {q["single"]: [bus]}, channel="assisted")
    unconfirmed = sent_response(consultation, {q["single"]: [bus]}, channel="online")
    withdrawn = sent_response(consultation, {q["single"]: [bus]}, channel="assisted")
    withdrawn.state = "withdrawn"
    withdrawn.save()

    result = result_of(queries.results(consultation), q["single"])

    assert result["respondents"].value == 5
    assert unconfirmed.pk


def test_results_of_every_kind_leave_out_drafts_withdrawn_and_unconfirmed(survey):
    consultation, q = survey
    consultation.mode = consultation.Mode.EMAIL_CONFIRMED
    consultation.save()
    cost, safety, _time = q["multiple"].choices.all()
    schools, clinics, roads = q["ranking"].choices.all()
    answers = {
        q["multiple"]: [cost, safety],
        q["ranking"]: [schools, clinics, roads],
        q["yes_no"]: True,
        q["number"]: 7,
        q["text"]: "a view",
    }
    for _ in range(5):
        sent_response(consultation, answers, channel="assisted")
    sent_response(consultation, answers | {q["number"]: 50}, channel="online")  # unconfirmed
    for state in ("withdrawn", "draft"):
        left_out = sent_response(
            consultation, answers | {q["ranking"]: [roads, clinics, schools]}, channel="api"
        )
        left_out.state = state
        left_out.save()

    results = queries.results(consultation)

    assert counts(result_of(results, q["multiple"])) == [5, 5, 0]
    ranking = result_of(results, q["ranking"])
    assert counts(ranking) == [5, 5, 5]
    assert [o["mean_rank"] for o in ranking["options"]] == [1.0, 2.0, 3.0]
    assert counts(result_of(results, q["yes_no"])) == [5, 0]
    number = result_of(results, q["number"])
    assert number["number"] == {"count": 5, "min": "7", "max": "7", "mean": "7"}
    assert result_of(results, q["text"])["texts"].value == 5


def test_results_put_a_number_on_a_bin_edge_in_the_upper_bin(survey):
    consultation, q = survey
    # Bins over 1..50 are 9.8 wide: 10.8 opens the second bin, 50 closes the last.
    for n in (10.8, 10.8, 10.8, 10.8, 10.8, 50, 50, 50, 50, 50):
        sent_response(consultation, {q["number"]: n})

    number = result_of(queries.results(consultation), q["number"])

    assert counts(number) == [0, 5, 0, 0, 5]


def test_results_filter_by_channel_and_language(survey):
    consultation, q = survey
    bus, train, _walking = q["single"].choices.all()
    for _ in range(5):
        sent_response(consultation, {q["single"]: [bus]}, channel="assisted", language="ms")
    for _ in range(7):
        sent_response(consultation, {q["single"]: [train]}, channel="online", language="ms")
    for _ in range(8):
        sent_response(consultation, {q["single"]: [train]}, channel="assisted", language="en")

    result = result_of(
        queries.results(consultation, channel="assisted", language="ms"), q["single"]
    )

    assert counts(result) == [5, 0, 0]


def test_results_break_down_by_channel_with_suppression(survey):
    consultation, q = survey
    bus, train, _walking = q["single"].choices.all()
    for channel, choice, n in (
        ("online", bus, 10),
        ("online", train, 6),
        ("api", bus, 5),
        ("api", train, 5),
        ("assisted", bus, 3),
    ):
        for _ in range(n):
            sent_response(consultation, {q["single"]: [choice]}, channel=channel)

    split = result_of(queries.results(consultation, breakdown="channel"), q["single"])["breakdown"]

    assert [c["label"] for c in split["columns"]] == [
        "Online",
        "Through a facilitator",
        "Partner app",
    ]
    # Assisted has 3 people: its cells go, and in each line the next smallest goes with them.
    assert [c["total"].value for c in split["columns"]] == [16, None, None]
    assert [e["cell"].value for e in split["rows"][0]["cells"]] == [10, None, None]
    # "Train, assisted" is a hidden zero: working it out tells nothing, so no complement.
    assert [e["cell"].value for e in split["rows"][1]["cells"]] == [6, None, 5]


def test_results_break_down_by_group_at_four_five_and_six(survey):
    consultation, q = survey
    bus = q["single"].choices.first()
    groups = [TargetGroupFactory(slug=f"g{n}", name_en=f"Group of {n}") for n in (4, 5, 6)]
    for group, n in zip(groups, (4, 5, 6), strict=True):
        for _ in range(n):
            sent_response(consultation, {q["single"]: [bus]}, groups=[group])

    split = result_of(queries.results(consultation, breakdown="group"), q["single"])["breakdown"]

    assert [c["label"] for c in split["columns"]] == ["Group of 4", "Group of 5", "Group of 6"]
    assert [c["total"].hidden for c in split["columns"]] == ["small", "complementary", ""]
    assert [e["cell"].value for e in split["rows"][0]["cells"]] == [None, None, 6]


def test_results_by_channel_language_and_group_count_responses_as_the_services_store_them():
    """Every way a response arrives (API, facilitator, web form) stores its chosen options
    with its channel and language, and monitoring links them to the person's groups."""
    from feedback import services
    from feedback.forms import AnswerData

    consultation = consultation_with_every_kind(state=State.OPEN)
    q = by_kind(consultation)
    bus, train, walking = q["single"].choices.all()
    questions = list(queries.questions_for(consultation))
    group = TargetGroupFactory(slug="elders", name_en="Older persons")

    def answers(choice):
        return [
            AnswerData(question=q["text"], text="Buses"),
            AnswerData(question=q["single"], choices=[(choice.pk, None)]),
        ]

    def receive(channel, language, choice, **extra):
        return services.submission_receive(
            consultation=consultation,
            channel=channel,
            answers=answers(choice),
            questions=questions,
            idempotency_key=uuid.uuid4(),
            language=language,
            **extra,
        ).submission

    for _ in range(5):
        submission = receive("api", "ms", bus)
        services.monitoring_save(
            submission=submission,
            fields={"age_band": "65_plus", "group_ids": [group.pk]},
            consent_wording="About you",
            language="ms",
        )
    for _ in range(6):
        receive("assisted", "ms", train, received_via="paper", place="Kampung hall")
    services.submission_withdraw(submission=receive("api", "ms", bus))
    for _ in range(5):
        draft = services.submission_start(
            consultation=consultation, language="en", idempotency_key=uuid.uuid4()
        ).submission
        services.answers_save(submission=draft, answers=answers(walking))
        services.submission_submit(submission=draft, questions=questions)

    filtered = result_of(queries.results(consultation, channel="api", language="ms"), q["single"])
    by_group = result_of(
        queries.results(consultation, language="ms", breakdown="group"), q["single"]
    )["breakdown"]
    by_language = result_of(queries.results(consultation, breakdown="language"), q["single"])[
        "breakdown"
    ]

    assert counts(filtered) == [5, 0, 0]
    assert [(c["label"], c["total"].value) for c in by_group["columns"]] == [
        ("Older persons", 5),
        ("Not stated", 6),
    ]
    assert [e["cell"].value for e in by_group["rows"][0]["cells"]] == [5, 0]
    assert [(c["key"], c["total"].value) for c in by_language["columns"]] == [("en", 5), ("ms", 11)]
    assert [e["cell"].value for e in by_language["rows"][2]["cells"]] == [5, 0]


def test_results_break_down_scale_means_per_language(survey):
    consultation, q = survey
    points = list(q["scale"].choices.all())
    for _ in range(5):
        sent_response(consultation, {q["scale"]: [points[0]]}, language="ar")
    for _ in range(5):
        sent_response(consultation, {q["scale"]: [points[4]]}, language="ar")
    for _ in range(5):
        sent_response(consultation, {q["scale"]: [points[2]]}, language="en")

    split = result_of(queries.results(consultation, breakdown="language"), q["scale"])["breakdown"]

    assert [(c["label"], c["mean"]) for c in split["columns"]] == [
        (queries.language_label("ar"), 3.0),
        ("English", 3.0),
    ]


def test_report_figures_query_count_is_constant(survey, django_assert_max_num_queries):
    consultation, q = survey
    bus = q["single"].choices.first()
    sent_response(consultation, {q["single"]: [bus], q["number"]: 3, q["text"]: "x"})
    with django_assert_max_num_queries(12):
        queries.report_figures(consultation, breakdown="group")
    section = SectionFactory(consultation=consultation)
    for n in range(10):
        question_with_choices(section, Question.Kind.SINGLE, ["a", "b"])
        question_with_choices(section, Question.Kind.NUMBER, [], text_en=f"n{n}")
    for _ in range(10):
        sent_response(consultation, {q["single"]: [bus], q["number"]: 7})

    with django_assert_max_num_queries(12):
        figures = queries.report_figures(consultation, breakdown="group")

    assert len(figures["results"]) == 27


# Who has been heard -----------------------------------------------------------------------


def test_who_has_been_heard_flags_groups_below_eighty_percent_of_expected():
    consultation = ConsultationFactory(state=State.OPEN)
    older = TargetGroupFactory(slug="older", name_en="Older persons")
    youth = TargetGroupFactory(slug="youth", name_en="Youth")
    rural = TargetGroupFactory(slug="rural", name_en="Rural communities")
    for _ in range(5):
        sent_response(consultation, groups=[older])
    for _ in range(15):
        sent_response(consultation, groups=[youth])
    Baseline.objects.create(
        consultation=consultation, dimension="group", key="older", expected_share=Decimal("40")
    )
    Baseline.objects.create(
        consultation=consultation, dimension="group", key="youth", expected_share=Decimal("20")
    )
    Baseline.objects.create(
        consultation=consultation, dimension="group", key="rural", expected_share=Decimal("10")
    )

    heard = queries.who_has_been_heard(consultation)

    groups = next(d for d in heard["dimensions"] if d["name"] == "group")
    rows = {row["key"]: row for row in groups["rows"]}
    assert heard["total"].value == 20
    assert (rows["older"]["cell"].value, rows["older"]["share"], rows["older"]["under"]) == (
        5,
        25.0,
        True,
    )
    assert (rows["youth"]["share"], rows["youth"]["under"]) == (75.0, False)
    assert (rows["rural"]["cell"].value, rows["rural"]["under"]) == (0, True)
    assert rural.name == "Rural communities"


def test_who_has_been_heard_suppresses_small_channels_and_regions():
    consultation = ConsultationFactory(state=State.OPEN)
    for _ in range(9):
        sent_response(consultation, channel="online", age_band="65_plus")
    for _ in range(2):
        sent_response(consultation, channel="import", age_band="18_24")

    heard = queries.who_has_been_heard(consultation)

    channels = next(d for d in heard["dimensions"] if d["name"] == "channel")
    assert [(r["label"], r["cell"].value) for r in channels["rows"]] == [
        ("Online", None),
        ("Imported paper response", None),
    ]
    ages = next(d for d in heard["dimensions"] if d["name"] == "age_band")
    assert [r["cell"].value for r in ages["rows"]] == [None, None]


def test_who_has_been_heard_query_count_is_constant(django_assert_max_num_queries):
    consultation = ConsultationFactory(state=State.OPEN)
    for n in range(6):
        group = TargetGroupFactory(slug=f"group-{n}")
        sent_response(consultation, groups=[group], age_band="25_34")
        Baseline.objects.create(
            consultation=consultation, dimension="group", key=f"group-{n}", expected_share=5
        )

    with django_assert_max_num_queries(10):
        queries.who_has_been_heard(consultation)


# Analysis pages --------------------------------------------------------------------------


def test_analysis_results_page_shows_figures_to_an_analyst(
    client_for, analyst, organisation, django_assert_max_num_queries
):
    consultation = consultation_with_every_kind(organisation=organisation, state=State.CLOSED)
    single = by_kind(consultation)["single"]
    bus = single.choices.first()
    for _ in range(7):
        sent_response(consultation, {single: [bus]}, channel="assisted")
    client = client_for(analyst)
    url = reverse("outcomes_staff:results", kwargs={"pk": consultation.pk})

    with django_assert_max_num_queries(25):
        response = client.get(url, {"breakdown": "channel", "channel": "assisted"})

    assert response.status_code == 200
    assert "How do you travel?" in response.text
    assert ">7<" in response.text


def test_analysis_pages_are_hidden_from_another_organisation(client_for, outsider, organisation):
    consultation = ConsultationFactory(organisation=organisation, state=State.CLOSED)
    client = client_for(outsider)

    for name in ("results", "heard"):
        response = client.get(reverse(f"outcomes_staff:{name}", kwargs={"pk": consultation.pk}))
        assert response.status_code == 404


def test_analysis_pages_refuse_a_facilitator(client_for, facilitator, organisation):
    consultation = ConsultationFactory(organisation=organisation, state=State.CLOSED)

    response = client_for(facilitator).get(
        reverse("outcomes_staff:results", kwargs={"pk": consultation.pk})
    )

    assert response.status_code == 404


def test_baseline_form_adds_a_baseline(client_for, editor, organisation):
    consultation = ConsultationFactory(organisation=organisation, state=State.OPEN)
    TargetGroupFactory(slug="older", name_en="Older persons")
    url = reverse("outcomes_staff:baseline_add", kwargs={"pk": consultation.pk})

    response = client_for(editor).post(
        url,
        {"dimension": "group", "key": "older", "expected_share": "12.5", "source": "Census 2020"},
    )

    assert response.status_code == 302
    baseline = Baseline.objects.get(consultation=consultation)
    assert (baseline.key, baseline.expected_share) == ("older", Decimal("12.50"))


def test_baseline_form_refuses_a_facilitator(client_for, facilitator, organisation):
    consultation = ConsultationFactory(organisation=organisation, state=State.OPEN)
    url = reverse("outcomes_staff:baseline_add", kwargs={"pk": consultation.pk})

    response = client_for(facilitator).post(
        url, {"dimension": "group", "key": "x", "expected_share": "1"}
    )

    assert response.status_code == 404
    assert not Baseline.objects.exists()
