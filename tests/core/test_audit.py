"""The audit log: appends, sealing by HMAC, tamper detection, anchors, pruning, append-only
rules, masking, placement."""

from __future__ import annotations

import hashlib
import io
import itertools
import stat
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from shequtong.core import services, vault
from shequtong.core.audit import (
    GENESIS,
    audit_anchor,
    audit_prune,
    audit_record,
    audit_seal,
    audit_verify,
    entry_hash,
    read_anchors,
)
from shequtong.core.audit import _canonical as audit_canonical
from shequtong.core.choices import Role
from shequtong.core.context import client_ip
from shequtong.core.models import AuditChainHead, AuditEntry
from shequtong.core.scoping import scoped
from tests.core.factories import UserFactory

pytestmark = pytest.mark.django_db


def append(n: int, **kwargs) -> list[AuditEntry]:
    """`n` entries, sealed as they would be once their transaction commits."""
    for i in range(1, n + 1):
        audit_record(actor=None, action="test.note", object_repr=f"第{i}条", **kwargs)
    audit_seal()
    return list(AuditEntry.objects.order_by("seq"))[-n:]


def raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_entries_form_a_chain():
    entries = append(5)
    stored = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in stored] == [1, 2, 3, 4, 5]
    assert stored[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(stored):
        assert after.prev_hash == before.hash
    assert [e.hash for e in stored] == [e.hash for e in entries]
    assert all(entry_hash(e) == e.hash for e in stored)
    head = AuditChainHead.objects.get()
    assert (head.seq, head.hash) == (5, stored[-1].hash)
    result = audit_verify()
    assert result.ok and result.checked == 5


def test_empty_log_verifies():
    result = audit_verify()
    assert result.ok and result.checked == 0


def test_verify_walks_across_batches():
    append(7)
    assert audit_verify(batch=2).checked == 7
    raw("UPDATE core_auditentry SET action = %s WHERE seq = 6", ["test.forged"])
    assert audit_verify(batch=2).first_break.seq == 6


def test_edited_entry_is_found():
    append(5)
    raw("UPDATE core_auditentry SET object_repr = %s WHERE seq = 3", ["改过的"])
    result = audit_verify()
    assert not result.ok
    assert result.first_break.seq == 3
    assert "篡改" in result.first_break.reason
    assert result.checked == 2


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("changes", '{"x": [1, 2]}'),
        ("actor_label", "别人"),
        ("area_path", "/999/"),
        ("ip", "10.0.0.9"),
    ],
)
def test_any_edited_column_is_found(column, value):
    append(3)
    raw(f"UPDATE core_auditentry SET {column} = %s WHERE seq = 2", [value])  # noqa: S608
    assert audit_verify().first_break.seq == 2


def test_edited_entry_with_a_recomputed_hash_breaks_the_next_link():
    entries = append(4)
    forged = AuditEntry.objects.get(seq=2)
    forged.object_repr = "改过的"
    raw(
        "UPDATE core_auditentry SET object_repr = %s, hash = %s WHERE seq = 2",
        [forged.object_repr, entry_hash(forged)],
    )
    assert entry_hash(forged) != entries[1].hash
    result = audit_verify()
    assert result.first_break.seq == 3
    assert "前序校验码" in result.first_break.reason


def test_deleted_middle_entry_is_reported_missing():
    append(5)
    raw("DELETE FROM core_auditentry WHERE seq = 3", [])
    result = audit_verify()
    assert result.first_break.seq == 3
    assert "缺失" in result.first_break.reason


def test_deleted_first_entry_is_reported_missing():
    append(3)
    raw("DELETE FROM core_auditentry WHERE seq = 1", [])
    assert audit_verify().first_break.seq == 1


def test_deleted_last_entry_is_found_by_the_chain_head():
    append(5)
    raw("DELETE FROM core_auditentry WHERE seq = 5", [])
    result = audit_verify()
    assert result.first_break.seq == 5
    assert "末尾" in result.first_break.reason


def test_appending_after_a_truncation_still_shows_the_gap():
    append(3)
    raw("DELETE FROM core_auditentry WHERE seq = 3", [])
    append(1)
    assert audit_verify().first_break.seq == 3


# --- append-only through the ORM -----------------------------------------------------------


def test_saving_an_existing_entry_raises():
    (entry,) = append(1)
    entry.object_repr = "改过的"
    with pytest.raises(PermissionError):
        entry.save()
    fetched = AuditEntry.objects.get(pk=entry.pk)
    with pytest.raises(PermissionError):
        fetched.save()
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == "第1条"


def test_deleting_an_entry_raises():
    (entry,) = append(1)
    with pytest.raises(PermissionError):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_bulk_update_and_delete_raise():
    append(2)
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(seq=1).update(object_repr="改过的")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert audit_verify().ok


def test_a_new_instance_cannot_overwrite_an_existing_row():
    (entry,) = append(1)
    clone = AuditEntry(
        **{f.attname: getattr(entry, f.attname) for f in AuditEntry._meta.concrete_fields}
    )
    clone.object_repr = "改过的"
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == "第1条"


def test_deleting_the_actor_or_the_area_leaves_the_chain_intact(tree):
    actor = UserFactory()
    area = services.area_create(actor=None, name="临时网格", level="grid", parent=tree.comm_b1)
    audit_record(actor=actor, action="test.note", area=area, object_repr="x")
    actor.delete()
    area.delete()
    entry = AuditEntry.objects.get(action="test.note")
    assert entry.actor_label == actor.username
    assert audit_verify().ok
    # Listing with the area joined still works with the area gone.
    assert next(iter(AuditEntry.objects.select_related("area").filter(pk=entry.pk))).area is None


# --- content --------------------------------------------------------------------------------


def test_user_create_writes_the_phone_masked(district_admin):
    user = services.user_create(
        actor=district_admin,
        username="wangwu",
        password="Str0ng-pass-2026",
        display_name="王五",
        phone="+86 138-1234-5678",
    )
    entry = AuditEntry.objects.get(action="user.create", object_id=str(user.pk))
    assert entry.changes["phone"] == ["", "138****5678"]
    assert entry.changes["username"] == [None, "wangwu"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT changes, object_repr FROM core_auditentry WHERE id = %s", [entry.pk])
        stored = " ".join(str(col) for col in cursor.fetchone())
    assert "12345678" not in stored and "1234-5678" not in stored
    assert audit_verify().ok


def test_changes_are_hashed_as_the_json_column_returns_them():
    audit_record(
        actor=None, action="test.note", changes={"day": [None, date(2026, 2, 25)], "pair": (1, 2)}
    )
    entry = AuditEntry.objects.get()
    assert entry.changes == {"day": [None, "2026-02-25"], "pair": [1, 2]}
    assert audit_verify().ok


@pytest.mark.parametrize(
    ("presented", "stored"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:0DB8:0000:0000::0001", "2001:db8::1"),
        ("not-an-ip", None),
    ],
)
def test_client_address_is_recorded_in_canonical_form(presented, stored):
    token = client_ip.set(presented)
    try:
        audit_record(actor=None, action="test.note")
    finally:
        client_ip.reset(token)
    assert AuditEntry.objects.get().ip == stored
    assert audit_verify().ok


def test_entry_area_follows_the_object_then_the_actor(tree, user_with, grid_worker):
    sub_admin = user_with(Role.SUBDISTRICT_ADMIN, tree.sub_a)
    grant = services.role_grant(
        actor=sub_admin, user=UserFactory(), role=Role.GRID_WORKER, area=tree.grid_a2a
    )
    assert AuditEntry.objects.get(action="grant.create").area == tree.grid_a2a
    _token, _ = services.api_token_create(actor=grid_worker, name="采集终端")
    entry = AuditEntry.objects.get(action="token.create")
    assert (entry.area, entry.area_path) == (tree.grid_a1a, tree.grid_a1a.path)
    assert grant.area_path == tree.grid_a2a.path


def test_entries_without_an_area_are_seen_at_district_level_only(tree, user_with):
    audit_record(actor=None, action="auth.login_failed", object_repr="nobody")
    audit_record(actor=None, action="test.note", area=tree.grid_b1a)
    district_auditor = user_with(Role.AUDITOR, tree.district)
    sub_auditor = user_with(Role.AUDITOR, tree.sub_b)
    assert scoped(AuditEntry.objects.all(), district_auditor, "read").count() == 2
    assert [e.action for e in scoped(AuditEntry.objects.all(), sub_auditor, "read")] == [
        "test.note"
    ]


def test_entry_rolls_back_with_its_transaction():
    append(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, action="test.note")
        raise RuntimeError
    assert AuditEntry.objects.count() == 1
    append(1)
    assert audit_verify().ok and audit_verify().checked == 2


# --- sealing, keys, anchors and pruning ----------------------------------------------------


def _sha_rechain() -> None:
    """What someone with database access but not the key does after editing rows: recompute
    every hash as plain SHA-256 down the chain, and the head with it."""
    prev = GENESIS
    for entry in AuditEntry.objects.order_by("seq"):
        entry.prev_hash = prev
        body = audit_canonical(entry)
        digest = hashlib.sha256(prev.encode() + body).hexdigest()
        raw(
            "UPDATE core_auditentry SET prev_hash = %s, hash = %s WHERE id = %s",
            [prev, digest, entry.pk],
        )
        prev = digest
    last = AuditEntry.objects.order_by("-seq").first()
    raw("UPDATE core_auditchainhead SET seq = %s, hash = %s", [last.seq, prev])


def test_entries_wait_unsealed_until_their_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        audit_record(actor=None, action="test.note")
        audit_record(actor=None, action="test.note")
        assert list(AuditEntry.objects.values_list("seq", flat=True)) == [None, None]
    assert len(callbacks) == 1  # one seal per transaction, however many entries it wrote
    assert sorted(AuditEntry.objects.values_list("seq", flat=True)) == [1, 2]
    assert audit_verify().ok and audit_verify().unsealed == 0


def test_verify_counts_what_is_not_sealed_yet():
    append(2)
    audit_record(actor=None, action="test.note")
    result = audit_verify()
    assert result.ok and result.checked == 2 and result.unsealed == 1


def test_rewriting_who_revealed_and_dropping_the_last_entry_is_found(tree, district_admin):
    """The review's attack: the reveal's actor rewritten, the newest entry dropped, every hash
    and the head recomputed. Without the audit key the recomputed chain does not verify."""
    other = UserFactory(username="someone_else")
    audit_record(
        actor=district_admin,
        action="pii.reveal",
        object_repr="张三",
        changes={"field": [None, "id_number"]},
    )
    append(3)
    raw(
        "UPDATE core_auditentry SET actor_id = %s, actor_label = %s WHERE action = %s",
        [other.pk, other.username, "pii.reveal"],
    )
    raw("DELETE FROM core_auditentry WHERE seq = 4", [])
    _sha_rechain()
    result = audit_verify()
    assert not result.ok
    assert result.first_break.seq == 1
    assert "篡改" in result.first_break.reason


def test_a_head_moved_back_over_dropped_entries_is_found():
    append(5)
    raw("DELETE FROM core_auditentry WHERE seq = 5", [])
    last = AuditEntry.objects.get(seq=4)
    raw("UPDATE core_auditchainhead SET seq = %s, hash = %s", [4, last.hash])
    result = audit_verify()
    assert result.first_break is not None
    assert "链头" in result.first_break.reason


def test_an_anchor_finds_a_truncation_the_database_alone_cannot_show():
    append(3)
    earlier_head = AuditChainHead.objects.values_list("seq", "hash", "key_id", "mac").get()
    append(2)
    anchor = audit_anchor()
    assert (anchor.seq, anchor.hash) == (5, AuditEntry.objects.get(seq=5).hash)
    # Entries 4 and 5 dropped, and the head put back as it was (a copy kept from before).
    raw("DELETE FROM core_auditentry WHERE seq > 3", [])
    raw(
        "UPDATE core_auditchainhead SET seq = %s, hash = %s, key_id = %s, mac = %s",
        list(earlier_head),
    )
    assert audit_verify().ok  # nothing inside the database tells
    result = audit_verify(anchors=read_anchors([anchor.line()]))
    assert not result.ok and result.first_break.seq == 5
    assert "锚点" in result.first_break.reason


def test_an_anchor_finds_a_rewritten_history():
    append(3)
    anchor = audit_anchor()
    raw("UPDATE core_auditentry SET object_repr = %s WHERE seq = 2", ["改过的"])
    assert audit_verify(anchors=[anchor]).first_break.seq == 2


def test_anchors_are_read_back_and_a_bad_line_is_named():
    append(2)
    first = audit_anchor()
    append(1)
    second = audit_anchor()
    assert read_anchors([first.line(), "", second.line()]) == [first, second]
    assert audit_verify(anchors=[first, second]).ok
    with pytest.raises(ValueError, match="第 2 行"):
        read_anchors([first.line(), "not json"])


def test_a_rotated_key_seals_new_entries_and_the_old_one_still_verifies(settings):
    append(2)
    old = settings.SHEQUTONG_AUDIT_KEYS
    settings.SHEQUTONG_AUDIT_KEYS = f"{vault.new_key_spec('k2026')},{old}"
    append(2)
    assert list(AuditEntry.objects.order_by("seq").values_list("key_id", flat=True)) == [
        "demo",
        "demo",
        "k2026",
        "k2026",
    ]
    assert audit_verify().ok
    settings.SHEQUTONG_AUDIT_KEYS = settings.SHEQUTONG_AUDIT_KEYS.split(",")[0]
    result = audit_verify()
    assert result.first_break.seq == 1 and "未配置" in result.first_break.reason


def test_a_chain_sealed_with_another_key_does_not_verify(settings):
    append(3)
    settings.SHEQUTONG_AUDIT_KEYS = vault.new_key_spec("demo")  # same id, another key
    assert audit_verify().first_break.seq == 1


def _age(days: int, seqs: range) -> None:
    """Entries written `days` ago, sealed as such (their time is part of their MAC)."""
    when = timezone.now() - timedelta(days=days)
    for seq in seqs:
        raw("UPDATE core_auditentry SET at = %s WHERE seq = %s", [when, seq])
    # Re-seal from scratch so that the aged rows carry valid MACs, as if written then.
    raw("UPDATE core_auditentry SET seq = NULL, prev_hash = '', hash = '', key_id = ''", [])
    raw("DELETE FROM core_auditchainhead", [])
    audit_seal()


def test_pruning_keeps_the_rest_of_the_chain_verifiable(settings):
    settings.SHEQUTONG_AUDIT_RETENTION_DAYS = 180
    append(6)
    _age(400, range(1, 5))
    result = audit_prune()
    assert (result.removed, result.checkpoint_seq) == (4, 4)
    audit_seal()
    kept = list(AuditEntry.objects.order_by("seq").values_list("seq", "action"))
    assert kept == [(5, "test.note"), (6, "test.note"), (7, "audit.prune")]
    verified = audit_verify()
    assert verified.ok and verified.checked == 3 and verified.first_seq == 5


def test_pruning_refuses_a_broken_chain(settings):
    append(3)
    raw("UPDATE core_auditentry SET object_repr = %s WHERE seq = 2", ["改过的"])
    with pytest.raises(ValueError, match="不能清理"):
        audit_prune()
    assert AuditEntry.objects.count() == 3


def test_entries_removed_past_the_checkpoint_or_a_forged_checkpoint_are_found(settings):
    settings.SHEQUTONG_AUDIT_RETENTION_DAYS = 180
    append(6)
    _age(400, range(1, 3))
    audit_prune()
    audit_seal()
    raw("DELETE FROM core_auditentry WHERE seq = 3", [])
    assert audit_verify().first_break.seq == 3
    raw(
        "UPDATE core_auditchainhead SET pruned_seq = 3, pruned_hash = %s",
        [AuditEntry.objects.get(seq=4).prev_hash],
    )
    result = audit_verify()
    assert result.first_break is not None and "检查点" in result.first_break.reason


def test_the_audit_command_anchors_to_a_file_and_verifies_against_it(tmp_path):
    append(3)
    anchors = tmp_path / "anchors.jsonl"
    call_command("audit", "anchor", "--out", str(anchors), stdout=io.StringIO())
    assert stat.S_IMODE(anchors.stat().st_mode) == 0o600
    out = io.StringIO()
    call_command("audit", "verify", "--anchor", str(anchors), stdout=out)
    assert "审计链完整" in out.getvalue() and "对照锚点 1 个" in out.getvalue()
    raw("DELETE FROM core_auditentry WHERE seq = 3", [])
    raw("UPDATE core_auditchainhead SET seq = 2, hash = %s", [AuditEntry.objects.get(seq=2).hash])
    with pytest.raises(CommandError, match="断裂"):
        call_command("audit", "verify", "--anchor", str(anchors), stdout=io.StringIO())
