"""Chosen options are counted by channel, language and group from feedback's
`answerchoice_results` index now (feedback 0004): the covering index by choice that the
breakdowns joined answers through is read by nothing and only slows every submission."""

from django.db import migrations


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS report_answerchoice_choice_cover")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS report_answerchoice_choice_cover "
            "ON feedback_answerchoice (choice_id) INCLUDE (answer_id, rank)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0003_job_enqueued_attempts"),
        ("feedback", "0004_answerchoice_submission_copies"),
    ]

    operations = [migrations.RunPython(drop, create)]
