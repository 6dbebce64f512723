"""People who use the platform, their role grants, departments and machine tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..choices import DepartmentKind, Role
from ..fields import BlindIndexField, EncryptedTextField
from .areas import GovernedModel, GovernedQuerySet


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=32, blank=True)
    phone = EncryptedTextField("手机号", mask="phone")
    phone_hash = BlindIndexField(source="phone", kind="phone")
    department = models.ForeignKey(
        "core.Department",
        verbose_name="所属部门",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )

    # Staff are visible to whoever may see one of their grants' areas.
    scope_path_field = "grants__area_path"
    pii_fields = ("phone",)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = verbose_name
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username


class Department(GovernedModel):
    """A functional department (职能部门) that takes cases from the subdistrict or district."""

    name = models.CharField("部门名称", max_length=64)
    kind = models.CharField("类别", max_length=24, choices=DepartmentKind.choices)

    class Meta:
        verbose_name = "职能部门"
        verbose_name_plural = verbose_name
        ordering = ["area_path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="core_department_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class RoleGrant(GovernedModel):
    """`user` acts as `role` over `area` and everything below it."""

    user = models.ForeignKey(
        "core.User", verbose_name="用户", on_delete=models.CASCADE, related_name="grants"
    )
    role = models.CharField("角色", max_length=24, choices=Role.choices)
    department = models.ForeignKey(
        "core.Department",
        verbose_name="部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grants",
    )
    granted_by = models.ForeignKey(
        "core.User",
        verbose_name="授权人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = verbose_name
        ordering = ["area_path", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "area"], name="core_grant_unique"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="core_grant_role_valid"),
            models.CheckConstraint(
                condition=~Q(role=Role.DEPARTMENT_HANDLER) | Q(department__isnull=False),
                name="core_grant_department_handler_has_department",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.area}"


class ApiTokenQuerySet(GovernedQuerySet):
    def usable(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A machine credential: shown once, stored as a SHA-256 hash, acting as its owner."""

    user = models.ForeignKey(
        "core.User", verbose_name="所有者", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("用途", max_length=64)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("到期时间", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    scope_owner_field = "user"

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = verbose_name
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )
