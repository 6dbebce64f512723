"""`shequtong rotate-data-key`: re-encrypt personal data still sealed with an old data key.

After a new key is put first in SHEQUTONG_DATA_KEYS (docs/operations.md), new writes use it but
old rows keep their old ciphertext. This command finds, in every model of every installed app,
each `EncryptedTextField` value whose key id is not the active one, and re-encrypts it.

- A batch per transaction, its rows locked (`SELECT … FOR NO KEY UPDATE` on PostgreSQL; SQLite
  takes the write lock when the transaction begins), so a concurrent edit of the same person is
  neither lost nor overwritten with stale data, and an interruption loses one batch at most.
- The new ciphertext is written with `QuerySet.update`, never `save()`: the blind index, the
  `updated_at` stamp and every other column stay as they were.
- Resumable by construction: each run looks for values still on an old key, so running it again
  after a stop (or with `--limit`, a slice per night) carries on where the data needs it.
- A value that cannot be decrypted (its key is no longer configured, or it was tampered with) is
  skipped, counted and named; the run then exits non-zero, after the others are done.
- Files kept by `core.storage.SealedStorage` (uploaded ledgers, mediation agreements) are
  encrypted again the same way, each replaced in one rename.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections, models, router, transaction
from django.db.models import Q, Value
from django.db.models.functions import Cast

from shequtong.core import vault
from shequtong.core.audit import audit_record
from shequtong.core.fields import EncryptedTextField
from shequtong.core.storage import SealedStorage

_RAW = "_vault_raw"  # the annotation that reads the column as plain text, never decrypted


def encrypted_fields() -> Iterator[tuple[type[models.Model], EncryptedTextField]]:
    """Every encrypted column of every installed model, each once (a proxy or a multi-table
    child shares its parent's column, so only the model that declares it is listed)."""
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for candidate in model._meta.local_concrete_fields:
            if isinstance(candidate, EncryptedTextField):
                yield model, candidate


@dataclass
class _Tally:
    rotated: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)

    def fail(self, label: str) -> None:
        self.failed += 1
        if len(self.failures) < 20:  # enough to find them; the count says how many
            self.failures.append(label)


def sealed_files() -> Iterator[tuple[type[models.Model], models.FileField]]:
    """Every file field of every installed model whose files are encrypted at rest."""
    for model in apps.get_models():
        for candidate in model._meta.local_concrete_fields:
            if isinstance(candidate, models.FileField) and isinstance(
                candidate.storage, SealedStorage
            ):
                yield model, candidate


def _rotate_files(tally: _Tally) -> None:
    for model, column in sealed_files():
        names = model._base_manager.exclude(**{column.attname: ""}).values_list(
            "pk", column.attname
        )
        for pk, name in names.iterator():
            try:
                tally.rotated += column.storage.reseal(name)
            except (OSError, vault.VaultError):
                tally.fail(f"{model._meta.label}.{column.name} pk={pk}（文件 {name}）")


def _stale(model: type[models.Model], column: EncryptedTextField, active: str) -> models.QuerySet:
    """Rows whose column holds a ciphertext not sealed with the active key.

    The encrypted field refuses lookups, so the filter runs on the column cast to plain text.
    """
    raw = Cast(column.attname, output_field=models.TextField())
    return (
        model._base_manager.annotate(**{_RAW: raw})
        .filter(Q(**{f"{_RAW}__gt": ""}) & ~Q(**{f"{_RAW}__startswith": f"{active}$"}))
        .order_by("pk")
    )


def _rotate_batch(
    model: type[models.Model],
    column: EncryptedTextField,
    active: str,
    after: Any,
    size: int,
    tally: _Tally,
) -> tuple[int, Any]:
    """Re-encrypt up to `size` stale values with primary key above `after`, in one transaction.

    Returns how many rows the batch looked at and the last primary key seen; the cursor moves
    past undecryptable rows so they are reported once rather than retried forever.
    """
    alias = router.db_for_write(model)
    features = connections[alias].features
    with transaction.atomic(using=alias):
        rows = _stale(model, column, active).using(alias)
        if after is not None:
            rows = rows.filter(pk__gt=after)
        if features.has_select_for_update:
            rows = rows.select_for_update(no_key=features.has_select_for_no_key_update)
        batch = list(rows.values_list("pk", _RAW)[:size])
        for pk, ciphertext in batch:
            try:
                plaintext = vault.decrypt(ciphertext)
            except vault.VaultError:
                tally.fail(
                    f"{model._meta.label}.{column.name} pk={pk}（密钥 {vault.key_id(ciphertext)}）"
                )
                continue
            # Value(…, TextField): the fresh ciphertext goes in as it is, not encrypted twice.
            sealed = Value(vault.encrypt(plaintext), output_field=models.TextField())
            model._base_manager.using(alias).filter(pk=pk).update(**{column.attname: sealed})
            tally.rotated += 1
    return len(batch), (batch[-1][0] if batch else after)


class Command(BaseCommand):
    help = (
        "用当前数据密钥（SHEQUTONG_DATA_KEYS 的第一个）重新加密仍使用旧密钥的个人信息；"
        "分批提交，可随时中断后重新运行。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=500, help="每个事务处理的行数（默认 500）"
        )
        parser.add_argument(
            "--limit",
            type=int,
            default=None,
            help="本次最多重新加密的值的个数，用于分时段逐步轮换；不填则全部处理",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        size: int = options["batch_size"]
        limit: int | None = options["limit"]
        if size < 1:
            raise CommandError("--batch-size 须为正整数")
        if limit is not None and limit < 1:
            raise CommandError("--limit 须为正整数")
        active = vault.keyring().active_kid
        self.stdout.write(f"当前数据密钥：{active}")
        tally = _Tally()
        remaining: int | None = None
        try:
            for model, column in encrypted_fields():
                self._rotate_column(model, column, active, size, limit, tally)
            if limit is None or tally.rotated < limit:
                _rotate_files(tally)
            remaining = sum(_stale(m, c, active).count() for m, c in encrypted_fields())
        finally:
            # One entry per run, also for a run stopped half-way: its batches are committed.
            audit_record(
                actor=None,
                action="vault.rotate",
                object_repr=f"数据密钥轮换至 {active}",
                changes={
                    "active_key": [None, active],
                    "rotated": [None, tally.rotated],
                    "failed": [None, tally.failed],
                    "remaining": [None, remaining],
                },
            )
        self.stdout.write(f"共重新加密 {tally.rotated} 个值")
        if tally.failed:
            names = "\n".join(f"  - {name}" for name in tally.failures)
            raise CommandError(
                f"{tally.failed} 个值无法解密（密钥已不在配置中或数据被篡改），未能轮换：\n{names}"
            )
        if remaining:
            self.stdout.write(f"仍有 {remaining} 个值使用旧密钥：再次运行以继续")
        else:
            self.stdout.write(self.style.SUCCESS("所有个人信息均已使用当前密钥，可以移除旧密钥"))

    def _rotate_column(
        self,
        model: type[models.Model],
        column: EncryptedTextField,
        active: str,
        size: int,
        limit: int | None,
        tally: _Tally,
    ) -> None:
        label = f"{model._meta.label}.{column.name}"
        after: Any = None
        while limit is None or tally.rotated < limit:
            take = size if limit is None else min(size, limit - tally.rotated)
            before = tally.rotated
            seen, after = _rotate_batch(model, column, active, after, take, tally)
            if tally.rotated > before:
                done = tally.rotated - before
                self.stdout.write(f"{label}：本批重新加密 {done} 个，累计 {tally.rotated} 个")
            if seen < take:
                return
