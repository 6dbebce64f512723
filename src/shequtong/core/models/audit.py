"""The append-only, hash-chained audit log."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models

from .areas import GovernedQuerySet


class AuditEntryQuerySet(GovernedQuerySet):
    """Refuses bulk edits and deletes: the log is append-only through the ORM as well."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("审计日志只能追加，不能修改")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise PermissionError("审计日志只能追加，不能删除")


class AuditEntry(models.Model):
    """One audited action. `hash` = SHA-256(prev_hash ‖ canonical JSON of the entry)."""

    seq = models.BigIntegerField("序号", unique=True, editable=False)
    at = models.DateTimeField("时间", db_index=True)
    # DO_NOTHING, not SET_NULL: deleting a user or an area must not rewrite (and so break) the
    # chain; the entry keeps the old id and `actor_label`/`area_path` keep it readable.
    actor = models.ForeignKey(
        "core.User",
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("动作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    area = models.ForeignKey(
        "core.Area",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
    )
    area_path = models.CharField(max_length=255, blank=True, db_index=True)
    changes = models.JSONField("变更", default=dict, blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    scope_path_field = "area_path"

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = verbose_name
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="core_audit_object")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("审计日志只能追加，不能修改")
        # Never an UPDATE, even for a new instance given the primary key of an existing row.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("审计日志只能追加，不能删除")


class AuditChainHead(models.Model):
    """The single row every append locks, so entries get gapless numbers and one chain."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
