"""Writing and verifying the hash-chained audit log.

Appends are serialized by locking the chain head, so each entry gets the next number and the
hash of the one before; a gap, an edit or a re-ordering breaks the chain where it happened.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from . import vault
from .context import client_ip
from .models import Area, AuditChainHead, AuditEntry, User

GENESIS = "0" * 64


def _canonical(entry: AuditEntry) -> bytes:
    body = {
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "area": entry.area_id,
        "area_path": entry.area_path,
        "changes": entry.changes,
        "ip": entry.ip,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(entry.prev_hash.encode() + _canonical(entry)).hexdigest()


def masked_changes(
    obj: models.Model, before: Mapping[str, Any], after: Mapping[str, Any]
) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields that differ, PII fields masked."""
    masks = {
        f.name: vault.MASKERS[f.mask]  # type: ignore[attr-defined]
        for f in obj._meta.get_fields()
        if hasattr(f, "mask")
    }
    changes: dict[str, list[Any]] = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if name in masks:
            old, new = masks[name](old or ""), masks[name](new or "")
        changes[name] = [_plain(old), _plain(new)]
    return changes


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


def user_area(user: User) -> Area | None:
    """The outermost area a user is granted: where their logins and reveals of their data show."""
    grant = user.grants.select_related("area").order_by("area__depth", "pk").first()
    return grant.area if grant else None


def _area_of(obj: models.Model | None) -> Area | None:
    if obj is None:
        return None
    if isinstance(obj, Area):
        return obj
    if isinstance(obj, User):
        return user_area(obj) if obj.pk else None
    if getattr(obj, "area_id", None):
        return obj.area  # type: ignore[attr-defined]
    return None


def _json_safe(changes: Mapping[str, Any]) -> dict[str, Any]:
    """`changes` exactly as the JSON column will return it (dates as ISO text, tuples as lists),
    so the hash taken now is the hash recomputed from the stored row."""
    return json.loads(json.dumps(dict(changes), cls=DjangoJSONEncoder))


def _normalized_ip(value: str | None) -> str | None:
    """The canonical text of an address, as PostgreSQL's inet column will give it back.

    The entry hash is computed before the save and checked against what the database returns;
    "2001:0DB8::0001" stored as inet reads back as "2001:db8::1" and would look tampered.
    """
    if not value:
        return None
    try:
        return ipaddress.ip_address(value.strip()).compressed
    except ValueError:
        return None


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    area: Area | None = None,
    changes: Mapping[str, Any] | None = None,
    object_repr: str | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Append one entry. Runs inside the caller's transaction: the entry stands or falls with it.

    The entry's area decides which auditors see it: the one given, else the object's (a user's
    outermost grant for a User), else the acting user's; an entry with none (a failed login
    under an unknown name) is seen at district level only (see core.scoping).
    """
    acting = actor if actor is not None and actor.pk else None
    area = area or _area_of(obj) or (user_area(acting) if acting is not None else None)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            seq=head.seq + 1,
            at=timezone.now(),
            actor=acting,
            actor_label=acting.get_username() if acting is not None else "系统",
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
            object_repr=(object_repr if object_repr is not None else str(obj or ""))[:200],
            area=area,
            area_path=area.path if area else "",
            changes=_json_safe(changes or {}),
            ip=_normalized_ip(ip if ip is not None else client_ip.get()),
            prev_hash=head.hash,
        )
        entry.hash = entry_hash(entry)
        entry.save()
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _entries(batch: int) -> Iterator[AuditEntry]:
    last = 0
    while True:
        chunk = list(AuditEntry.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq


def audit_verify(batch: int = 5000) -> VerifyResult:
    """Walk the chain from the first entry; report the first entry edited, missing or forged."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    for entry in _entries(batch):
        if entry.seq != expected_seq:
            return VerifyResult(
                checked, ChainBreak(expected_seq, f"第 {expected_seq} 条起的记录缺失")
            )
        if entry.prev_hash != prev_hash:
            return VerifyResult(
                checked, ChainBreak(entry.seq, f"第 {entry.seq} 条的前序哈希不符：其前一条被删改")
            )
        if entry_hash(entry) != entry.hash:
            return VerifyResult(
                checked, ChainBreak(entry.seq, f"第 {entry.seq} 条的内容与哈希不符：该条被篡改")
            )
        prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.seq != checked:
        return VerifyResult(
            checked,
            ChainBreak(checked + 1, f"链头记录 {head.seq} 条，实际只有 {checked} 条：末尾记录缺失"),
        )
    return VerifyResult(checked, None)
