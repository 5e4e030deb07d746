"""Suggested themes: clustering a planted multilingual corpus, review, the Celery task."""

import datetime as dt
import random
import time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from consult.models import State
from outcomes import coding, suggest
from outcomes.models import Campaign, CampaignMember, Coding, Job, SuggestedTheme, Theme
from tests.factories import ConsultationFactory, QuestionFactory, SectionFactory, sent_response

WATER = [
    "The tap water in our village is brown and smells bad",
    "We need clean drinking water, the pipes are old and rusty",
    "Water supply stops every evening, please fix the water pipes",
    "Our children get sick from dirty water, we need a water filter",
    "The water pressure is too low and the tap is often dry",
]
BUSES = [
    "Bas ke pekan tidak datang tepat pada masanya",
    "Kami perlukan lebih banyak bas awam untuk ke sekolah dan hospital",
    "Jalan ke kampung kami rosak dan bas tidak boleh lalu",
    "Tambang bas terlalu mahal untuk warga emas",
    "Perkhidmatan bas pada hujung minggu perlu ditambah",
]
SCHOOLS = [
    "学校离家太远，孩子每天要走很久",
    "我们需要更多的老师和更好的教室",
    "学校的厕所很脏，需要修理",
    "孩子们的课本不够用，学校应该提供免费课本",
    "希望学校开设母语课程和课后辅导",
]
TOPICS = [("en", WATER), ("ms", BUSES), ("zh-hans", SCHOOLS)]


def planted_corpus(per_topic: int = 30, seed: int = 1) -> list[tuple[int, str, str]]:
    """(topic, language, text): three clearly different topics in three scripts."""
    rng = random.Random(seed)  # noqa: S311 - a repeatable corpus, not a secret
    rows = []
    for topic, (language, sentences) in enumerate(TOPICS):
        for _ in range(per_topic):
            words = rng.choice(sentences).split(" ")
            if len(words) > 3 and rng.random() < 0.5:
                words.insert(rng.randrange(len(words)), rng.choice(["really", "sangat", "also"]))
            rows.append((topic, language, " ".join(words) + rng.choice(["", ".", "!"])))
    return rows


@pytest.fixture
def consultation(organisation):
    return ConsultationFactory(organisation=organisation, state=State.CLOSED)


@pytest.fixture
def question(consultation):
    return QuestionFactory(section=SectionFactory(consultation=consultation))


@pytest.fixture
def planted(consultation, question):
    """Answer id → topic, for the planted corpus stored as answers."""
    topics = {}
    for topic, language, text in planted_corpus():
        submission = sent_response(consultation, {question: text}, language=language)
        topics[submission.answers.get().pk] = topic
    return topics


def run_suggestions(consultation, question, user, capture) -> Job:
    with capture(execute=True):
        job = suggest.suggest_themes_start(consultation=consultation, question=question, actor=user)
    job.refresh_from_db()
    return job


# The task end to end, on the real worker.


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_suggest_themes_runs_on_the_real_worker(celery_worker, organisation, analyst):
    consultation = ConsultationFactory(organisation=organisation, state=State.CLOSED)
    question = QuestionFactory(section=SectionFactory(consultation=consultation))
    for _topic, language, text in planted_corpus():
        sent_response(consultation, {question: text}, language=language)
    job = suggest.suggest_themes_start(consultation=consultation, question=None, actor=analyst)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.state in (Job.State.DONE, Job.State.FAILED):
            break
        time.sleep(0.2)

    assert (job.state, job.progress, job.error) == (Job.State.DONE, 100, "")
    assert job.suggestions.count() >= 3


# Clustering alone.


def test_cluster_texts_keeps_three_topics_in_three_scripts_apart():
    rows = planted_corpus()

    clusters = suggest.cluster_texts([text for _topic, _language, text in rows])

    topics_per_cluster = [{rows[i][0] for i in cluster.members} for cluster in clusters]
    assert all(len(topics) == 1 for topics in topics_per_cluster)
    assert set().union(*topics_per_cluster) == {0, 1, 2}
    assert sum(len(cluster.members) for cluster in clusters) == 90


def test_cluster_texts_labels_with_words_or_characters_by_script():
    rows = planted_corpus()

    clusters = suggest.cluster_texts([text for _topic, _language, text in rows])

    for cluster in clusters:
        topic = rows[cluster.members[0]][0]
        text = " ".join(rows[i][2] for i in cluster.members)
        assert cluster.terms, f"no terms for topic {topic}"
        assert all(term in text.casefold() or term in text for term in cluster.terms)
        if topic == 2:  # Chinese: character n-grams, no spaces inside
            assert all(" " not in term for term in cluster.terms)


def test_cluster_texts_with_too_few_texts_suggests_nothing():
    assert suggest.cluster_texts(["one", "two", "three"]) == []


# The job and the review.


@pytest.mark.django_db
def test_suggest_themes_job_stores_pure_suggestions(
    consultation, question, planted, analyst, django_capture_on_commit_callbacks
):
    job = run_suggestions(consultation, question, analyst, django_capture_on_commit_callbacks)

    assert (job.state, job.progress) == (Job.State.DONE, 100)
    suggestions = list(job.suggestions.all())
    assert len(suggestions) >= 3
    for suggestion in suggestions:
        topics = {planted[pk] for pk in suggestion.answers.values_list("pk", flat=True)}
        assert len(topics) == 1
        assert suggestion.size == suggestion.answers.count()
    assert sum(s.size for s in suggestions) == 90
    assert Theme.objects.count() == 0  # nothing is a theme until an analyst says so


@pytest.mark.django_db
def test_suggest_themes_counts_a_campaign_once_with_its_weight(
    consultation, question, planted, analyst, django_capture_on_commit_callbacks
):
    copies = [
        sent_response(consultation, {question: "Stop the dam on our river"}).answers.get()
        for _ in range(20)
    ]
    campaign = Campaign.objects.create(
        consultation=consultation, question=question, representative=copies[0], size=20
    )
    CampaignMember.objects.bulk_create(CampaignMember(campaign=campaign, answer=a) for a in copies)

    job = run_suggestions(consultation, question, analyst, django_capture_on_commit_callbacks)

    assert job.result["answers"] == 91
    assert sum(s.size for s in job.suggestions.all()) == 110


@pytest.mark.django_db
def test_suggestion_accept_creates_a_theme_and_codes_its_answers(
    consultation, question, planted, analyst, django_capture_on_commit_callbacks
):
    job = run_suggestions(consultation, question, analyst, django_capture_on_commit_callbacks)
    suggestion = job.suggestions.first()

    theme = suggest.suggestion_accept(suggestion=suggestion, actor=analyst, name="Renamed")

    suggestion.refresh_from_db()
    assert (theme.name, suggestion.state, suggestion.theme) == (
        "Renamed",
        SuggestedTheme.State.ACCEPTED,
        theme,
    )
    assert Coding.objects.filter(theme=theme, from_suggestion=True).count() == suggestion.size


@pytest.mark.django_db
def test_suggestion_merge_codes_answers_to_an_existing_theme(
    consultation, question, planted, analyst, django_capture_on_commit_callbacks
):
    job = run_suggestions(consultation, question, analyst, django_capture_on_commit_callbacks)
    first, second = job.suggestions.all()[:2]
    theme = coding.theme_create(consultation=consultation, actor=analyst, names={"en": "Mixed"})

    suggest.suggestion_merge(suggestion=first, target=theme, actor=analyst)
    suggest.suggestion_merge(suggestion=second, target=theme, actor=analyst)

    assert Coding.objects.filter(theme=theme).count() == first.size + second.size


@pytest.mark.django_db
def test_suggestion_reject_codes_nothing_and_cannot_be_reviewed_again(
    consultation, question, planted, analyst, django_capture_on_commit_callbacks
):
    job = run_suggestions(consultation, question, analyst, django_capture_on_commit_callbacks)
    suggestion = job.suggestions.first()

    suggest.suggestion_reject(suggestion=suggestion, actor=analyst)

    assert Coding.objects.count() == 0
    with pytest.raises(ValidationError):
        suggest.suggestion_accept(suggestion=suggestion, actor=analyst)


@pytest.mark.django_db
def test_suggestions_page_starts_a_job_and_lists_suggestions(
    client_for, consultation, question, planted, analyst, django_capture_on_commit_callbacks
):
    client = client_for(analyst)
    url = reverse("outcomes_staff:suggestions", kwargs={"pk": consultation.pk})

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(url, {"question": question.pk})
    page = client.get(url)

    assert started.status_code == 302
    assert len(page.context["suggestions"]) >= 3
    assert "Accept as a theme" in page.text


@pytest.mark.django_db
def test_suggestion_review_page_accepts_with_a_new_name(
    client_for, consultation, question, planted, analyst, django_capture_on_commit_callbacks
):
    job = run_suggestions(consultation, question, analyst, django_capture_on_commit_callbacks)
    suggestion = job.suggestions.first()
    url = reverse(
        "outcomes_staff:suggestion_review",
        kwargs={"pk": consultation.pk, "suggestion_pk": suggestion.pk},
    )

    response = client_for(analyst).post(url, {"action": "accept", "name": "Clean water"})

    assert response.status_code == 302
    assert Theme.objects.get().name == "Clean water"


@pytest.mark.django_db
def test_suggestion_review_is_404_for_a_facilitator(
    client_for, consultation, question, planted, analyst, facilitator,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    job = run_suggestions(consultation, question, analyst, django_capture_on_commit_callbacks)
    url = reverse(
        "outcomes_staff:suggestion_review",
        kwargs={"pk": consultation.pk, "suggestion_pk": job.suggestions.first().pk},
    )

    response = client_for(facilitator).post(url, {"action": "accept"})

    assert response.status_code == 404
    assert Theme.objects.count() == 0


@pytest.mark.django_db
def test_job_progress_returns_state_as_json(
    client_for, consultation, question, planted, analyst, django_capture_on_commit_callbacks
):
    job = run_suggestions(consultation, question, analyst, django_capture_on_commit_callbacks)
    url = reverse(
        "outcomes_staff:text_job_progress", kwargs={"pk": consultation.pk, "job_pk": job.pk}
    )

    data = client_for(analyst).get(url).json()

    assert (data["state"], data["progress"], data["finished"]) == ("done", 100, True)


@pytest.mark.django_db
def test_suggest_themes_task_leaves_a_claimed_job_alone(consultation, analyst):
    from outcomes.tasks_text import suggest_themes

    job = Job.objects.create(
        consultation=consultation, kind=Job.Kind.SUGGEST_THEMES, state=Job.State.RUNNING
    )

    assert suggest_themes(job_id=job.pk) == 0
    assert suggest_themes(job_id=job.pk + 1000) == 0


@pytest.mark.django_db
def test_suggest_themes_task_takes_over_a_job_whose_worker_died(
    consultation, question, planted, analyst
):
    from outcomes.tasks_text import suggest_themes

    job = Job.objects.create(
        consultation=consultation,
        question=question,
        kind=Job.Kind.SUGGEST_THEMES,
        state=Job.State.RUNNING,
        started_at=timezone.now() - dt.timedelta(hours=1),
    )

    found = suggest_themes(job_id=job.pk)

    job.refresh_from_db()
    assert (job.state, found > 0) == (Job.State.DONE, True)
