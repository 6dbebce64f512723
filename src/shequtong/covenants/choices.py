from django.db import models


class CovenantKind(models.TextChoices):
    """居民公约 of a community (居民委员会组织法: made by the 居民会议, filed with the government);
    小区公约 or 管理规约 of an estate (民法典第278条 item 1: adopted by the owners)."""

    RESIDENTS = "residents", "居民公约"
    ESTATE = "estate", "小区公约（管理规约）"


class VersionStatus(models.TextChoices):
    DRAFTING = "drafting", "起草中"
    CONSULTING = "consulting", "征求意见中"
    ADOPTING = "adopting", "待表决通过"
    ADOPTED = "adopted", "现行有效"
    SUPERSEDED = "superseded", "已被新版本取代"
    WITHDRAWN = "withdrawn", "已撤回"


# A version still being worked on: one at a time per covenant.
OPEN_STATUSES = (VersionStatus.DRAFTING, VersionStatus.CONSULTING, VersionStatus.ADOPTING)
# A version that was adopted once: in force now, or until the next one.
ADOPTED_STATUSES = (VersionStatus.ADOPTED, VersionStatus.SUPERSEDED)


class Disposition(models.TextChoices):
    """What became of a comment (健全协商成果采纳、落实和反馈制度)."""

    ADOPTED = "adopted", "采纳"
    PARTLY = "partly", "部分采纳"
    NOT_ADOPTED = "not_adopted", "不予采纳"
