"""Care profiles with consent, emergency contacts, devices, readings and alarms."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from shequtong.core.fields import EncryptedTextField
from shequtong.core.models import GovernedModel

from .choices import (
    AlarmKind,
    AlarmOutcome,
    AlarmStatus,
    CareLevel,
    CareOrderStatus,
    CareService,
    ContactKind,
    DeviceKind,
    Living,
    VisitFinding,
)


class CareProfile(GovernedModel):
    """An elderly resident under care. No device data is accepted without a recorded consent
    (`consented_at`, by whom, for what); withdrawing it stops the data at the door."""

    person = models.OneToOneField(
        "registry.Person", verbose_name="居民", on_delete=models.PROTECT, related_name="care"
    )
    care_level = models.CharField(
        "照护等级", max_length=16, choices=CareLevel.choices, default=CareLevel.SELF_CARE
    )
    living = models.CharField("居住情况", max_length=16, choices=Living.choices)
    health_notes = EncryptedTextField("慢病与用药", mask="note")
    consent_by = models.CharField("同意人", max_length=64, blank=True)
    consent_scope = models.CharField("同意范围", max_length=200, blank=True)
    consented_at = models.DateTimeField("同意时间", null=True, blank=True)
    consent_withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    # Personal thresholds: {"heart_rate": [50, 120], "spo2_min": 90, "idle_hours": 8,
    # "geofence": {"lon": …, "lat": …, "radius_m": 500}}; defaults by care level.
    thresholds = models.JSONField("告警阈值", default=dict, blank=True)
    # A door opened, water drawn, steps taken: kept at ingest so the no-activity rule is one query.
    last_activity_at = models.DateTimeField("最近活动", null=True, blank=True)

    pii_fields = ("health_notes",)

    class Meta:
        verbose_name = "照护档案"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.person.name}（{self.get_living_display()}）"

    @property
    def consented(self) -> bool:
        return self.consented_at is not None and self.consent_withdrawn_at is None


class EmergencyContact(models.Model):
    """One link of the contact chain, called in `order` until someone acknowledges."""

    profile = models.ForeignKey(CareProfile, on_delete=models.CASCADE, related_name="contacts")
    order = models.PositiveSmallIntegerField("顺序")
    kind = models.CharField("关系", max_length=16, choices=ContactKind.choices)
    name = models.CharField("姓名", max_length=64)
    phone = EncryptedTextField("电话", mask="phone")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="平台账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ack_minutes = models.PositiveSmallIntegerField("响应时限（分钟）", default=5)

    class Meta:
        verbose_name = "紧急联系人"
        verbose_name_plural = verbose_name
        ordering = ["profile_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "order"], name="care_contact_order")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}（{self.get_kind_display()}）"


class Device(GovernedModel):
    """A wearable, SOS button or sensor; it authenticates with a token shown once."""

    kind = models.CharField("类型", max_length=16, choices=DeviceKind.choices)
    serial = models.CharField("序列号", max_length=64, unique=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    profile = models.ForeignKey(
        CareProfile,
        verbose_name="绑定对象",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="devices",
    )
    # When it was last bound to its person: silence is counted from here, not from its first
    # registration (a returned device given to someone else starts afresh).
    bound_at = models.DateTimeField("绑定时间", default=timezone.now)
    battery = models.PositiveSmallIntegerField("电量 %", null=True, blank=True)
    firmware = models.CharField("固件版本", max_length=32, blank=True)
    last_seen_at = models.DateTimeField("最近上报", null=True, blank=True)
    last_state = models.JSONField("最新状态", default=dict, blank=True)

    class Meta:
        verbose_name = "设备"
        verbose_name_plural = verbose_name
        ordering = ["serial"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial}"


class Reading(models.Model):
    """One measurement or event a device sent; (device, at, metric) is its identity, so a
    replayed batch changes nothing."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="readings")
    profile = models.ForeignKey(CareProfile, on_delete=models.CASCADE, related_name="readings")
    at = models.DateTimeField("时间")
    metric = models.CharField("指标", max_length=16)
    value = models.FloatField("数值", null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "设备读数"
        verbose_name_plural = verbose_name
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(fields=["device", "at", "metric"], name="care_reading_once")
        ]
        indexes = [
            models.Index(fields=["profile", "metric", "at"], name="care_reading_series"),
            models.Index(fields=["at"], name="care_reading_age"),  # the retention sweep
        ]

    def __str__(self) -> str:
        return f"{self.metric}={self.value} @ {self.at}"


class DeadLetter(models.Model):
    """What devices sent that could not be taken, kept for inspection: a message that is not
    JSON, a forged token, readings refused with their reasons. Written and acknowledged so that
    the messages behind it (an SOS above all) go on; the device token is never kept."""

    received_at = models.DateTimeField("接收时间", auto_now_add=True, db_index=True)
    channel = models.CharField("通道", max_length=8)  # "mqtt" or "http"
    serial = models.CharField("设备编号", max_length=64, blank=True)
    reason = models.CharField("原因", max_length=300)
    payload = models.TextField("内容", blank=True)

    class Meta:
        verbose_name = "设备异常消息"
        verbose_name_plural = verbose_name
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.channel} {self.serial} {self.reason}"


_OPEN = ["raised", "notifying", "acknowledged", "on_site"]


class Alarm(GovernedModel):
    """告警: raised → notifying → acknowledged → on_site → resolved (with an outcome). A storm
    from one device folds into the open alarm of its kind (`repeats`)."""

    profile = models.ForeignKey(CareProfile, on_delete=models.PROTECT, related_name="alarms")
    device = models.ForeignKey(
        Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="alarms"
    )
    kind = models.CharField("类型", max_length=16, choices=AlarmKind.choices)
    status = models.CharField(
        "状态", max_length=16, choices=AlarmStatus.choices, default=AlarmStatus.RAISED
    )
    raised_at = models.DateTimeField("发生时间")
    repeats = models.PositiveIntegerField("重复次数", default=0)
    chain_position = models.PositiveSmallIntegerField("已通知到第几位联系人", default=0)
    next_escalation_at = models.DateTimeField("下次升级", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField("响应时间", null=True, blank=True)
    dispatched_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="派往现场",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on_site_at = models.DateTimeField("到场时间", null=True, blank=True)
    resolved_at = models.DateTimeField("处置时间", null=True, blank=True)
    outcome = models.CharField("结果", max_length=16, choices=AlarmOutcome.choices, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    case_number = models.CharField("跟进事件编号", max_length=32, blank=True)
    # 转事件跟进 asked for and not yet opened: the task worker opens the case, retrying until it
    # succeeds; the alarm shows the request meanwhile (care/alarms.py, follow_up_open).
    follow_up_requested_at = models.DateTimeField("转事件跟进请求时间", null=True, blank=True)

    class Meta:
        verbose_name = "告警"
        verbose_name_plural = verbose_name
        ordering = ["-raised_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_escalation_at"], name="care_alarm_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "kind"],
                condition=Q(status__in=_OPEN),
                name="care_alarm_one_open_per_device_kind",
            ),
            # Alarms of the person rather than a device (no activity): one open of each kind.
            models.UniqueConstraint(
                fields=["profile", "kind"],
                condition=Q(status__in=_OPEN, device__isnull=True),
                name="care_alarm_one_open_per_person_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.profile.person.name}"


class AlarmStep(models.Model):
    """A dated line of the alarm's handling: who was called, who answered, what was done."""

    alarm = models.ForeignKey(Alarm, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=32)
    label = models.CharField(max_length=100)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.label


class VisitPlan(GovernedModel):
    """走访计划: how often the people of a group are visited (独居高龄 weekly, 空巢 monthly).
    It applies to the profiles within its area that match every criterion it sets; a person
    several plans match is visited as often as the strictest asks."""

    name = models.CharField("计划名称", max_length=64)
    living = models.CharField(
        "居住情况", max_length=16, choices=Living.choices, blank=True, help_text="留空为不限"
    )
    care_level = models.CharField(
        "照护等级", max_length=16, choices=CareLevel.choices, blank=True, help_text="留空为不限"
    )
    min_age = models.PositiveSmallIntegerField("年龄不低于", null=True, blank=True)
    every_days = models.PositiveSmallIntegerField("走访周期（天）")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "走访计划"
        verbose_name_plural = verbose_name
        ordering = ["area_path", "every_days", "name"]

    def __str__(self) -> str:
        return f"{self.name}（每 {self.every_days} 天）"


class Visit(GovernedModel):
    """A visit made: when, where the visitor stood (checked against the building), what they
    found."""

    profile = models.ForeignKey(CareProfile, on_delete=models.PROTECT, related_name="visits")
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="走访人", on_delete=models.PROTECT, related_name="+"
    )
    visited_at = models.DateTimeField("走访时间")
    lon = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    distance_m = models.PositiveIntegerField("距住址（米）", null=True, blank=True)
    finding = models.CharField("走访情况", max_length=16, choices=VisitFinding.choices)
    notes = models.CharField("记录", max_length=1000, blank=True)

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = verbose_name
        ordering = ["-visited_at", "-pk"]
        indexes = [models.Index(fields=["profile", "visited_at"], name="care_visit_last")]

    def __str__(self) -> str:
        return f"{self.profile.person.name} {self.visited_at:%Y-%m-%d}"


class CareOrder(GovernedModel):
    """A home-service order (助餐助洁助急助浴助医助行): requested, assigned to a provider
    organization or a volunteer, completed with its price and subsidy, rated by the person."""

    profile = models.ForeignKey(CareProfile, on_delete=models.PROTECT, related_name="orders")
    service = models.CharField("服务类型", max_length=16, choices=CareService.choices)
    status = models.CharField(
        "状态", max_length=16, choices=CareOrderStatus.choices, default=CareOrderStatus.REQUESTED
    )
    wanted_at = models.DateTimeField("期望服务时间")
    note = models.CharField("需求说明", max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        "registry.Organization",
        verbose_name="服务机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="志愿者",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField("派单时间", null=True, blank=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    price = models.DecimalField("服务价格（元）", max_digits=8, decimal_places=2, default=0)
    subsidy = models.DecimalField("补贴金额（元）", max_digits=8, decimal_places=2, default=0)
    minutes = models.PositiveIntegerField("服务时长（分钟）", null=True, blank=True)
    rating = models.PositiveSmallIntegerField("评分", null=True, blank=True)
    rating_comment = models.CharField("评价", max_length=200, blank=True)

    class Meta:
        verbose_name = "助老服务工单"
        verbose_name_plural = verbose_name
        ordering = ["-wanted_at", "-pk"]
        indexes = [models.Index(fields=["profile", "completed_at"], name="care_order_month")]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="care_order_rating_1_5",
            ),
            models.CheckConstraint(
                condition=Q(subsidy__lte=models.F("price")), name="care_order_subsidy_le_price"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_service_display()} {self.profile.person.name}"
