"""Model fields of the personal-data vault.

`EncryptedTextField` keeps plaintext on the instance and ciphertext in the database; it
refuses lookups, because a random-nonce ciphertext can never match. Exact lookup goes through
the companion `BlindIndexField`, which derives its value from the plaintext on every save.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import FieldError
from django.db import models

from . import vault

log = logging.getLogger(__name__)


class EncryptedTextField(models.TextField):
    """Encrypted at rest with the vault's active key; `mask` names the masking rule."""

    def __init__(self, *args: Any, mask: str, **kwargs: Any) -> None:
        if mask not in vault.MASKERS:
            raise ValueError(f"unknown mask {mask!r}")
        self.mask = mask
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["mask"] = self.mask
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        try:
            return vault.decrypt(value)
        except vault.VaultError as exc:
            # One damaged row must not take down a page or an export of thousands: it reads
            # as unreadable, and the operator is told which column (never the value).
            log.error(
                "无法解密 %s.%s 的一个值（密钥编号 %s）：%s",
                self.model._meta.label,
                self.name,
                vault.key_id(value),
                exc,
            )
            return vault.Unreadable(value)

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, vault.Unreadable):
            return value.token
        return vault.sealed(super().get_prep_value(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise FieldError(
                f"加密字段 {self.name} 不能按 {lookup_name} 查询，请使用其检索哈希字段"
            )
        return super().get_lookup(lookup_name)


class BlindIndexField(models.CharField):
    """Keyed hash of another field's plaintext, for exact lookup and uniqueness."""

    def __init__(self, *args: Any, source: str, kind: str, **kwargs: Any) -> None:
        if kind not in vault.NORMALIZERS:
            raise ValueError(f"unknown kind {kind!r}")
        self.source = source
        self.kind = kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["kind"] = self.kind
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        plaintext = getattr(model_instance, self.source)
        if isinstance(plaintext, vault.Unreadable):
            return getattr(model_instance, self.attname)  # the hash of the value it still holds
        value = vault.blind_index(self.kind, plaintext) if plaintext else None
        setattr(model_instance, self.attname, value)
        return value

    def lookup_value(self, plaintext: str) -> str:
        """The hash to filter by: `Model.objects.filter(phone_hash=field.lookup_value(x))`."""
        return vault.blind_index(self.kind, plaintext)
