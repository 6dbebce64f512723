"""The area spine: district → subdistrict → community → grid, and the base of governed rows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from ..choices import LEVEL_ORDER, AreaLevel

if TYPE_CHECKING:
    from .users import User


class GovernedQuerySet(models.QuerySet):
    def scoped(self, user: User, action: str) -> GovernedQuerySet:
        from ..scoping import scoped

        return scoped(self, user, action)


class Area(models.Model):
    """One node of the tree; `path` is the materialized path of primary keys: "/1/5/23/"."""

    name = models.CharField("名称", max_length=64)
    level = models.CharField("层级", max_length=16, choices=AreaLevel.choices)
    code = models.CharField(
        "行政区划代码",
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{12}$", "行政区划代码应为 12 位数字")],
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # unique=True also gives PostgreSQL a varchar_pattern_ops index for prefix (LIKE 'x%') scans.
    path = models.CharField("路径", max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField("深度", editable=False, default=0)
    boundary = models.JSONField("边界 (GeoJSON, WGS-84)", null=True, blank=True)
    # Bounding box of the boundary, so a point lookup tests few polygons.
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GovernedQuerySet.as_manager()

    # How scoping finds this model's place in the tree (see core.scoping).
    scope_path_field = "path"

    class Meta:
        verbose_name = "行政区划/网格"
        verbose_name_plural = verbose_name
        ordering = ["depth", "code", "name"]
        indexes = [
            models.Index(fields=["level", "min_lon", "min_lat"], name="core_area_bbox"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="core_area_unique_name"),
            models.CheckConstraint(condition=Q(level__in=LEVEL_ORDER), name="core_area_level"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("web:area_detail", args=[self.pk])

    @property
    def path_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def ancestors(self, include_self: bool = False) -> models.QuerySet[Area]:
        ids = self.path_ids if include_self else self.path_ids[:-1]
        return Area.objects.filter(pk__in=ids).order_by("depth")

    def descendants(self, include_self: bool = False) -> models.QuerySet[Area]:
        qs = Area.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def is_within(self, other: Area) -> bool:
        return self.path.startswith(other.path)


class GovernedModel(models.Model):
    """Base of every governed record: its area and the area's path, copied for prefix scoping."""

    area = models.ForeignKey(
        "core.Area", verbose_name="所属区域", on_delete=models.PROTECT, related_name="+"
    )
    area_path = models.CharField(max_length=255, editable=False, db_index=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = GovernedQuerySet.as_manager()

    scope_path_field = "area_path"

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A derived column, kept true on every save; services set it themselves for bulk writes.
        self.area_path = self.area.path
        super().save(*args, **kwargs)


def community_path(path: str) -> str:
    """/1/2/3/4/ (a grid) → /1/2/3/ (its community): communities sit at depth 2."""
    parts = path.strip("/").split("/")
    return "/" + "/".join(parts[:3]) + "/"
