"""Coding free text and the follow-up survey in a real browser, with axe-core and the Nu
checker: the coding page in English and Arabic, the survey in Malay and Arabic."""

import pytest
from django.utils import timezone

from consult.models import State, TargetGroup
from feedback.models import Answer
from outcomes import campaigns, coding
from outcomes.follow_up import follow_up_invitations_create
from outcomes.models import Coding, FollowUpResponse, Job, SuggestedTheme, Theme
from tests.conftest import assert_accessible, sign_in
from tests.factories import (
    ConsultationFactory,
    ParticipantFactory,
    QuestionFactory,
    SectionFactory,
    TargetGroupFactory,
    sent_response,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def consultation(organisation):
    consultation = ConsultationFactory(organisation=organisation, state=State.CLOSED)
    question = QuestionFactory(
        section=SectionFactory(consultation=consultation), text_en="What should change?"
    )
    group = TargetGroupFactory()
    texts = ["The buses never come on time", "نحتاج إلى مياه نظيفة", "Bas tidak datang"]
    for text, language in zip(texts, ["en", "ar", "ms"], strict=True):
        sent_response(consultation, {question: text}, language=language, groups=[group])
    for _ in range(3):
        sent_response(consultation, {question: "Save the river from the new dam, please"})
    job = Job.objects.create(consultation=consultation, kind=Job.Kind.GROUP_CAMPAIGNS)
    campaigns.campaigns_group_run(job_id=job.pk)
    return consultation


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_coding_page_codes_selected_answers_and_is_accessible(page, analyst, consultation, lang):
    theme = coding.theme_create(
        consultation=consultation, actor=analyst, names={"en": "Transport", "ar": "النقل"}
    )
    sign_in(page, analyst, lang)
    page.goto(f"/{lang}/staff/analysis/{consultation.pk}/coding/")
    assert_accessible(page, f"coding-{lang}")

    page.locator("input[name=answer]").first.check()
    page.locator("input[name=campaign]").first.check()
    page.locator("#tag_theme").select_option(str(theme.pk))
    page.locator("button[name=action][value=add]").click()
    page.wait_for_load_state()

    assert Coding.objects.filter(theme=theme).count() == 4
    page.locator("button[name=quote]").first.click()
    page.wait_for_load_state()
    assert Coding.objects.filter(theme=theme, is_quote=True).count() == 1
    assert_accessible(page, f"coding-coded-{lang}")


def test_coding_pages_around_it_are_accessible(page, analyst, consultation):
    theme = coding.theme_create(consultation=consultation, actor=analyst, names={"en": "Water"})
    sign_in(page, analyst)
    base = f"/en/staff/analysis/{consultation.pk}"

    page.goto(f"{base}/coding/?q=bus&group={TargetGroup.objects.first().pk}")
    assert_accessible(page, "coding-filtered")
    page.goto(f"{base}/themes/new/")
    page.get_by_role("button", name="Save").click()
    assert_accessible(page, "coding-theme-errors")
    page.locator("#id_name_en").fill("Buses")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert Theme.objects.count() == 2
    page.goto(f"{base}/themes/{theme.pk}/merge/")
    assert_accessible(page, "coding-theme-merge")
    page.goto(f"{base}/campaigns/")
    assert_accessible(page, "coding-campaigns")
    page.get_by_role("link", name="Save the river").click()
    assert_accessible(page, "coding-campaign")
    Job.objects.create(consultation=consultation, kind=Job.Kind.SUGGEST_THEMES)
    page.goto(f"{base}/suggestions/")
    assert page.locator("progress").count() == 1
    assert_accessible(page, "coding-suggestions-running")


@pytest.mark.parametrize("lang", ["ms", "ar"])
def test_follow_up_survey_journey_is_accessible(page, consultation, lang):
    invitation = follow_up_invitations_create(
        consultation=consultation, participants=[ParticipantFactory()]
    ).get()
    url = f"/{lang}/follow-up/{invitation.token}/"

    page.goto(url)
    assert_accessible(page, f"follow-up-{lang}")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    assert_accessible(page, f"follow-up-errors-{lang}")
    page.locator("input[name=felt_heard][value='4']").check()
    page.locator("input[name=reflects][value='2']").check()
    page.locator("#id_what_should_change").fill("Lebih banyak mesyuarat di kampung")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    assert_accessible(page, f"follow-up-thanks-{lang}")

    page.goto(url)
    assert_accessible(page, f"follow-up-used-{lang}")
    assert FollowUpResponse.objects.get().language == lang


def test_suggestions_review_in_the_browser(page, analyst, consultation):
    coding.theme_create(consultation=consultation, actor=analyst, names={"en": "Rivers"})
    job = Job.objects.create(
        consultation=consultation,
        kind=Job.Kind.SUGGEST_THEMES,
        state=Job.State.DONE,
        progress=100,
        finished_at=timezone.now(),
    )
    answer = Answer.objects.filter(text__startswith="The buses").get()
    for label in ("buses, time", "water, clean"):
        suggestion = SuggestedTheme.objects.create(
            job=job, label=label, terms=label.split(", "), size=1
        )
        suggestion.answers.set([answer])
    job.result = {"central": {str(suggestion.pk): answer.pk}}
    job.save()
    sign_in(page, analyst, "ar")

    page.goto(f"/ar/staff/analysis/{consultation.pk}/suggestions/")
    assert_accessible(page, "coding-suggestions-review-ar")
    page.locator("form:has(input[value=accept])").first.locator("input[name=name]").fill("Buses")
    page.locator("form:has(input[value=accept])").first.locator("button").click()
    page.wait_for_load_state()

    assert Coding.objects.filter(theme__name_en="Buses", from_suggestion=True).count() == 1
    assert_accessible(page, "coding-suggestions-accepted-ar")
