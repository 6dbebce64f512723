from django.db import migrations

from shequtong.cases.catalogue import load


def forwards(apps, schema_editor):  # noqa: ANN001, ANN201
    load(apps.get_model("cases", "Category"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
