"""Chosen options carry their submission, channel and language (see `AnswerChoice`);
monitoring is indexed for the way from a submission to its groups.

Existing rows are filled from their answers' submissions before the columns become
required; on PostgreSQL in one UPDATE ... FROM, elsewhere (the SQLite demo) row by row.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE feedback_answerchoice ac SET submission_id = s.id, channel = s.channel, "
            "language = s.language FROM feedback_answer a JOIN feedback_submission s "
            "ON s.id = a.submission_id WHERE a.id = ac.answer_id"
        )
        return
    AnswerChoice = apps.get_model("feedback", "AnswerChoice")
    Submission = apps.get_model("feedback", "Submission")
    of_answer = Submission.objects.filter(answers=OuterRef("answer_id"))
    AnswerChoice.objects.update(
        submission_id=Subquery(of_answer.values("id")[:1]),
        channel=Subquery(of_answer.values("channel")[:1]),
        language=Subquery(of_answer.values("language")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0003_results_filter_indexes"),
    ]

    operations = [
        # The (choice, rank) index serves what the foreign key's own index did.
        migrations.AlterField(
            model_name="answerchoice",
            name="choice",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="selections",
                to="consult.choice",
            ),
        ),
        migrations.AddField(
            model_name="answerchoice",
            name="submission",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="feedback.submission",
            ),
        ),
        migrations.AddField(
            model_name="answerchoice",
            name="channel",
            field=models.CharField(
                choices=[
                    ("online", "Online"),
                    ("assisted", "Through a facilitator"),
                    ("api", "Partner app"),
                    ("import", "Imported paper response"),
                ],
                default="",
                max_length=10,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="answerchoice",
            name="language",
            field=models.CharField(blank=True, default="", max_length=15),
            preserve_default=False,
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="answerchoice",
            name="submission",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="feedback.submission",
            ),
        ),
        migrations.AddIndex(
            model_name="answerchoice",
            index=models.Index(
                fields=["choice", "channel", "language"],
                include=("submission", "rank"),
                name="answerchoice_results",
            ),
        ),
        # A relation without a column: nothing to do in the database (and SQLite's
        # schema editor cannot remove one).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="answerchoice",
                    name="monitoring",
                    field=models.ForeignObject(
                        from_fields=["submission"],
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="feedback.monitoring",
                        to_fields=["submission"],
                    ),
                ),
            ]
        ),
        migrations.AddIndex(
            model_name="monitoring",
            index=models.Index(fields=["submission"], include=("id",), name="monitoring_results"),
        ),
    ]
