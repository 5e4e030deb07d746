from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from consult.seed import seed_reference_data


def seed(apps, schema_editor):
    seed_reference_data(
        apps.get_model("consult", "TargetGroup"),
        apps.get_model("consult", "Topic"),
        apps.get_model("consult", "Region"),
    )


class Migration(migrations.Migration):
    dependencies = [("consult", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
