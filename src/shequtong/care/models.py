"""Care profiles with consent, emergency contacts, devices, readings and alarms."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from shequtong.core.fields import EncryptedTextField
from shequtong.core.models import GovernedModel

from .choices import (
    AlarmKind,
    AlarmOutcome,
    AlarmStatus,
    CareLevel,
    ContactKind,
    DeviceKind,
    Living,
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
    # Personal thresholds: {"heart_rate": [50, 120], "spo2_min": 90}; defaults by care level.
    thresholds = models.JSONField("告警阈值", default=dict, blank=True)

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
        indexes = [models.Index(fields=["profile", "metric", "at"], name="care_reading_series")]

    def __str__(self) -> str:
        return f"{self.metric}={self.value} @ {self.at}"


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
    on_site_at = models.DateTimeField("到场时间", null=True, blank=True)
    resolved_at = models.DateTimeField("处置时间", null=True, blank=True)
    outcome = models.CharField("结果", max_length=16, choices=AlarmOutcome.choices, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "告警"
        verbose_name_plural = verbose_name
        ordering = ["-raised_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_escalation_at"], name="care_alarm_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "kind"],
                condition=Q(status__in=["raised", "notifying", "acknowledged", "on_site"]),
                name="care_alarm_one_open_per_device_kind",
            )
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
