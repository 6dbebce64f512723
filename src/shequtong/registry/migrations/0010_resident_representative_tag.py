"""居民代表: who a 居民代表会议 counts as due (deliberation.electorates)."""

from django.db import migrations


def add_tag(apps, schema_editor):
    apps.get_model("registry", "PersonTag").objects.get_or_create(
        code="resident_rep", defaults={"name": "居民代表", "sensitive": False}
    )


def remove_tag(apps, schema_editor):
    apps.get_model("registry", "PersonTag").objects.filter(code="resident_rep").delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0009_volunteer_station")]
    operations = [migrations.RunPython(add_tag, remove_tag)]
