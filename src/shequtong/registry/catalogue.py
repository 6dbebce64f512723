"""The special-group tags of the glossary, as plain data a migration and the demo both load;
deployments may add their own in the admin."""

from __future__ import annotations

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
    ("resident_rep", "居民代表", False),
    ("community_correction", "社区矫正", True),
    ("severe_mental_disorder", "严重精神障碍", True),
    ("drug_rehab", "社区戒毒康复", True),
]


def load_tags(tag_model: type) -> None:
    """Create the catalogue's tags; ones already there keep what the deployment changed."""
    for code, name, sensitive in TAGS:
        tag_model.objects.get_or_create(code=code, defaults={"name": name, "sensitive": sensitive})
