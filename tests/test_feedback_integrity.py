"""Nothing lost or doubled: concurrency, errors mid-submission, query counts, privacy."""

import threading
import uuid
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import DataError, IntegrityError, connection
from rest_framework.test import APIClient

from consult.models import Question
from feedback import queries, services
from feedback.forms import AnswerData
from feedback.models import (
    Answer,
    AnswerChoice,
    Consent,
    ContactDetails,
    Monitoring,
    Participant,
    Submission,
)
from tests.factories import consultation_with_every_kind, partner_token
from tests.test_feedback_form import complete, first_page, second_page, start, url


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def whole_response(consultation) -> list[AnswerData]:
    questions = queries.consultation_questions(consultation)
    text = next(q for q in questions if q.kind == Question.Kind.TEXT)
    single = next(q for q in questions if q.kind == Question.Kind.SINGLE)
    return [
        AnswerData(question=text, text="Clean water"),
        AnswerData(question=single, choices=[(single.choices.all()[0].pk, None)]),
    ]


def receive(consultation, key, answers=None):
    return services.submission_receive(
        consultation=consultation,
        channel=Submission.Channel.API,
        answers=answers or whole_response(consultation),
        questions=queries.consultation_questions(consultation),
        idempotency_key=key,
    )


def in_parallel(count: int, work) -> list:
    """Run `work` in `count` threads released together; each uses its own connection."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(work())
        except Exception as error:  # collected and asserted on below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


@pytest.mark.django_db(transaction=True)
def test_same_key_in_parallel_makes_exactly_one_submission():
    consultation = consultation_with_every_kind()
    key = uuid.uuid4()

    results = in_parallel(8, lambda: receive(consultation, key))

    assert Submission.objects.count() == 1
    assert sorted(r.created for r in results) == [False] * 7 + [True]
    assert len({r.submission.pk for r in results}) == 1
    assert Answer.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_same_start_key_in_parallel_makes_exactly_one_draft():
    consultation = consultation_with_every_kind()
    key = uuid.uuid4()

    results = in_parallel(
        6,
        lambda: services.submission_start(
            consultation=consultation, language="ms", idempotency_key=key
        ),
    )

    assert Submission.objects.count() == 1
    assert Participant.objects.count() == 1
    assert len({r.submission.participant.token for r in results}) == 1


@pytest.mark.django_db(transaction=True)
def test_database_error_at_commit_leaves_nothing_behind():
    consultation = consultation_with_every_kind()
    answers = whole_response(consultation)
    # A choice that does not exist: the foreign key is checked when the transaction commits.
    answers[1].choices = [(987654321, None)]

    with pytest.raises(IntegrityError):
        receive(consultation, uuid.uuid4(), answers)

    assert (Participant.objects.count(), Submission.objects.count(), Answer.objects.count()) == (
        0,
        0,
        0,
    )


@pytest.mark.django_db
def test_database_error_mid_submission_leaves_nothing_behind():
    consultation = consultation_with_every_kind()
    answers = whole_response(consultation)
    number = Question.objects.get(section__consultation=consultation, kind=Question.Kind.NUMBER)
    # Too many digits for the column: the answers' insert fails after the submission's.
    answers.append(AnswerData(question=number, number=Decimal("1e20")))

    with pytest.raises(DataError):
        receive(consultation, uuid.uuid4(), answers)

    assert (
        Participant.objects.count(),
        Submission.objects.count(),
        AnswerChoice.objects.count(),
    ) == (
        0,
        0,
        0,
    )


def every_kind_of_answer(consultation) -> list[AnswerData]:
    by_kind = {q.kind: q for q in queries.consultation_questions(consultation)}
    Kind = Question.Kind

    def choice(kind, n):
        return by_kind[kind].choices.all()[n].pk

    return [
        AnswerData(question=by_kind[Kind.TEXT], text="Air bersih untuk kampung"),
        AnswerData(question=by_kind[Kind.SINGLE], choices=[(choice(Kind.SINGLE, 1), None)]),
        AnswerData(
            question=by_kind[Kind.MULTIPLE],
            other_text="Banjir",
            choices=[(choice(Kind.MULTIPLE, 0), None), (choice(Kind.MULTIPLE, 2), None)],
        ),
        AnswerData(
            question=by_kind[Kind.RANKING],
            choices=[(choice(Kind.RANKING, n), rank) for n, rank in ((2, 1), (0, 2), (1, 3))],
        ),
        AnswerData(question=by_kind[Kind.YES_NO], yes_no=False, text="Terlalu mahal"),
        AnswerData(question=by_kind[Kind.NUMBER], number=Decimal("4")),
        AnswerData(question=by_kind[Kind.SCALE]),  # left empty: not stored
    ]


def stored(submission: Submission) -> dict:
    """What was written for a submission, without its ids, key and times."""
    return {
        "submission": Submission.objects.filter(pk=submission.pk)
        .values("consultation", "channel", "state", "language", "late_paper", "entered_for")
        .get(),
        "participant": Participant.objects.filter(submissions=submission).values("language").get(),
        "answers": sorted(
            Answer.objects.filter(submission=submission).values_list(
                "question", "text", "other_text", "yes_no", "number", "file"
            )
        ),
        # The copies of the submission's id, channel and language that results read.
        "choices": sorted(
            (question, choice, rank, copied == submission.pk, channel, language)
            for question, choice, rank, copied, channel, language in AnswerChoice.objects.filter(
                answer__submission=submission
            ).values_list("answer__question", "choice", "rank", "submission", "channel", "language")
        ),
    }


@pytest.mark.django_db
def test_one_statement_and_step_by_step_write_the_same_rows(monkeypatch):
    # PostgreSQL writes a whole response in one statement; other databases step by step.
    consultation = consultation_with_every_kind()
    answers = every_kind_of_answer(consultation)
    questions = queries.consultation_questions(consultation)

    def receive_whole():
        return services.submission_receive(
            consultation=consultation,
            channel=Submission.Channel.API,
            answers=answers,
            questions=questions,
            idempotency_key=uuid.uuid4(),
            language="ms",
            entered_for=consultation.organisation,
        ).submission

    one = receive_whole()
    with monkeypatch.context() as patched:
        patched.setattr(connection, "vendor", "other")
        step = receive_whole()

    assert one.pk != step.pk and one.participant.pk != step.participant.pk
    assert Submission.objects.get(pk=one.pk).participant_id == one.participant.pk
    rows = stored(one)
    assert rows == stored(step)
    assert len(rows["answers"]) == 6
    assert {c[3:] for c in rows["choices"]} == {(True, Submission.Channel.API, "ms")}
    ranking = next(q for q in questions if q.kind == Question.Kind.RANKING)
    assert len(rows["choices"]) == 6
    assert sorted(c[2] for c in rows["choices"] if c[0] == ranking.pk) == [1, 2, 3]


@pytest.mark.django_db
def test_final_post_of_the_form_takes_a_bounded_number_of_queries(
    client, django_assert_max_num_queries
):
    consultation = consultation_with_every_kind()
    draft = start(client, consultation)
    client.post(url(draft, "section/1/"), first_page(consultation))
    client.post(url(draft, "section/2/"), second_page(consultation))

    with django_assert_max_num_queries(12):
        response = client.post(url(draft, "check/"), {"idempotency_key": str(uuid.uuid4())})

    assert response.status_code == 302


@pytest.mark.django_db
def test_saving_a_section_takes_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    consultation = consultation_with_every_kind()
    draft = start(client, consultation)
    data = second_page(consultation)

    with django_assert_max_num_queries(12):
        response = client.post(url(draft, "section/2/"), data)

    assert response.status_code == 302


# Privacy -------------------------------------------------------------------------------

SECRETS = ["secret.person@example.org", "+60 12 345 6789", "Secret Collective", "Secretlang"]


@pytest.mark.django_db
def test_contact_and_monitoring_are_stored_apart_from_answers():
    opinion_fields = {f.name for f in Submission._meta.get_fields()} | {
        f.name for f in Answer._meta.get_fields()
    }

    assert not opinion_fields & {"email", "phone", "age_band", "disability", "groups", "region"}
    assert ContactDetails._meta.db_table != Submission._meta.db_table
    assert Monitoring._meta.db_table != Answer._meta.db_table


@pytest.mark.django_db
def test_contact_and_monitoring_appear_on_no_public_page_or_api_response(client, organisation):
    consultation = consultation_with_every_kind(organisation=organisation, slug="private")
    draft = start(client, consultation)
    complete(
        client,
        consultation,
        draft,
        contact={"email": SECRETS[0], "phone": SECRETS[1], "outcome_news": "on"},
    )
    client.post(
        url(draft, "about-you/"),
        {
            "consent": "on",
            "answering_for": "organisation",
            "organisation_name": SECRETS[2],
            "main_language": SECRETS[3],
        },
    )
    assert Monitoring.objects.get().organisation_name == SECRETS[2]
    assert ContactDetails.objects.get().email == SECRETS[0]
    assert Consent.objects.count() == 2
    key, _token = partner_token(organisation)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    pages = [
        client.get(path).content.decode()
        for path in (
            "/en/",
            "/en/consultations/",
            "/en/consultations/private/",
            "/api/v1/consultations/",
            "/api/v1/consultations/private/",
            "/api/schema/?format=json",
            url(draft, ""),
            url(draft, "done/"),
        )
    ]
    pages.append(
        api.post(
            "/api/v1/submissions/",
            {"consultation": "private", "answers": []},
            format="json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        ).content.decode()
    )

    assert [secret for secret in SECRETS for page in pages if secret in page] == []
