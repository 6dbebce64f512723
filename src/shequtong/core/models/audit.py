"""The append-only audit log, chained by HMAC (see core.audit)."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.db.models import Q

from .areas import GovernedQuerySet


class AuditEntryQuerySet(GovernedQuerySet):
    """Refuses bulk edits and deletes: the log is append-only through the ORM as well."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("审计日志只能追加，不能修改")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise PermissionError("审计日志只能追加，不能删除")


class AuditEntry(models.Model):
    """One audited action. Written without `seq`; sealing sets `seq`, `key_id`, `prev_hash`
    and `hash` = HMAC-SHA256(audit key `key_id`, prev_hash ‖ canonical JSON of the entry)."""

    # NULL until sealed: writers append without waiting for one another (core.audit).
    seq = models.BigIntegerField("序号", unique=True, null=True, blank=True, editable=False)
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
    key_id = models.CharField("封链密钥", max_length=16, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    scope_path_field = "area_path"

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = verbose_name
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="core_audit_object"),
            # What the sealer looks for after every audited commit.
            models.Index(fields=["id"], name="core_audit_unsealed", condition=Q(seq__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"#{self.seq or '—'} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("审计日志只能追加，不能修改")
        # Never an UPDATE, even for a new instance given the primary key of an existing row.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("审计日志只能追加，不能删除")


class AuditChainHead(models.Model):
    """The single row sealers take turns on, so entries get gapless numbers and one chain.

    `mac` authenticates (seq, hash) so that the head cannot be moved back over dropped
    entries without the key; the `pruned_*` fields are the checkpoint left by pruning."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    key_id = models.CharField(max_length=16, blank=True)
    mac = models.CharField(max_length=64, blank=True)
    pruned_seq = models.BigIntegerField(default=0)
    pruned_hash = models.CharField(max_length=64, blank=True)
    pruned_key_id = models.CharField(max_length=16, blank=True)
    pruned_mac = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
