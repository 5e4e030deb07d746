"""Campaigns and duplicates: grouping exact and near-identical answers, the job, the pages."""

import random
import time

import pytest
from django.urls import reverse

from consult.models import State
from feedback.models import Answer
from outcomes import campaigns, coding
from outcomes.models import Campaign, CampaignMember, Job
from tests.factories import ConsultationFactory, QuestionFactory, SectionFactory, sent_response

CAMPAIGN_TEXT = (
    "We, the undersigned residents, oppose the new highway through the Sungai Kecil "
    "wetlands because it will destroy the mangroves, flood our homes and end fishing "
    "for the families who have lived here for generations."
)
_WORDS_TEXT = (
    "bus clinic school water road market rice flood school fees teacher nurse farm "
    "bridge ferry phone signal electricity price fish harbour youth elders rain forest "
    "jalan sekolah air banjir hospital pasar 学校 医院 道路 இணையம் மருத்துவமனை"
)
WORDS = _WORDS_TEXT.split()


def edited(text: str, rng: random.Random) -> str:
    """A copy with the small edits people make: case, punctuation, a word changed."""
    words = text.split(" ")
    for _ in range(rng.randint(0, 2)):
        words[rng.randrange(len(words))] = rng.choice(["really", "truly", "our", "the"])
    copy = " ".join(words)
    if rng.random() < 0.3:
        copy = copy.upper()
    if rng.random() < 0.3:
        copy = copy.replace(",", "").replace(".", "!")
    return copy + rng.choice(["", " Thank you.", " Please listen.", ""])


def distinct(rng: random.Random, n: int) -> list[str]:
    return [" ".join(rng.sample(WORDS, 12)) + f" number {i}" for i in range(n)]


def corpus(seed: int = 3) -> tuple[list[str], list[bool]]:
    """200 edited copies of one text and 50 distinct answers, shuffled; and which are copies."""
    rng = random.Random(seed)  # noqa: S311 - a repeatable corpus, not a secret
    rows = [(edited(CAMPAIGN_TEXT, rng), True) for _ in range(200)]
    rows += [(text, False) for text in distinct(rng, 50)]
    rng.shuffle(rows)
    return [text for text, _copy in rows], [copy for _text, copy in rows]


# Grouping alone.


def test_normalise_folds_case_width_punctuation_and_spaces():
    assert campaigns.normalise("  Ｓave   the RIVER!!! ") == "save the river"
    assert campaigns.normalise("நீர் வேண்டும்.") == "நீர் வேண்டும்"


def test_group_texts_finds_one_campaign_and_leaves_distinct_answers_alone():
    texts, copies = corpus()

    groups = campaigns.group_texts(texts)

    assert len(groups) == 1
    members = groups[0].members.tolist()
    assert len(members) >= 195
    assert all(copies[i] for i in members)
    assert copies[groups[0].representative]


def test_group_texts_groups_exact_duplicates_even_when_short():
    texts = ["No.", "no", "NO!", "Yes", "A longer and entirely different answer here"]

    groups = campaigns.group_texts(texts)

    assert [sorted(g.members.tolist()) for g in groups] == [[0, 1, 2]]
    assert groups[0].similarity.tolist() == [1.0, 1.0, 1.0]


def test_group_texts_does_not_join_short_different_answers():
    assert campaigns.group_texts(["Yes please", "No thanks", "Maybe later"]) == []


# The job.


@pytest.fixture
def consultation(organisation):
    return ConsultationFactory(organisation=organisation, state=State.CLOSED)


@pytest.fixture
def question(consultation):
    return QuestionFactory(section=SectionFactory(consultation=consultation))


def store(consultation, question, texts) -> list[Answer]:
    return [sent_response(consultation, {question: text}).answers.get() for text in texts]


def run_grouping(consultation, question, user, capture) -> Job:
    with capture(execute=True):
        job = campaigns.campaigns_group_start(
            consultation=consultation, question=question, actor=user
        )
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_grouping_job_stores_one_campaign_and_deletes_nothing(
    consultation, question, analyst, django_capture_on_commit_callbacks
):
    texts, _ = corpus()
    store(consultation, question, texts)

    job = run_grouping(consultation, question, analyst, django_capture_on_commit_callbacks)

    assert (job.state, job.progress) == (Job.State.DONE, 100)
    campaign = Campaign.objects.get()
    assert campaign.size >= 195
    assert campaign.members.count() == campaign.size
    assert Answer.objects.count() == 250
    assert coding.coding_answers(consultation, coding.CodingFilters()).count() == 51


@pytest.mark.django_db
def test_grouping_again_replaces_the_previous_grouping_of_the_question(
    consultation, question, analyst, django_capture_on_commit_callbacks
):
    store(consultation, question, [CAMPAIGN_TEXT] * 3 + ["Something else entirely, said once"])
    run_grouping(consultation, question, analyst, django_capture_on_commit_callbacks)
    store(consultation, question, [CAMPAIGN_TEXT] * 2)

    run_grouping(consultation, question, analyst, django_capture_on_commit_callbacks)

    assert list(Campaign.objects.values_list("size", flat=True)) == [5]
    assert CampaignMember.objects.count() == 5


@pytest.mark.django_db
def test_grouping_every_question_keeps_questions_apart(
    consultation, question, analyst, django_capture_on_commit_callbacks
):
    other = QuestionFactory(section=question.section)
    store(consultation, question, [CAMPAIGN_TEXT] * 2)
    store(consultation, other, [CAMPAIGN_TEXT] * 3)

    run_grouping(consultation, None, analyst, django_capture_on_commit_callbacks)

    assert sorted(Campaign.objects.values_list("question_id", "size")) == sorted(
        [(question.pk, 2), (other.pk, 3)]
    )


@pytest.mark.django_db
def test_campaigns_page_starts_a_job_and_lists_campaigns(
    client_for, consultation, question, analyst, django_capture_on_commit_callbacks
):
    store(consultation, question, [CAMPAIGN_TEXT] * 3)
    url = reverse("outcomes_staff:campaigns", kwargs={"pk": consultation.pk})
    client = client_for(analyst)

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(url, {"question": question.pk})
    page = client.get(url)

    assert started.status_code == 302
    assert page.context["page_obj"].paginator.count == 1
    assert "undersigned" in page.text


@pytest.mark.django_db
def test_campaigns_page_is_404_for_a_facilitator(client_for, consultation, facilitator):
    url = reverse("outcomes_staff:campaigns", kwargs={"pk": consultation.pk})

    assert client_for(facilitator).post(url, {}).status_code == 404
    assert Job.objects.count() == 0


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_grouping_runs_on_the_real_worker(celery_worker, organisation, analyst):
    consultation = ConsultationFactory(organisation=organisation, state=State.CLOSED)
    question = QuestionFactory(section=SectionFactory(consultation=consultation))
    store(consultation, question, [CAMPAIGN_TEXT] * 4 + ["A view of my own, said once"])
    job = campaigns.campaigns_group_start(
        consultation=consultation, question=question, actor=analyst
    )

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.state in (Job.State.DONE, Job.State.FAILED):
            break
        time.sleep(0.2)

    assert (job.state, job.error) == (Job.State.DONE, "")
    assert list(Campaign.objects.values_list("size", flat=True)) == [4]
