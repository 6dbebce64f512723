from django.db import migrations

from shequtong.cases.catalogue import HAZARD_GRADE


def forwards(apps, schema_editor):  # noqa: ANN001, ANN201
    """The hazards of the default tree ask for their grade (the tree itself came in 0002)."""
    category = apps.get_model("cases", "Category")
    attribute = apps.get_model("cases", "CategoryAttribute")
    for hazard in category.objects.filter(kind="hazard", parent__isnull=False):
        attribute.objects.get_or_create(
            category=hazard, code=HAZARD_GRADE["code"], defaults=HAZARD_GRADE
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_attributes")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
