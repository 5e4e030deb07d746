"""Foreign keys that a composite index already starts with lose their own index.

Only the indexes are dropped: Django's `AlterField` would also drop and re-add each foreign
key constraint, checking again every row of tables that hold millions. The names are the
ones Django gave these indexes, the same on PostgreSQL and SQLite.
"""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = {
    "feedback_answer_question_id_2ab680d7": ("feedback_answer", "question_id"),
    "feedback_answer_submission_id_7067b1cf": ("feedback_answer", "submission_id"),
    "feedback_answerchoice_answer_id_6e6eae92": ("feedback_answerchoice", "answer_id"),
    "feedback_submission_consultation_id_f9b511dc": ("feedback_submission", "consultation_id"),
}


class Migration(migrations.Migration):
    dependencies = [
        ("consult", "0003_created_by_optional"),
        ("feedback", "0004_answerchoice_submission_copies"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    reverse_sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column})",
                )
                for name, (table, column) in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="answer",
                    name="question",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="answers",
                        to="consult.question",
                    ),
                ),
                migrations.AlterField(
                    model_name="answer",
                    name="submission",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="answers",
                        to="feedback.submission",
                    ),
                ),
                migrations.AlterField(
                    model_name="answerchoice",
                    name="answer",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="selections",
                        to="feedback.answer",
                    ),
                ),
                migrations.AlterField(
                    model_name="submission",
                    name="consultation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="submissions",
                        to="consult.consultation",
                    ),
                ),
            ],
        )
    ]
