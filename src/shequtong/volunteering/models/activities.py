"""Volunteers, activities and their sign-ups, service records and certificates.

Hours and 爱心币 are not counted here: each confirmed record posts to the one ledger
(`shequtong.ledger`), and balances are read from it. A record follows 民政部令第67号: the
organiser records (谁组织谁记录), naming content, date, place and hours served, travel excluded.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from shequtong.core.models import GovernedModel, User

from ..choices import (
    ActivityKind,
    ActivityStatus,
    CheckinMethod,
    SignUpStatus,
    VolunteerKind,
    VolunteerStatus,
)

MAX_PLACES = 10_000
MAX_ACTIVITY_MINUTES = 24 * 60  # one activity is one day at most; longer work is several


class Volunteer(GovernedModel):
    """A registered volunteer is a registry person; the area is the person's community."""

    person = models.OneToOneField(
        "registry.Person", verbose_name="居民", on_delete=models.PROTECT, related_name="volunteer"
    )
    kind = models.CharField("志愿者类别", max_length=16, choices=VolunteerKind.choices)
    skills = models.CharField("服务技能", max_length=200, blank=True)
    availability = models.CharField("可服务时间", max_length=100, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=VolunteerStatus.choices, default=VolunteerStatus.APPLIED
    )
    teams = models.ManyToManyField(
        "registry.Organization", verbose_name="所属队伍", blank=True, related_name="volunteers"
    )
    applied_by = models.ForeignKey(
        User,
        verbose_name="申请账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        User,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    note = models.CharField("审核意见", max_length=200, blank=True)

    class Meta:
        verbose_name = "志愿者"
        verbose_name_plural = verbose_name
        ordering = ["status", "-created_at"]

    def __str__(self) -> str:
        return str(self.person)


class Activity(GovernedModel):
    """Published by a community (no organisation) or by an organisation or team, whose
    organisation account then sees it."""

    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="发布组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    kind = models.CharField(
        "类型", max_length=16, choices=ActivityKind.choices, default=ActivityKind.VOLUNTEER
    )
    title = models.CharField("活动名称", max_length=100)
    content = models.TextField("服务内容", max_length=2000)
    place = models.CharField("地点", max_length=200)
    lon = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    places = models.PositiveIntegerField("招募人数")
    needs_selection = models.BooleanField(
        "报名需选拔", default=False, help_text="勾选后报名进入待选拔，由组织方录用"
    )
    status = models.CharField(
        "状态", max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.DRAFT
    )
    checkin_secret = models.CharField(max_length=32, editable=False)
    created_by = models.ForeignKey(
        User, verbose_name="发布人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_org_field = "organization"

    class Meta:
        verbose_name = "志愿活动"
        verbose_name_plural = verbose_name
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="volunteering_activity_ends_after"
            ),
            models.CheckConstraint(
                condition=Q(places__gte=1, places__lte=MAX_PLACES),
                name="volunteering_activity_places",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def organiser_name(self) -> str:
        return self.organization.name if self.organization_id else self.area.name


class SignUp(GovernedModel):
    activity = models.ForeignKey(
        Activity, verbose_name="活动", on_delete=models.CASCADE, related_name="signups"
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name="志愿者", on_delete=models.PROTECT, related_name="signups"
    )
    status = models.CharField("状态", max_length=16, choices=SignUpStatus.choices)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    checked_out_at = models.DateTimeField("签退时间", null=True, blank=True)
    checkin_method = models.CharField(
        "签到方式", max_length=16, choices=CheckinMethod.choices, blank=True
    )
    distance_m = models.PositiveIntegerField("签到距离（米）", null=True, blank=True)
    minutes = models.PositiveIntegerField("确认时长（分钟）", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        User,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    organiser_rating = models.PositiveSmallIntegerField("组织方评价", null=True, blank=True)
    volunteer_rating = models.PositiveSmallIntegerField("志愿者评价", null=True, blank=True)
    volunteer_comment = models.CharField("志愿者留言", max_length=200, blank=True)

    scope_org_field = "activity__organization"

    class Meta:
        verbose_name = "活动报名"
        verbose_name_plural = verbose_name
        ordering = ["activity_id", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "volunteer"], name="volunteering_signup_once"
            ),
            models.CheckConstraint(
                condition=Q(minutes__isnull=True) | Q(minutes__lte=MAX_ACTIVITY_MINUTES),
                name="volunteering_signup_minutes",
            ),
            models.CheckConstraint(
                condition=(Q(organiser_rating__isnull=True) | Q(organiser_rating__range=(1, 5)))
                & (Q(volunteer_rating__isnull=True) | Q(volunteer_rating__range=(1, 5))),
                name="volunteering_signup_ratings",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.activity}"


class ServiceRecord(GovernedModel):
    """志愿服务记录: written when the organiser confirms the hours, never edited; its deposit
    into the time bank and its 爱心币 are one ledger transaction each."""

    signup = models.OneToOneField(
        SignUp, verbose_name="报名", on_delete=models.PROTECT, related_name="record"
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name="志愿者", on_delete=models.PROTECT, related_name="records"
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="记录组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organiser_name = models.CharField("组织方", max_length=100)
    content = models.CharField("服务内容", max_length=200)
    served_on = models.DateField("服务日期")
    place = models.CharField("服务地点", max_length=200)
    minutes = models.PositiveIntegerField("服务时长（分钟）")
    recorded_by = models.ForeignKey(
        User, verbose_name="记录人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    deposit = models.ForeignKey(
        "ledger.Transaction",
        verbose_name="存入时间银行",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    scope_org_field = "organization"

    class Meta:
        verbose_name = "志愿服务记录"
        verbose_name_plural = verbose_name
        ordering = ["-served_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1, minutes__lte=MAX_ACTIVITY_MINUTES),
                name="volunteering_record_minutes",
            )
        ]

    def __str__(self) -> str:
        return f"{self.served_on} {self.content}"


class Certificate(GovernedModel):
    """志愿服务证明: what it says is copied here at issue, so the public check shows exactly the
    certificate (masked name, hours, content, issuer) and nothing read live from the records."""

    number = models.CharField("证明编号", max_length=24, unique=True)
    volunteer = models.ForeignKey(
        Volunteer, verbose_name="志愿者", on_delete=models.PROTECT, related_name="certificates"
    )
    masked_name = models.CharField("姓名（脱敏）", max_length=32)
    masked_id = models.CharField("身份证号（脱敏）", max_length=24)
    minutes = models.PositiveIntegerField("累计时长（分钟）")
    records = models.PositiveIntegerField("服务次数")
    first_on = models.DateField("首次服务")
    last_on = models.DateField("最近服务")
    contents = models.CharField("主要服务内容", max_length=300)
    issuer = models.CharField("出具单位", max_length=100)
    issued_on = models.DateField("出具日期")
    issued_by = models.ForeignKey(
        User, verbose_name="申请人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "志愿服务证明"
        verbose_name_plural = verbose_name
        ordering = ["-issued_on", "-pk"]

    def __str__(self) -> str:
        return self.number


class Commendation(GovernedModel):
    """嘉许: an award to a volunteer (五星志愿者, 年度优秀志愿者), shown to them and in the list."""

    volunteer = models.ForeignKey(
        Volunteer, verbose_name="志愿者", on_delete=models.PROTECT, related_name="commendations"
    )
    title = models.CharField("嘉许名称", max_length=100)
    reason = models.CharField("事由", max_length=300, blank=True)
    awarded_on = models.DateField("嘉许日期")
    awarded_by = models.ForeignKey(
        User, verbose_name="嘉许人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "志愿者嘉许"
        verbose_name_plural = verbose_name
        ordering = ["-awarded_on", "-pk"]

    def __str__(self) -> str:
        return self.title
