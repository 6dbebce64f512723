"""Choice sets of the core: stored values are the glossary's English words, labels Chinese."""

from django.db import models


class AreaLevel(models.TextChoices):
    DISTRICT = "district", "区/县"
    SUBDISTRICT = "subdistrict", "街道/乡镇"
    COMMUNITY = "community", "社区/村"
    GRID = "grid", "网格"


# Top to bottom; an area's parent is exactly one level up.
LEVEL_ORDER: tuple[str, ...] = tuple(AreaLevel.values)


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", "区级管理员"
    SUBDISTRICT_ADMIN = "subdistrict_admin", "街道管理员"
    COMMUNITY_STAFF = "community_staff", "社区工作者"
    GRID_WORKER = "grid_worker", "网格员"
    DEPARTMENT_HANDLER = "department_handler", "职能部门处置人员"
    AUDITOR = "auditor", "审计员"
    RESIDENT = "resident", "居民"
    # Staff of a social organisation, 驻区单位 or volunteer team: their organisation's rows only.
    ORG_STAFF = "org_staff", "组织账号"


class DepartmentKind(models.TextChoices):
    POLICE = "police", "派出所"
    HOUSING = "housing", "住建"
    MARKET = "market", "市场监管"
    FIRE = "fire", "消防"
    CITY_MANAGEMENT = "city_management", "城管"
    CIVIL_AFFAIRS = "civil_affairs", "民政"
    HEALTH = "health", "卫健"
    OTHER = "other", "其他"
