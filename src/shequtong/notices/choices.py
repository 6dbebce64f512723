from django.db import models


class Audience(models.TextChoices):
    """Who a notice is addressed to: the residents living in one place, or one tag group of a
    community (a non-sensitive 人群标签, e.g. 党员 or 80岁以上老人)."""

    COMMUNITY = "community", "全社区"
    ESTATE = "estate", "小区"
    BUILDING = "building", "楼栋"
    GRID = "grid", "网格"
    TAG = "tag", "人群标签"


class NoticeStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    PUBLISHED = "published", "已发布"
    REJECTED = "rejected", "未通过"


class Board(models.TextChoices):
    """三务公开's three boards."""

    PARTY = "party", "党务"
    RESIDENCE = "residence", "居务"
    FINANCE = "finance", "财务"


class DisclosureStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待监委会审核"
    SIGNED_OFF = "signed_off", "监委会已签字"
    PUBLISHED = "published", "已公开"


class FlowDirection(models.TextChoices):
    INCOME = "income", "收入"
    EXPENSE = "expense", "支出"
