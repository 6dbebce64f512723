"""The special-group tags of the glossary; deployments may add their own in the admin."""

from django.db import migrations

from shequtong.registry.catalogue import TAGS, load_tags



def add_tags(apps, schema_editor):
    load_tags(apps.get_model("registry", "PersonTag"))


def remove_tags(apps, schema_editor):
    apps.get_model("registry", "PersonTag").objects.filter(code__in=[t[0] for t in TAGS]).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(add_tags, remove_tags)]
