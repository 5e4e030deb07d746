"""Data migrations: rows stored before a migration come out right after it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import ConsultationFactory, SectionFactory, question_with_choices

BEFORE = [("feedback", "0003_results_filter_indexes")]
AFTER = [("feedback", "0004_answerchoice_submission_copies")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_chosen_options_stored_before_0004_get_their_submissions_channel_and_language():
    try:
        apps = migrate(BEFORE)
        # Consultations and questions are as they were: only feedback's tables go back.
        consultation = ConsultationFactory()
        question = question_with_choices(
            SectionFactory(consultation=consultation), "single", ["Bus"]
        )
        choice = question.choices.get()
        Participant = apps.get_model("feedback", "Participant")
        Submission = apps.get_model("feedback", "Submission")
        made = {}
        for n, (channel, language) in enumerate((("api", "ms"), ("assisted", "ar"))):
            submission = Submission.objects.create(
                consultation_id=consultation.pk,
                participant=Participant.objects.create(token=f"t{n}"),
                channel=channel,
                language=language,
                reference=f"R{n}",
            )
            answer = apps.get_model("feedback", "Answer").objects.create(
                submission=submission, question_id=question.pk
            )
            picked = apps.get_model("feedback", "AnswerChoice").objects.create(
                answer=answer, choice_id=choice.pk
            )
            made[picked.pk] = (submission.pk, channel, language)

        apps = migrate(AFTER)

        stored = apps.get_model("feedback", "AnswerChoice").objects.values_list(
            "pk", "submission_id", "channel", "language"
        )
        assert {pk: rest for pk, *rest in stored} == {pk: list(v) for pk, v in made.items()}
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
