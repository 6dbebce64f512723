"""Topics (议题) run through a procedure: the procedure's steps are copied onto the topic when
it starts, so a running topic keeps the version it began on whatever the community changes
later; meetings with their invitees, sign-in, minutes and counts; progress reported back."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from shequtong.core.models import GovernedModel, User
from shequtong.core.storage import sealed_storage

from ..choices import InviteeRole, MeetingKind, StepKind, TopicLevel, TopicSource, TopicStatus


class Procedure(GovernedModel):
    """A community's version of a procedure template: rows are never edited once a topic
    uses them; adapting makes the next version of the same `lineage`."""

    key = models.CharField("模板", max_length=32)
    name = models.CharField("名称", max_length=80)
    version = models.PositiveIntegerField("版本", default=1)
    lineage = models.CharField("模板系列", max_length=64)
    steps = models.JSONField("步骤")
    current = models.BooleanField("现行版本", default=True)
    created_by = models.ForeignKey(
        User, verbose_name="修订人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "议事规程"
        verbose_name_plural = verbose_name
        ordering = ["area_id", "lineage", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "lineage", "version"], name="deliberation_procedure_version"
            ),
            models.UniqueConstraint(
                fields=["area", "lineage"],
                condition=Q(current=True),
                name="deliberation_procedure_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"


class Topic(GovernedModel):
    """议题. `area` is where it is decided: the community, or the grid of a grid topic; the
    estate or building narrows a topic of that level."""

    title = models.CharField("议题", max_length=120)
    description = models.TextField("内容", max_length=5000)
    source = models.CharField("来源", max_length=20, choices=TopicSource.choices)
    level = models.CharField("层级", max_length=12, choices=TopicLevel.choices)
    estate = models.ForeignKey(
        "registry.Estate",
        verbose_name="小区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    building = models.ForeignKey(
        "registry.Building",
        verbose_name="楼栋",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cases = models.ManyToManyField("cases.Case", verbose_name="来源事件", blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=TopicStatus.choices, default=TopicStatus.PROPOSED
    )
    procedure = models.ForeignKey(
        Procedure,
        verbose_name="议事规程",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="topics",
    )
    step_index = models.PositiveSmallIntegerField("当前步骤", default=0)
    resolution = models.TextField("决议", max_length=5000, blank=True)
    outcome_note = models.CharField("受理或终止说明", max_length=500, blank=True)
    case_number = models.CharField("转办事件", max_length=32, blank=True)
    proposer = models.ForeignKey(
        User, verbose_name="提出人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "议题"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class TopicStep(GovernedModel):
    """One step of a topic's procedure, copied from the procedure when the topic starts."""

    topic = models.ForeignKey(
        Topic, verbose_name="议题", on_delete=models.CASCADE, related_name="steps"
    )
    index = models.PositiveSmallIntegerField("序号")
    name = models.CharField("步骤", max_length=60)
    kind = models.CharField("类型", max_length=16, choices=StepKind.choices)
    actor = models.CharField("责任主体", max_length=60)
    needs = models.CharField("所需材料", max_length=120, blank=True)
    days = models.PositiveSmallIntegerField("时限（工作日）")
    opened_at = models.DateTimeField("开始时间", null=True, blank=True)
    due_on = models.DateField("截止日期", null=True, blank=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    # When the community's staff were told the step ran past `due_on` (told once).
    overdue_told_at = models.DateTimeField("逾期提醒时间", null=True, blank=True)
    done_by = models.ForeignKey(
        User, verbose_name="办理人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField("办理情况", max_length=5000, blank=True)
    document = models.FileField(
        "材料", upload_to="topics/%Y/%m/", blank=True, storage=sealed_storage
    )
    meeting = models.ForeignKey(
        "deliberation.Meeting",
        verbose_name="会议",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    vote = models.ForeignKey(
        "deliberation.Vote",
        verbose_name="业主表决",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    survey = models.ForeignKey(
        "surveys.Survey",
        verbose_name="入户征求意见",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    publicity = models.ForeignKey(
        "notices.Publicity",
        verbose_name="公示",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "议事步骤"
        verbose_name_plural = verbose_name
        ordering = ["topic_id", "index"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "index"], name="deliberation_step_once")
        ]

    @property
    def overdue(self) -> bool:
        return bool(self.due_on and not self.done_at and self.due_on < timezone.localdate())

    def __str__(self) -> str:
        return f"{self.index + 1}. {self.name}"


class Meeting(GovernedModel):
    """A meeting: invitees and who signed in, minutes, the resolution, and the counts the
    rule of its kind is applied to (`outcome`, stored as recorded)."""

    topic = models.ForeignKey(
        Topic,
        verbose_name="议题",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="meetings",
    )
    kind = models.CharField("会议类型", max_length=20, choices=MeetingKind.choices)
    title = models.CharField("会议名称", max_length=120)
    starts_at = models.DateTimeField("会议时间")
    place = models.CharField("地点", max_length=120)
    due = models.PositiveIntegerField("应到人数", null=True, blank=True)
    present = models.PositiveIntegerField("实到人数", null=True, blank=True)
    agree = models.PositiveIntegerField("同意", null=True, blank=True)
    disagree = models.PositiveIntegerField("不同意", null=True, blank=True)
    abstain = models.PositiveIntegerField("弃权", null=True, blank=True)
    minutes = models.TextField("会议纪要", max_length=20000, blank=True)
    resolution = models.TextField("决议", max_length=5000, blank=True)
    outcome = models.JSONField("表决结果", null=True, blank=True, editable=False)
    held = models.BooleanField("已召开", default=False)
    created_by = models.ForeignKey(
        User, verbose_name="召集人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "议事会议"
        verbose_name_plural = verbose_name
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(present__isnull=True)
                | Q(due__isnull=True)
                | Q(present__lte=models.F("due")),
                name="deliberation_meeting_present_within_due",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Invitee(GovernedModel):
    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="invitees"
    )
    name = models.CharField("姓名或单位", max_length=64)
    role = models.CharField("身份", max_length=16, choices=InviteeRole.choices)
    person = models.ForeignKey(
        "registry.Person",
        verbose_name="居民档案",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user = models.ForeignKey(
        User,
        verbose_name="账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signed_in_at = models.DateTimeField("签到时间", null=True, blank=True)

    class Meta:
        verbose_name = "参会人员"
        verbose_name_plural = verbose_name
        ordering = ["meeting_id", "pk"]

    def __str__(self) -> str:
        return self.name


class MeetingFile(GovernedModel):
    meeting = models.ForeignKey(
        Meeting, verbose_name="会议", on_delete=models.CASCADE, related_name="files"
    )
    name = models.CharField("文件名", max_length=120)
    file = models.FileField("附件", upload_to="meetings/%Y/%m/", storage=sealed_storage)

    class Meta:
        verbose_name = "会议附件"
        verbose_name_plural = verbose_name
        ordering = ["meeting_id", "pk"]

    def __str__(self) -> str:
        return self.name


class TopicUpdate(GovernedModel):
    """Progress reported back to everyone who took part (协商成果反馈)."""

    topic = models.ForeignKey(
        Topic, verbose_name="议题", on_delete=models.CASCADE, related_name="updates"
    )
    text = models.CharField("进展", max_length=1000)
    created_by = models.ForeignKey(
        User, verbose_name="发布人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "议题进展"
        verbose_name_plural = verbose_name
        ordering = ["topic_id", "-created_at", "-pk"]

    def __str__(self) -> str:
        return self.text[:40]
