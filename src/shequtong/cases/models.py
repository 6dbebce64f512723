"""Cases (事件) from report to resident feedback, with their timeline, photos and summonses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from shequtong.core.fields import EncryptedTextField
from shequtong.core.models import GovernedModel
from shequtong.core.storage import sealed_storage

from .choices import (
    CaseSource,
    CaseStatus,
    CategoryKind,
    DeadlineState,
    DisputeOutcome,
    ExtensionStatus,
    HandlerLevel,
    HazardGrade,
    PhotoStage,
    Priority,
    Rating,
    SummonsRole,
    SummonsStatus,
)


class Category(models.Model):
    """One node of the configurable 大类/小类 tree; a case is filed under a leaf.

    The leaf's `code` is its Open311 `service_code`; its handler level, priority and deadline
    are the defaults a new case takes.
    """

    parent = models.ForeignKey(
        "self",
        verbose_name="上级类别",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.SlugField("编码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=64)
    kind = models.CharField("类型", max_length=16, choices=CategoryKind.choices)
    handler_level = models.CharField(
        "默认处置层级", max_length=16, choices=HandlerLevel.choices, default=HandlerLevel.GRID
    )
    priority = models.PositiveSmallIntegerField(
        "默认优先级", choices=Priority.choices, default=Priority.NORMAL
    )
    deadline_days = models.PositiveSmallIntegerField("办理时限（工作日）", default=5)
    keywords = models.TextField("关键词", blank=True, help_text="以空格分隔，用于冷启动分类")
    description = models.CharField("说明", max_length=200, blank=True)
    needs_after_photo = models.BooleanField("办结须上传处置后照片", default=False)
    public = models.BooleanField(
        "公开",
        default=True,
        help_text="其事件是否在 Open311 等无需登录的渠道显示（经脱敏）；矛盾纠纷始终不公开",
    )
    active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    # Configuration read by everyone who files a case; changed by district admins.
    scope_global = True

    class Meta:
        verbose_name = "事件类别"
        verbose_name_plural = verbose_name
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.parent.name}/{self.name}" if self.parent_id else self.name


class AttributeType(models.TextChoices):
    """The datatypes of Open311 GeoReport v2 service attributes."""

    STRING = "string", "文本"
    NUMBER = "number", "数字"
    DATETIME = "datetime", "日期时间"
    TEXT = "text", "长文本"
    SINGLE = "singlevaluelist", "单选"
    MULTI = "multivaluelist", "多选"


class CategoryAttribute(models.Model):
    """A question a category asks at intake (a hazard's grade …); Open311 lists it under the
    service's definition."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="attributes")
    code = models.SlugField("编码", max_length=64)
    description = models.CharField("问题", max_length=200)
    datatype = models.CharField(
        "类型", max_length=16, choices=AttributeType.choices, default=AttributeType.STRING
    )
    required = models.BooleanField("必填", default=False)
    # [{"key": "major", "name": "重大隐患"}, …] for the list types.
    values = models.JSONField("选项", default=list, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "事件类别属性"
        verbose_name_plural = verbose_name
        ordering = ["category_id", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="cases_attribute_code")
        ]

    def __str__(self) -> str:
        return self.description


class Case(GovernedModel):
    """事件: one problem, recorded once, chased until the resident says whether it was solved.

    `area` is where the problem is (the grid found from the point, else the reporter's
    community); `handler_level`, `assignee` and the summonses say who holds it now.
    """

    # Indexed by `cases_case_category` and `cases_case_nearby`, which lead with it.
    category = models.ForeignKey(
        Category, verbose_name="类别", on_delete=models.PROTECT, db_index=False
    )
    source = models.CharField("来源", max_length=16, choices=CaseSource.choices)
    status = models.CharField(
        "状态", max_length=16, choices=CaseStatus.choices, default=CaseStatus.ACCEPTED
    )
    priority = models.PositiveSmallIntegerField(
        "优先级", choices=Priority.choices, default=Priority.NORMAL
    )
    description = models.TextField("问题描述")
    address = models.CharField("地址", max_length=200, blank=True)
    lon = models.FloatField("经度 (WGS-84)", null=True, blank=True)
    lat = models.FloatField("纬度 (WGS-84)", null=True, blank=True)

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上报人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_cases",
    )
    reporter_name = models.CharField("上报人姓名", max_length=64, blank=True)
    reporter_phone = EncryptedTextField("上报人电话", mask="phone")
    # NULL, not "", when there is no key: the unique constraint below ignores NULLs.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    attributes = models.JSONField("类别属性", default=dict, blank=True)
    external_id = models.CharField("外部工单号", max_length=64, blank=True)
    # The record the case follows up (an alarm's page), checked for access when opened.
    origin_url = models.CharField("关联记录", max_length=200, blank=True)
    # What the public may see (cases/public.py): whether it is shown at all, and its
    # description and place reduced by core.public's rule, set when it is filed or refiled.
    public = models.BooleanField("公开", default=False)
    public_description = models.TextField("公开描述", blank=True)
    public_address = models.CharField("公开地点", max_length=200, blank=True)

    handler_level = models.CharField(
        "处置层级", max_length=16, choices=HandlerLevel.choices, default=HandlerLevel.GRID
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处置人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    department = models.ForeignKey(
        "core.Department",
        verbose_name="主办部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    due_at = models.DateTimeField("办理时限", null=True, blank=True)
    deadline_state = models.CharField(
        "时限状态", max_length=16, choices=DeadlineState.choices, default=DeadlineState.ON_TIME
    )
    supervision_count = models.PositiveSmallIntegerField("督办次数", default=0)
    resume_on = models.DateField("恢复日期", null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name="重复于",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    resolved_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    rating = models.CharField("评价", max_length=16, choices=Rating.choices, blank=True)
    rating_comment = models.CharField("评价意见", max_length=500, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)

    # Department handlers are granted over a whole subdistrict; they see only what was
    # summoned to their own department (see core.scoping).
    scope_department_field = "summonses__department"
    pii_fields = ("reporter_phone",)

    class Meta:
        verbose_name = "事件"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="cases_case_open_due"),
            models.Index(fields=["category", "created_at"], name="cases_case_category"),
            # The duplicate search of every report: a narrow band of latitude, not every
            # case of the category.
            models.Index(
                fields=["category", "lat", "lon"],
                name="cases_case_nearby",
                condition=Q(duplicate_of__isnull=True),
            ),
        ]
        constraints = [
            # A constraint, not `unique=True`: PostgreSQL then keeps no second (LIKE) index.
            models.UniqueConstraint(fields=["idempotency_key"], name="cases_case_idempotency"),
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="cases_case_unique_external_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.category.name}"

    @property
    def number(self) -> str:
        """The tracking number residents quote: the day filed and the id, 20261124000123."""
        return case_number(self.created_at, self.pk) if self.pk else ""

    def get_absolute_url(self) -> str:
        return reverse("cases:case_detail", args=[self.pk])


def case_number(created_at: object, pk: int) -> str:
    from django.utils import timezone

    return f"{timezone.localtime(created_at):%Y%m%d}{pk:06d}"  # type: ignore[arg-type]


def case_pk(number: str) -> int | None:
    """The id inside a tracking number (the caller checks the day matches)."""
    digits = number.strip()
    return int(digits[8:]) if len(digits) > 8 and digits.isdigit() else None


class CaseStep(models.Model):
    """One line of the case's timeline: a transition or a note, by whom, when."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField("动作", max_length=32)
    label = models.CharField("动作名称", max_length=32)
    from_status = models.CharField(max_length=16, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=CaseStatus.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField("操作人", max_length=64, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "事件处置记录"
        verbose_name_plural = verbose_name
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.label} {self.actor_label}"


def _photo_path(instance: CasePhoto, filename: str) -> str:
    from django.utils import timezone

    return f"cases/{timezone.localdate():%Y/%m}/{filename}"


class CasePhoto(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    step = models.ForeignKey(
        CaseStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )
    stage = models.CharField("阶段", max_length=16, choices=PhotoStage.choices)
    image = models.FileField("照片", upload_to=_photo_path)
    thumbnail = models.FileField("缩略图", upload_to=_photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "事件照片"
        verbose_name_plural = verbose_name
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.image.name}"


class Summons(models.Model):
    """部门报到: a department summoned by the subdistrict, with its response deadline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="summonses")
    department = models.ForeignKey("core.Department", on_delete=models.PROTECT, related_name="+")
    role = models.CharField("角色", max_length=8, choices=SummonsRole.choices)
    status = models.CharField(
        "状态", max_length=16, choices=SummonsStatus.choices, default=SummonsStatus.PENDING
    )
    respond_by = models.DateTimeField("报到时限")
    responded_at = models.DateTimeField("报到时间", null=True, blank=True)
    reason = models.CharField("异议理由", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "部门报到"
        verbose_name_plural = verbose_name
        ordering = ["case_id", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "department"],
                condition=~Q(status=SummonsStatus.RELEASED),
                name="cases_summons_one_live_per_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.department}"


class Extension(models.Model):
    """延期申请: the holder asks for more working days; the level above decides."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField("延长工作日")
    reason = models.CharField("理由", max_length=500)
    status = models.CharField(
        "状态", max_length=16, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    note = models.CharField("审批意见", max_length=500, blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status=ExtensionStatus.PENDING),
                name="cases_extension_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.number} 延期 {self.days} 个工作日"


class Hazard(models.Model):
    """隐患: what the 隐患排查治理 register records of a hazard case beyond the case itself —
    its grade, the unit responsible, the measures and deadline of rectification, and the
    acceptance check that closes it."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="hazard")
    grade = models.CharField(
        "隐患等级", max_length=16, choices=HazardGrade.choices, default=HazardGrade.GENERAL
    )
    responsible_unit = models.CharField("责任单位", max_length=100, blank=True)
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="责任单位（档案）",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    measures = models.TextField("整改措施", blank=True)
    rectify_by = models.DateField("整改期限", null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField("验收时间", null=True, blank=True)

    class Meta:
        verbose_name = "隐患"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.get_grade_display()} {self.case.number}"


class Dispute(models.Model):
    """矛盾纠纷: the parties, the mediation sessions and the outcome of a dispute case; a
    successful mediation produces the 人民调解协议书 as a PDF."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="dispute")
    parties = models.ManyToManyField(
        "registry.Person", verbose_name="当事人（档案）", blank=True, related_name="+"
    )
    other_parties = models.CharField("其他当事人", max_length=200, blank=True)
    outcome = models.CharField(
        "结果", max_length=16, choices=DisputeOutcome.choices, default=DisputeOutcome.PENDING
    )
    terms = models.TextField("协议内容", blank=True)
    # Names the parties and their ID numbers: encrypted at rest like uploaded ledgers.
    agreement = models.FileField(
        "调解协议书", upload_to="disputes/%Y/%m/", blank=True, storage=sealed_storage
    )
    concluded_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "矛盾纠纷"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"纠纷 {self.case.number}"


class MediationSession(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField("调解日期")
    place = models.CharField("地点", max_length=100, blank=True)
    mediators = models.CharField("调解员", max_length=100)
    content = models.TextField("调解情况")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "调解记录"
        verbose_name_plural = verbose_name
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.mediators}"


class SavedView(models.Model):
    """A named set of case-list filters a user returns to (我的超期事件, 本周 12345 …)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_case_views"
    )
    name = models.CharField("名称", max_length=40)
    query = models.CharField("筛选条件", max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_owner_field = "user"

    class Meta:
        verbose_name = "事件列表视图"
        verbose_name_plural = verbose_name
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="cases_savedview_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
