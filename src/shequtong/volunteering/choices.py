from django.db import models


class VolunteerKind(models.TextChoices):
    RESIDENT = "resident", "居民志愿者"
    PARTY_MEMBER = "party_member", "在职党员"
    UNIT_STAFF = "unit_staff", "驻区单位职工"
    SAFETY = "safety", "平安志愿者"
    ELDER_CARE = "elder_care", "助老志愿者"
    OTHER = "other", "其他"


class VolunteerStatus(models.TextChoices):
    APPLIED = "applied", "待审核"
    ACTIVE = "active", "已注册"
    REJECTED = "rejected", "未通过"
    LEFT = "left", "已退出"


class ActivityKind(models.TextChoices):
    VOLUNTEER = "volunteer", "志愿服务"
    CULTURE = "culture", "文体活动"


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "招募中"
    CLOSED = "closed", "已结束"
    CANCELLED = "cancelled", "已取消"


class SignUpStatus(models.TextChoices):
    APPLIED = "applied", "待选拔"
    ACCEPTED = "accepted", "已录用"
    REJECTED = "rejected", "未录用"
    CANCELLED = "cancelled", "已取消"


class CheckinMethod(models.TextChoices):
    QR = "qr", "扫码"
    POSITION = "position", "定位"


class RedemptionStatus(models.TextChoices):
    PENDING = "pending", "待领取"
    COLLECTED = "collected", "已领取"
    CANCELLED = "cancelled", "已取消"


class ReporterKind(models.TextChoices):
    UNIT = "unit", "驻区单位"
    PARTY_MEMBER = "party_member", "在职党员"


class ReportStatus(models.TextChoices):
    ACTIVE = "active", "已报到"
    ENDED = "ended", "已结束"


class FeedbackGrade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    FAIR = "fair", "一般"
    POOR = "poor", "较差"


class HonourKind(models.TextChoices):
    RED = "red", "红榜"
    BLACK = "black", "黑榜"
    FAMILY = "family", "文明家庭"


class HonourStatus(models.TextChoices):
    NOMINATED = "nominated", "已提名"
    DELIBERATED = "deliberated", "已评议"
    PUBLICISED = "publicised", "公示中"
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已撤回"
