"""The special-group tags of the glossary; deployments may add their own in the admin."""

from django.db import migrations

TAGS = [
    ("elderly_80plus", "80岁以上高龄", False),
    ("living_alone", "独居老人", False),
    ("empty_nest", "空巢老人", False),
    ("disabled", "残疾人", False),
    ("low_income", "低保", False),
    ("extreme_poverty", "特困", False),
    ("left_behind_child", "留守儿童", False),
    ("distressed_child", "困境儿童", False),
    ("entitled_group", "优抚对象", False),
    ("veteran", "退役军人", False),
    ("party_member", "党员", False),
    ("community_correction", "社区矫正", True),
    ("severe_mental_disorder", "严重精神障碍", True),
    ("drug_rehab", "社区戒毒康复", True),
]


def add_tags(apps, schema_editor):
    PersonTag = apps.get_model("registry", "PersonTag")
    for code, name, sensitive in TAGS:
        PersonTag.objects.update_or_create(code=code, defaults={"name": name, "sensitive": sensitive})


def remove_tags(apps, schema_editor):
    apps.get_model("registry", "PersonTag").objects.filter(code__in=[t[0] for t in TAGS]).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(add_tags, remove_tags)]
