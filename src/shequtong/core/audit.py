"""Writing, sealing and verifying the audit log.

An entry is written in the caller's transaction without a number, so audited writes never
queue behind one another. Once that transaction commits, `audit_seal` links every unsealed
entry into the chain in the order it finds them: the next number, the previous entry's MAC,
and HMAC-SHA256 with the active audit key over both and the entry's content. The key lives in
the environment (`SHEQUTONG_AUDIT_KEYS`), never in the database: someone who can rewrite rows
cannot recompute the MACs. The head (last number and MAC) is itself MAC'ed and can be anchored
outside the database (`audit_anchor`), so dropping the newest entries is found as well.

Pruning past the retention period keeps the chain verifiable: the last pruned entry's number
and MAC are kept, MAC'ed, as the checkpoint the remaining chain starts from.
"""

from __future__ import annotations

import atexit
import hashlib
import hmac
import ipaddress
import json
import logging
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import close_old_connections, connection, models, transaction
from django.utils import timezone

from . import vault
from .context import client_ip
from .models import Area, AuditChainHead, AuditEntry, User

log = logging.getLogger(__name__)

GENESIS = "0" * 64
SEAL_BATCH = 1000
IDLE_SECONDS = 5  # the sealer thread lets its database connection go after this long idle


# --- keys and MACs --------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _parse_keys(spec: str) -> tuple[str, dict[str, bytes]]:
    return vault.parse_key_spec(spec, "SHEQUTONG_AUDIT_KEYS")


def audit_keys() -> tuple[str, dict[str, bytes]]:
    """The active audit key id and every configured key (older ones verify what they sealed)."""
    return _parse_keys(settings.SHEQUTONG_AUDIT_KEYS)


class UnknownKeyError(Exception):
    """An entry sealed with a key no longer configured: it cannot be verified."""


def _key(kid: str) -> bytes:
    key = audit_keys()[1].get(kid)
    if key is None:
        raise UnknownKeyError(kid)
    return key


def _mac(kid: str, message: bytes) -> str:
    return hmac.new(_key(kid), message, hashlib.sha256).hexdigest()


def _canonical(entry: AuditEntry) -> bytes:
    body = {
        "seq": entry.seq,
        "key": entry.key_id,
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
    """The entry's MAC under the key it names: what `hash` must hold once it is sealed."""
    return _mac(entry.key_id, entry.prev_hash.encode() + _canonical(entry))


def _mark_mac(kind: str, kid: str, seq: int, last_hash: str) -> str:
    """The MAC of a head or a pruning checkpoint: (kind, number, hash) under the key."""
    return _mac(kid, f"{kind}:{seq}:{last_hash}".encode())


# --- writing --------------------------------------------------------------------------------


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


def _placed(obj: models.Model | None, acting: User | None) -> tuple[int | None, str]:
    """(area id, area path) of an entry: the object's own (a governed row carries both, so
    nothing is read), an area's, a user's outermost grant, else the acting user's."""
    if getattr(obj, "area_path", None) and getattr(obj, "area_id", None):
        return obj.area_id, obj.area_path  # type: ignore[union-attr]
    area: Area | None = None
    if isinstance(obj, Area):
        area = obj
    elif isinstance(obj, User) and obj.pk:
        area = user_area(obj)
    elif getattr(obj, "area_id", None):
        area = obj.area  # type: ignore[union-attr]
    if area is None and acting is not None:
        area = user_area(acting)
    return (area.pk, area.path) if area is not None else (None, "")


def _json_safe(changes: Mapping[str, Any]) -> dict[str, Any]:
    """`changes` exactly as the JSON column will return it (dates as ISO text, tuples as lists),
    so the MAC taken now is the MAC recomputed from the stored row."""
    return json.loads(json.dumps(dict(changes), cls=DjangoJSONEncoder))


def _normalized_ip(value: str | None) -> str | None:
    """The canonical text of an address, as PostgreSQL's inet column will give it back.

    The MAC is computed from the stored row and checked against what the database returns;
    "2001:0DB8::0001" stored as inet reads back as "2001:db8::1" and would look tampered.
    """
    if not value:
        return None
    try:
        return ipaddress.ip_address(value.strip()).compressed
    except ValueError:
        return None


def audit_entry(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    area: Area | None = None,
    changes: Mapping[str, Any] | None = None,
    object_repr: str | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """One entry, not yet written: for callers that write it with their own rows in one
    statement (a case's intake), then call `seal_after_commit`.

    The entry's area decides which auditors see it: the one given, else the object's (a user's
    outermost grant for a User), else the acting user's; an entry with none (a failed login
    under an unknown name) is seen at district level only (see core.scoping).
    """
    acting = actor if actor is not None and actor.pk else None
    area_id, area_path = (area.pk, area.path) if area is not None else _placed(obj, acting)
    return AuditEntry(
        at=timezone.now(),
        actor=acting,
        actor_label=acting.get_username() if acting is not None else "系统",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(object_repr if object_repr is not None else str(obj or ""))[:200],
        area_id=area_id,
        area_path=area_path,
        changes=_json_safe(changes or {}),
        ip=_normalized_ip(ip if ip is not None else client_ip.get()),
    )


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
    """Append one entry. Runs inside the caller's transaction: the entry stands or falls with
    it, and takes no lock that another writer waits for; it is sealed after the commit."""
    entry = audit_entry(
        actor=actor,
        action=action,
        obj=obj,
        area=area,
        changes=changes,
        object_repr=object_repr,
        ip=ip,
    )
    entry.save()
    seal_after_commit()
    return entry


def audit_record_many(entries: Iterable[AuditEntry]) -> list[AuditEntry]:
    """Append many entries built by `audit_entry` in one INSERT (an export revealing a
    thousand people writes a thousand entries, one per person)."""
    rows = AuditEntry.objects.bulk_create(list(entries), batch_size=SEAL_BATCH)
    seal_after_commit()
    return rows


def _seal_now() -> None:
    try:
        audit_seal()
    except Exception:  # the entries are committed; the next seal (or `audit seal`) links them
        log.exception("审计日志封链失败，待下次封链时补上")


class _Sealer:
    """One thread per process that seals after commits, off the request's path: a burst of
    commits wakes it once, and it seals them in one batch."""

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        with self._lock:
            # Started lazily, and again in a forked worker (a parent's thread does not follow).
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="audit-sealer", daemon=True)
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            if not self._wake.wait(timeout=IDLE_SECONDS):
                connection.close()  # idle: no connection held open for nothing
                continue
            self._wake.clear()
            close_old_connections()
            _seal_now()


_sealer = _Sealer()


def _seal_committed() -> None:
    if settings.SHEQUTONG_AUDIT_SEAL_INLINE:
        _seal_now()
    else:
        _sealer.wake()


def seal_after_commit() -> None:
    """Seal once the current transaction commits (at once outside one), and only once per
    transaction however many entries it wrote."""
    pending = transaction.get_connection().run_on_commit
    if not any(callback is _seal_committed for _, callback, _ in pending):
        transaction.on_commit(_seal_committed)


@atexit.register
def _seal_at_exit() -> None:
    """A command that wrote entries (an import, a sweep) seals them before it ends."""
    if _sealer._thread is not None and not settings.SHEQUTONG_AUDIT_SEAL_INLINE:
        _seal_now()


# --- sealing --------------------------------------------------------------------------------


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # Racing first sealers: one creates the row, the others wait for it and lock it.
        AuditChainHead.objects.bulk_create([AuditChainHead(pk=1)], ignore_conflicts=True)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def _store_seals(entries: list[AuditEntry]) -> None:
    """Write the numbers and MACs of freshly sealed entries (the only UPDATE the log allows,
    and only on rows that have none yet)."""
    quote = connection.ops.quote_name
    table = quote(AuditEntry._meta.db_table)
    statement = (
        f"UPDATE {table} SET seq = %s, key_id = %s, prev_hash = %s, hash = %s "  # noqa: S608
        "WHERE id = %s AND seq IS NULL"
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            statement, [(e.seq, e.key_id, e.prev_hash, e.hash, e.pk) for e in entries]
        )


def audit_seal(batch: int = SEAL_BATCH) -> int:
    """Link every committed unsealed entry into the chain; the number sealed.

    Sealers take turns on the head row; writers never wait for it. Entries are taken in the
    order they were written (their id), so the chain follows time within a batch, and one
    committed late is sealed by the next sealer."""
    kid = audit_keys()[0]
    sealed = 0
    while True:
        with transaction.atomic():
            head = _locked_head()
            pending = list(AuditEntry.objects.filter(seq__isnull=True).order_by("pk")[:batch])
            if not pending:
                return sealed
            seq, last = head.seq, head.hash
            for entry in pending:
                seq += 1
                entry.seq, entry.key_id, entry.prev_hash = seq, kid, last
                entry.hash = last = entry_hash(entry)
            _store_seals(pending)
            head.seq, head.hash, head.key_id = seq, last, kid
            head.mac = _mark_mac("head", kid, seq, last)
            head.save(update_fields=["seq", "hash", "key_id", "mac"])
        sealed += len(pending)


# --- verifying ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


@dataclass(frozen=True)
class Anchor:
    """The head at one moment, kept outside the database by the operator."""

    seq: int
    hash: str
    at: str

    def line(self) -> str:
        return json.dumps({"seq": self.seq, "hash": self.hash, "at": self.at})


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    first_break: ChainBreak | None
    unsealed: int = 0
    first_seq: int = 1

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _entries(after: int, batch: int) -> Iterator[AuditEntry]:
    last = after
    while True:
        chunk = list(AuditEntry.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq  # type: ignore[assignment]


def _mark_valid(kind: str, kid: str, seq: int, last_hash: str, mac: str) -> bool:
    try:
        return hmac.compare_digest(_mark_mac(kind, kid, seq, last_hash), mac)
    except UnknownKeyError:
        return False


def _start(head: AuditChainHead | None) -> tuple[int, str, ChainBreak | None]:
    """Where the chain begins: after the pruning checkpoint, if there is one."""
    if head is None or not head.pruned_seq:
        return 0, GENESIS, None
    if not _mark_valid(
        "prune", head.pruned_key_id, head.pruned_seq, head.pruned_hash, head.pruned_mac
    ):
        return 0, GENESIS, ChainBreak(head.pruned_seq, "清理检查点的校验码不符：检查点被篡改")
    return head.pruned_seq, head.pruned_hash, None


def _anchor_break(anchors: list[Anchor], hashes: dict[int, str], start: int) -> ChainBreak | None:
    """The first anchor the chain no longer matches (an anchor older than the pruning
    checkpoint can only be matched by the checkpoint itself)."""
    for anchor in anchors:
        if anchor.seq < start:
            continue
        found = hashes.get(anchor.seq)
        if found is None:
            return ChainBreak(
                anchor.seq, f"锚点记录了第 {anchor.seq} 条（{anchor.at}），审计链中已没有该条"
            )
        if not hmac.compare_digest(found, anchor.hash):
            return ChainBreak(
                anchor.seq, f"第 {anchor.seq} 条与锚点（{anchor.at}）不符：该条之前的记录被改写"
            )
    return None


def audit_verify(batch: int = 5000, anchors: Iterable[Anchor] = ()) -> VerifyResult:
    """Walk the chain from its start; report the first entry edited, missing or forged, a
    head that does not match, and any anchor the chain no longer reaches."""
    anchors = sorted(anchors, key=lambda a: a.seq)
    head = AuditChainHead.objects.filter(pk=1).first()
    unsealed = AuditEntry.objects.filter(seq__isnull=True).count()
    last_seq, prev_hash, broken = _start(head)
    first_seq = last_seq + 1

    def result(checked: int, brk: ChainBreak | None) -> VerifyResult:
        return VerifyResult(checked, brk, unsealed, first_seq)

    if broken:
        return result(0, broken)
    wanted = {a.seq for a in anchors}
    hashes: dict[int, str] = {}
    if last_seq in wanted:
        hashes[last_seq] = prev_hash
    checked = 0
    for entry in _entries(0, batch):
        seq = entry.seq
        if seq <= last_seq:  # type: ignore[operator]
            return result(checked, ChainBreak(seq, f"第 {seq} 条早于清理检查点，却仍在日志中"))  # type: ignore[arg-type]
        if seq != last_seq + 1:
            return result(checked, ChainBreak(last_seq + 1, f"第 {last_seq + 1} 条起的记录缺失"))
        if entry.prev_hash != prev_hash:
            return result(checked, ChainBreak(seq, f"第 {seq} 条的前序校验码不符：其前一条被删改"))
        try:
            sound = hmac.compare_digest(entry_hash(entry), entry.hash)
        except UnknownKeyError:
            return result(
                checked,
                ChainBreak(seq, f"第 {seq} 条由密钥 {entry.key_id!r} 封链，该密钥未配置，无法核验"),
            )
        if not sound:
            return result(checked, ChainBreak(seq, f"第 {seq} 条的内容与校验码不符：该条被篡改"))
        if seq in wanted:
            hashes[seq] = entry.hash
        last_seq, prev_hash, checked = seq, entry.hash, checked + 1
    if head is not None and head.seq:
        if not _mark_valid("head", head.key_id, head.seq, head.hash, head.mac):
            return result(checked, ChainBreak(head.seq, "链头的校验码不符：链头被篡改"))
        if head.seq != last_seq or head.hash != prev_hash:
            return result(
                checked,
                ChainBreak(
                    last_seq + 1,
                    f"链头记录到第 {head.seq} 条，实际只到第 {last_seq} 条：末尾记录缺失",
                ),
            )
    return result(checked, _anchor_break(anchors, hashes, first_seq))


# --- anchoring and retention ----------------------------------------------------------------


def audit_anchor() -> Anchor:
    """The current head, after sealing what is committed: to be kept outside the database."""
    audit_seal()
    head = AuditChainHead.objects.filter(pk=1).first()
    now = timezone.localtime().isoformat(timespec="seconds")
    if head is None:
        return Anchor(0, GENESIS, now)
    return Anchor(head.seq, head.hash, now)


def read_anchors(lines: Iterable[str]) -> list[Anchor]:
    """Anchors from the lines `audit anchor` wrote (blank lines skipped); ValueError names the
    first line that is not one."""
    anchors = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            anchors.append(Anchor(int(data["seq"]), str(data["hash"]), str(data.get("at", ""))))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"锚点文件第 {number} 行不是 audit anchor 写下的格式") from exc
    return anchors


def retention_days() -> int:
    return settings.SHEQUTONG_AUDIT_RETENTION_DAYS


@dataclass(frozen=True)
class PruneResult:
    removed: int
    checkpoint_seq: int


def audit_prune(*, now: datetime | None = None) -> PruneResult:
    """Remove sealed entries older than the retention period, after verifying them; the last
    one removed becomes the MAC'ed checkpoint the chain is verified from."""
    cutoff = (now or timezone.now()) - timedelta(days=retention_days())
    audit_seal()
    verified = audit_verify()
    if not verified.ok:
        raise ValueError(f"审计链不完整，不能清理：{verified.first_break.reason}")  # type: ignore[union-attr]
    with transaction.atomic():
        head = _locked_head()
        last = AuditEntry.objects.filter(seq__isnull=False, at__lt=cutoff).order_by("-seq").first()
        if last is None:
            return PruneResult(0, head.pruned_seq)
        kid = audit_keys()[0]
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(AuditEntry._meta.db_table)
            cursor.execute(f"DELETE FROM {table} WHERE seq <= %s", [last.seq])  # noqa: S608
            removed = cursor.rowcount
        head.pruned_seq, head.pruned_hash, head.pruned_key_id = last.seq, last.hash, kid
        head.pruned_mac = _mark_mac("prune", kid, last.seq, last.hash)  # type: ignore[arg-type]
        head.save(update_fields=["pruned_seq", "pruned_hash", "pruned_key_id", "pruned_mac"])
        audit_record(
            actor=None,
            action="audit.prune",
            object_repr=f"清理 {removed} 条审计记录（第 {last.seq} 条及之前）",
            changes={"before": [None, cutoff.isoformat()], "through_seq": [None, last.seq]},
        )
    return PruneResult(removed, last.seq)  # type: ignore[arg-type]
