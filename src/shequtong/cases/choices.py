"""Choice sets of case handling: stored values are the glossary's English words, labels Chinese."""

from django.db import models


class CaseStatus(models.TextChoices):
    ACCEPTED = "accepted", "已受理"
    ASSIGNED = "assigned", "已派遣"
    IN_PROGRESS = "in_progress", "处置中"
    RESOLVED = "resolved", "已办结"
    CLOSED = "closed", "已结案"
    RETURNED = "returned", "已退回"
    SUSPENDED = "suspended", "已挂起"
    REJECTED = "rejected", "不予受理"


# States in which a case still waits on someone: the deadline sweep reads only these.
OPEN_STATUSES = frozenset(
    {
        CaseStatus.ACCEPTED,
        CaseStatus.ASSIGNED,
        CaseStatus.IN_PROGRESS,
        CaseStatus.RETURNED,
    }
)
FINAL_STATUSES = frozenset({CaseStatus.CLOSED, CaseStatus.REJECTED})


class CaseSource(models.TextChoices):
    RESIDENT = "resident", "居民随手拍"
    PATROL = "patrol", "网格巡查"
    VISIT = "visit", "入户走访"
    CALL = "call", "来电来访"
    HOTLINE = "hotline", "12345 热线"
    API = "api", "接口"
    OPEN311 = "open311", "Open311"
    DEVICE = "device", "智能设备告警"
    DELIBERATION = "deliberation", "议事决议"


class CategoryKind(models.TextChoices):
    CITY = "city", "城市管理"
    HAZARD = "hazard", "安全隐患"
    LIVELIHOOD = "livelihood", "民生服务"
    DISPUTE = "dispute", "矛盾纠纷"
    HOTLINE = "hotline", "12345 诉求"


class HandlerLevel(models.TextChoices):
    """Who holds a case: the tiers of 社区呼叫、街道吹哨、部门报到, from the bottom up."""

    GRID = "grid", "网格"
    COMMUNITY = "community", "社区"
    SUBDISTRICT = "subdistrict", "街道"
    DEPARTMENT = "department", "职能部门"


class Priority(models.IntegerChoices):
    LOW = 1, "低"
    NORMAL = 2, "一般"
    HIGH = 3, "紧急"
    URGENT = 4, "特急"


class SummonsRole(models.TextChoices):
    LEAD = "lead", "主办"
    CO = "co", "协办"


class SummonsStatus(models.TextChoices):
    PENDING = "pending", "待报到"
    ACCEPTED = "accepted", "已报到"
    OBJECTED = "objected", "有异议"
    RELEASED = "released", "异议成立"
    LAPSED = "lapsed", "未报到（已办结）"  # the case was finished before this one reported


class Rating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class PhotoStage(models.TextChoices):
    REPORT = "report", "上报"
    BEFORE = "before", "处置前"
    AFTER = "after", "处置后"
    ACCEPTANCE = "acceptance", "验收"  # the site as found at 隐患验收


class DeadlineState(models.TextChoices):
    ON_TIME = "on_time", "正常"
    WARNING = "warning", "临期"
    OVERDUE = "overdue", "超期"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "未批准"


class HazardGrade(models.TextChoices):
    GENERAL = "general", "一般隐患"
    MAJOR = "major", "重大隐患"


class DisputeOutcome(models.TextChoices):
    PENDING = "pending", "调解中"
    MEDIATED = "mediated", "调解成功"
    FAILED = "failed", "调解不成"
    REFERRED = "referred", "移交其他途径"
