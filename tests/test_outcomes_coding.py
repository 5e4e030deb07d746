"""Coding free text: themes, bulk tagging, filters, quotes, permissions, query counts."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEntry
from consult.models import Question, State
from feedback.models import Answer
from outcomes import coding
from outcomes.models import Campaign, CampaignMember, Coding, Theme
from tests.factories import (
    ConsultationFactory,
    QuestionFactory,
    SectionFactory,
    TargetGroupFactory,
    sent_response,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(organisation):
    return ConsultationFactory(organisation=organisation, state=State.CLOSED)


@pytest.fixture
def question(consultation):
    return QuestionFactory(section=SectionFactory(consultation=consultation), text_en="Why?")


def answer_to(consultation, question, text, **kwargs) -> Answer:
    return sent_response(consultation, {question: text}, **kwargs).answers.get()


def coding_url(consultation, **params) -> str:
    from urllib.parse import urlencode

    url = reverse("outcomes_staff:coding", kwargs={"pk": consultation.pk})
    return f"{url}?{urlencode(params)}" if params else url


# Services.


def test_theme_create_stores_names_in_each_language(consultation, analyst):
    theme = coding.theme_create(
        consultation=consultation,
        actor=analyst,
        names={"en": "Buses", "ms": "Bas", "zh-hans": "公共汽车"},
    )

    theme.refresh_from_db()
    assert (theme.name_en, theme.name_ms, theme.name_zh_hans) == ("Buses", "Bas", "公共汽车")
    assert AuditEntry.objects.filter(action="theme.create", object_id=str(theme.pk)).count() == 1


def test_theme_create_refuses_a_name_already_taken(consultation, analyst):
    coding.theme_create(consultation=consultation, actor=analyst, names={"en": "Buses"})

    with pytest.raises(ValidationError):
        coding.theme_create(consultation=consultation, actor=analyst, names={"en": "buses"})


def test_answers_code_codes_many_answers_once(consultation, question, analyst):
    answers = [answer_to(consultation, question, f"answer {i}") for i in range(5)]
    theme = coding.theme_create(consultation=consultation, actor=analyst, names={"en": "T"})

    first = coding.answers_code(theme=theme, actor=analyst, answer_ids=[a.pk for a in answers])
    again = coding.answers_code(theme=theme, actor=analyst, answer_ids=[a.pk for a in answers])

    assert (first, again) == (5, 0)
    assert Coding.objects.filter(theme=theme).count() == 5


def test_answers_code_ignores_answers_of_another_consultation(consultation, question, analyst):
    other = ConsultationFactory(organisation=consultation.organisation)
    stranger = answer_to(
        other, QuestionFactory(section=SectionFactory(consultation=other)), "elsewhere"
    )
    theme = coding.theme_create(consultation=consultation, actor=analyst, names={"en": "T"})

    coded = coding.answers_code(theme=theme, actor=analyst, answer_ids=[stranger.pk])

    assert coded == 0


def test_answers_code_brings_every_member_of_a_campaign(consultation, question, analyst):
    members = [answer_to(consultation, question, "Save the river") for _ in range(4)]
    campaign = Campaign.objects.create(
        consultation=consultation, question=question, representative=members[0], size=4
    )
    CampaignMember.objects.bulk_create(CampaignMember(campaign=campaign, answer=a) for a in members)
    theme = coding.theme_create(consultation=consultation, actor=analyst, names={"en": "River"})

    coded = coding.answers_code(theme=theme, actor=analyst, campaign_ids=[campaign.pk])

    assert coded == 4


def test_answer_uncode_takes_answers_off_the_theme_only(consultation, question, analyst):
    answers = [answer_to(consultation, question, f"answer {i}") for i in range(3)]
    theme = coding.theme_create(consultation=consultation, actor=analyst, names={"en": "T"})
    coding.answers_code(theme=theme, actor=analyst, answer_ids=[a.pk for a in answers])

    removed = coding.answer_uncode(theme=theme, actor=analyst, answer_ids=[answers[0].pk])

    assert removed == 1
    assert Answer.objects.filter(pk=answers[0].pk).exists()
    assert Coding.objects.filter(theme=theme).count() == 2


def test_theme_merge_moves_codings_and_keeps_quotes(consultation, question, analyst):
    one, two = (answer_to(consultation, question, t) for t in ("one", "two"))
    source = coding.theme_create(consultation=consultation, actor=analyst, names={"en": "A"})
    target = coding.theme_create(consultation=consultation, actor=analyst, names={"en": "B"})
    coding.answers_code(theme=source, actor=analyst, answer_ids=[one.pk, two.pk])
    coding.answers_code(theme=target, actor=analyst, answer_ids=[one.pk])
    coding.quote_toggle(coding=Coding.objects.get(theme=source, answer=one), actor=analyst)

    coding.theme_merge(source=source, target=target, actor=analyst)

    assert not Theme.objects.filter(pk=source.pk).exists()
    assert sorted(Coding.objects.filter(theme=target).values_list("answer_id", "is_quote")) == [
        (one.pk, True),
        (two.pk, False),
    ]


def test_theme_delete_keeps_the_answers(consultation, question, analyst):
    answer = answer_to(consultation, question, "kept")
    theme = coding.theme_create(consultation=consultation, actor=analyst, names={"en": "T"})
    coding.answers_code(theme=theme, actor=analyst, answer_ids=[answer.pk])

    coding.theme_delete(theme=theme, actor=analyst)

    assert Answer.objects.filter(pk=answer.pk).exists()
    assert Coding.objects.count() == 0


def test_quote_toggle_turns_a_quote_on_and_off(consultation, question, analyst):
    answer = answer_to(consultation, question, "quotable")
    theme = coding.theme_create(consultation=consultation, actor=analyst, names={"en": "T"})
    coding.answers_code(theme=theme, actor=analyst, answer_ids=[answer.pk])
    item = Coding.objects.get()

    assert coding.quote_toggle(coding=item, actor=analyst) is True
    assert coding.quote_toggle(coding=item, actor=analyst) is False


# Reads: which answers the coding page lists.


def test_free_text_answers_include_reasons_and_other_text(consultation, analyst):
    section = SectionFactory(consultation=consultation)
    reason = QuestionFactory(section=section, kind=Question.Kind.YES_NO, ask_reason=True)
    other = QuestionFactory(section=section, kind=Question.Kind.SINGLE, allow_other=True)
    submission = sent_response(consultation, {reason: "Because the bus is late"})
    Answer.objects.create(submission=submission, question=other, other_text="A ferry")
    sent_response(consultation, {reason: True})

    bodies = sorted(coding.free_text_answers(consultation).values_list("body", flat=True))

    assert bodies == ["A ferry", "Because the bus is late"]


def test_free_text_answers_leave_out_unconfirmed_and_withdrawn(consultation, question):
    answer_to(consultation, question, "counted")
    withdrawn = sent_response(consultation, {question: "withdrawn"})
    withdrawn.state = "withdrawn"
    withdrawn.save()

    bodies = list(coding.free_text_answers(consultation).values_list("body", flat=True))

    assert bodies == ["counted"]


# Pages.


def test_coding_page_lists_answers_for_an_analyst(client_for, analyst, consultation, question):
    answer_to(consultation, question, "The water is brown")

    response = client_for(analyst).get(coding_url(consultation))

    assert response.status_code == 200
    assert "The water is brown" in response.text


@pytest.mark.parametrize("persona", ["outsider", "facilitator"])
def test_coding_page_is_404_for_other_roles(request, client_for, consultation, question, persona):
    user = request.getfixturevalue(persona)

    response = client_for(user).get(coding_url(consultation))

    assert response.status_code == 404


def test_coding_tag_codes_the_selected_answers_in_one_post(
    client_for, analyst, consultation, question
):
    answers = [answer_to(consultation, question, f"answer {i}") for i in range(3)]
    theme = coding.theme_create(consultation=consultation, actor=analyst, names={"en": "T"})
    url = reverse("outcomes_staff:coding_tag", kwargs={"pk": consultation.pk})

    response = client_for(analyst).post(
        url,
        {"theme": theme.pk, "answer": [answers[0].pk, answers[2].pk], "action": "add"},
    )

    assert response.status_code == 302
    assert set(Coding.objects.values_list("answer_id", flat=True)) == {
        answers[0].pk,
        answers[2].pk,
    }


def test_coding_tag_refuses_a_facilitator(client_for, facilitator, analyst, consultation, question):
    answer = answer_to(consultation, question, "answer")
    theme = coding.theme_create(consultation=consultation, actor=analyst, names={"en": "T"})
    url = reverse("outcomes_staff:coding_tag", kwargs={"pk": consultation.pk})

    response = client_for(facilitator).post(
        url, {"theme": theme.pk, "answer": [answer.pk], "action": "add"}
    )

    assert response.status_code == 404
    assert Coding.objects.count() == 0


def test_coding_tag_with_a_theme_of_another_consultation_codes_nothing(
    client_for, analyst, consultation, question
):
    answer = answer_to(consultation, question, "answer")
    other = ConsultationFactory(organisation=consultation.organisation)
    theme = coding.theme_create(consultation=other, actor=analyst, names={"en": "T"})
    url = reverse("outcomes_staff:coding_tag", kwargs={"pk": consultation.pk})

    client_for(analyst).post(url, {"theme": theme.pk, "answer": [answer.pk], "action": "add"})

    assert Coding.objects.count() == 0


def test_coding_change_marks_a_quote(client_for, analyst, consultation, question):
    answer = answer_to(consultation, question, "answer")
    theme = coding.theme_create(consultation=consultation, actor=analyst, names={"en": "T"})
    coding.answers_code(theme=theme, actor=analyst, answer_ids=[answer.pk])
    url = reverse("outcomes_staff:coding_change", kwargs={"pk": consultation.pk})

    client_for(analyst).post(url, {"quote": Coding.objects.get().pk})

    assert Coding.objects.get().is_quote is True


def test_coding_page_filters_by_text_channel_and_uncoded(
    client_for, analyst, consultation, question
):
    answer_to(consultation, question, "Buses are late")
    answer_to(consultation, question, "Buses are full", channel="assisted")
    coded = answer_to(consultation, question, "Buses are dirty")
    theme = coding.theme_create(consultation=consultation, actor=analyst, names={"en": "T"})
    coding.answers_code(theme=theme, actor=analyst, answer_ids=[coded.pk])
    client = client_for(analyst)

    by_text = client.get(coding_url(consultation, q="late")).text
    by_channel = client.get(coding_url(consultation, channel="assisted")).text
    uncoded = client.get(coding_url(consultation, uncoded="on")).text

    assert ("Buses are late" in by_text, "Buses are full" in by_text) == (True, False)
    assert ("Buses are full" in by_channel, "Buses are late" in by_channel) == (True, False)
    assert ("Buses are dirty" in uncoded, "Buses are late" in uncoded) == (False, True)


def test_coding_page_group_filter_shows_a_count_not_the_answers(
    client_for, analyst, consultation, question
):
    older = TargetGroupFactory()
    for i in range(6):
        answer_to(consultation, question, f"older person {i}", groups=[older])
    answer_to(consultation, question, "someone else")

    response = client_for(analyst).get(coding_url(consultation, group=older.pk))

    assert "6 of the matching answers come from people" in response.text
    assert response.context["page_obj"].paginator.count == 7


def test_coding_page_group_filter_hides_small_counts(client_for, analyst, consultation, question):
    older = TargetGroupFactory()
    answer_to(consultation, question, "older person", groups=[older])

    response = client_for(analyst).get(coding_url(consultation, group=older.pk))

    assert "Fewer than 5 of the matching answers" in response.text


def test_coding_page_shows_a_campaign_once_with_its_count(
    client_for, analyst, consultation, question
):
    members = [answer_to(consultation, question, "Save the river") for _ in range(313)]
    campaign = Campaign.objects.create(
        consultation=consultation, question=question, representative=members[0], size=313
    )
    CampaignMember.objects.bulk_create(CampaignMember(campaign=campaign, answer=a) for a in members)
    answer_to(consultation, question, "A different view")

    response = client_for(analyst).get(coding_url(consultation))

    assert response.context["page_obj"].paginator.count == 2
    assert "and 312 near-identical answers" in response.text


def test_campaign_page_lists_every_member(client_for, analyst, consultation, question):
    members = [answer_to(consultation, question, "Save the river") for _ in range(3)]
    campaign = Campaign.objects.create(
        consultation=consultation, question=question, representative=members[0], size=3
    )
    CampaignMember.objects.bulk_create(CampaignMember(campaign=campaign, answer=a) for a in members)
    url = reverse(
        "outcomes_staff:campaign", kwargs={"pk": consultation.pk, "campaign_pk": campaign.pk}
    )

    response = client_for(analyst).get(url)

    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == 3


def test_theme_create_page_adds_a_theme_with_translations(client_for, analyst, consultation):
    url = reverse("outcomes_staff:theme_create", kwargs={"pk": consultation.pk})

    response = client_for(analyst).post(url, {"name_en": "Water", "name_ar": "ماء"})

    assert response.status_code == 302
    theme = Theme.objects.get()
    assert (theme.name_en, theme.name_ar) == ("Water", "ماء")


def test_theme_create_page_shows_an_error_without_a_name(client_for, analyst, consultation):
    url = reverse("outcomes_staff:theme_create", kwargs={"pk": consultation.pk})

    response = client_for(analyst).post(url, {"name_ms": "Air"})

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert Theme.objects.count() == 0


def test_theme_pages_rename_merge_and_delete(client_for, analyst, consultation, question):
    client = client_for(analyst)
    first = coding.theme_create(consultation=consultation, actor=analyst, names={"en": "A"})
    second = coding.theme_create(consultation=consultation, actor=analyst, names={"en": "B"})
    kwargs = {"pk": consultation.pk, "theme_pk": first.pk}

    client.post(reverse("outcomes_staff:theme_edit", kwargs=kwargs), {"name_en": "Aa"})
    client.post(reverse("outcomes_staff:theme_merge", kwargs=kwargs), {"target": second.pk})
    client.post(
        reverse(
            "outcomes_staff:theme_delete", kwargs={"pk": consultation.pk, "theme_pk": second.pk}
        )
    )

    assert Theme.objects.count() == 0
    assert list(
        AuditEntry.objects.filter(action__startswith="theme.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["theme.create", "theme.create", "theme.rename", "theme.merge", "theme.delete"]


def test_theme_page_of_another_consultation_is_404(client_for, analyst, outsider, consultation):
    theirs = ConsultationFactory(organisation=outsider.memberships.get().organisation)
    theme = coding.theme_create(consultation=theirs, actor=outsider, names={"en": "T"})
    url = reverse("outcomes_staff:theme_edit", kwargs={"pk": consultation.pk, "theme_pk": theme.pk})

    response = client_for(analyst).get(url)

    assert response.status_code == 404


# Query counts: the same whatever the number of answers and themes.


def _fill(consultation, question, analyst, n):
    theme = coding.theme_create(consultation=consultation, actor=analyst, names={"en": f"T{n}"})
    answers = [answer_to(consultation, question, f"answer {i}") for i in range(n)]
    coding.answers_code(theme=theme, actor=analyst, answer_ids=[a.pk for a in answers])


@pytest.mark.parametrize("n", [1, 30])
def test_coding_page_query_count_is_constant(
    client_for, analyst, consultation, question, django_assert_max_num_queries, n
):
    _fill(consultation, question, analyst, n)
    client = client_for(analyst)
    client.get(coding_url(consultation))

    with django_assert_max_num_queries(13):
        response = client.get(coding_url(consultation, q="answer", uncoded=""))

    assert response.status_code == 200
