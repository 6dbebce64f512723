"""Estates, buildings and dwellings: where people live, as the building map draws it."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from shequtong.core.models import GovernedModel

from ..choices import DwellingUsage


class Estate(GovernedModel):
    """小区/院落, in one community (its `area`); it may span several grids."""

    name = models.CharField("小区名称", max_length=64)
    address = models.CharField("地址", max_length=200, blank=True)
    boundary = models.JSONField("边界 (GeoJSON, WGS-84)", null=True, blank=True)
    property_company = models.CharField("物业服务企业", max_length=100, blank=True)
    year_built = models.PositiveSmallIntegerField(
        "建成年份",
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )

    class Meta:
        verbose_name = "小区"
        verbose_name_plural = verbose_name
        ordering = ["area_path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="registry_estate_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


# What a building can be: the limits every way of entering one (form, API, ledger, a floor
# derived from a door number) keeps, and the building map is drawn within.
MAX_UNITS = 99
MAX_FLOORS = 200
MIN_FLOOR = -5  # basements
MAX_DOORS_PER_FLOOR = 50


class Building(GovernedModel):
    """楼栋, in one grid (its `area`). Units × floors × doors per floor give the building map."""

    estate = models.ForeignKey(
        Estate, verbose_name="小区", on_delete=models.PROTECT, related_name="buildings"
    )
    number = models.CharField("楼栋号", max_length=32)
    units = models.PositiveSmallIntegerField("单元数", default=1)
    floors = models.PositiveSmallIntegerField("层数", default=1)
    dwellings_per_floor = models.PositiveSmallIntegerField("每层户数", default=2)
    lon = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)

    class Meta:
        verbose_name = "楼栋"
        verbose_name_plural = verbose_name
        ordering = ["estate_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "number"], name="registry_building_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.estate}{self.number}"


class Dwelling(GovernedModel):
    """房屋: one door. `number` is the door plate as written (e.g. "302")."""

    building = models.ForeignKey(
        Building, verbose_name="楼栋", on_delete=models.PROTECT, related_name="dwellings"
    )
    unit = models.PositiveSmallIntegerField("单元", default=1)
    floor = models.SmallIntegerField("楼层", default=1)
    number = models.CharField("房号", max_length=16)
    floor_area = models.DecimalField(
        "建筑面积 (m²)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    usage = models.CharField(
        "用途", max_length=16, choices=DwellingUsage.choices, default=DwellingUsage.SELF_OCCUPIED
    )
    owner = models.ForeignKey(
        "registry.Person",
        verbose_name="产权人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_dwellings",
    )

    class Meta:
        verbose_name = "房屋"
        verbose_name_plural = verbose_name
        ordering = ["building_id", "unit", "floor", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "unit", "number"], name="registry_dwelling_unique_door"
            )
        ]
        # Search by a door's plate (1203) across every building in scope.
        indexes = [models.Index(fields=["number"], name="registry_dwelling_number")]

    def __str__(self) -> str:
        return f"{self.building}{self.unit}单元{self.number}"
