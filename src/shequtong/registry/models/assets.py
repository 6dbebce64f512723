"""Vehicles, organizations and facilities of the community."""

from __future__ import annotations

from django.db import models

from shequtong.core.fields import BlindIndexField, EncryptedTextField
from shequtong.core.models import GovernedModel

from ..choices import FacilityKind, OrganizationKind, VehicleKind


class Vehicle(GovernedModel):
    plate = models.CharField("号牌", max_length=10, unique=True)
    kind = models.CharField("类型", max_length=16, choices=VehicleKind.choices)
    owner = models.ForeignKey(
        "registry.Person",
        verbose_name="车主",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="vehicles",
    )
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "车辆"
        verbose_name_plural = verbose_name
        ordering = ["plate"]

    def __str__(self) -> str:
        return self.plate


class Organization(GovernedModel):
    """驻区单位、社会组织、社会企业、商家, identified by the unified social credit code."""

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类别", max_length=24, choices=OrganizationKind.choices)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    address = models.CharField("地址", max_length=200, blank=True)
    contact_name = models.CharField("联系人", max_length=32, blank=True)
    contact_phone = EncryptedTextField("联系电话", mask="phone")
    contact_phone_hash = BlindIndexField(source="contact_phone", kind="phone")
    lon = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)

    pii_fields = ("contact_phone",)

    class Meta:
        verbose_name = "组织"
        verbose_name_plural = verbose_name
        ordering = ["area_path", "name"]

    def __str__(self) -> str:
        return self.name


class Facility(GovernedModel):
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类别", max_length=24, choices=FacilityKind.choices)
    address = models.CharField("地址", max_length=200, blank=True)
    lon = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    floor_area = models.DecimalField(
        "面积 (m²)", max_digits=9, decimal_places=2, null=True, blank=True
    )
    opening_hours = models.CharField("开放时间", max_length=100, blank=True)

    class Meta:
        verbose_name = "设施"
        verbose_name_plural = verbose_name
        ordering = ["area_path", "kind", "name"]

    def __str__(self) -> str:
        return self.name
