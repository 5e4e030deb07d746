"""Covering indexes for the results queries (outcomes/queries/statistics.py), on feedback's tables.

Results read answers by question and chosen options by choice, leaving out the few
submissions that do not count; with these indexes PostgreSQL answers them from the index
alone (bench/bench_outcomes.py: one question of 500,000 answers in well under 100 ms instead
of seconds). They live here because only the outcomes read side needs them; Django's model
state does not know them, so `makemigrations` stays quiet.
"""

from django.db import migrations

INDEXES = {
    "report_answer_question_cover": (
        "feedback_answer (question_id, submission_id) INCLUDE (id, yes_no, number)"
    ),
    "report_answerchoice_choice_cover": "feedback_answerchoice (choice_id) INCLUDE (answer_id, rank)",
    "report_submission_counted": (
        "feedback_submission (consultation_id, state) "
        "INCLUDE (id, channel, language, email_confirmed_at, participant_id)"
    ),
}


def create(apps, schema_editor):
    # INCLUDE is PostgreSQL's; the SQLite demo does without these indexes.
    if schema_editor.connection.vendor == "postgresql":
        for name, definition in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0001_initial"),
        ("feedback", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
