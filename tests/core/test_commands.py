"""The operator's commands: import-areas, check-deploy, rotate-data-key, audit verify,
export-openapi, and the console script that maps their hyphenated names."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from shequtong import cli
from shequtong.core import vault
from shequtong.core.audit import audit_record, audit_seal
from shequtong.core.management.commands import check_deploy, rotate_data_key
from shequtong.core.management.commands.export_openapi import default_output, openapi_text
from shequtong.core.models import Area, AuditEntry, User
from tests.core.factories import UserFactory

REPO = Path(__file__).resolve().parents[2]


def run(name: str, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(name: str, *args: str) -> tuple[str, str, str]:
    """(stdout, stderr, the CommandError's message) of a command that must fail."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), str(info.value)


def raw(sql: str, params: list | tuple = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


# --- the console script ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["shequtong", "check-deploy"], ["shequtong", "check_deploy"]),
        (
            ["shequtong", "import-areas", "my-file.csv"],
            ["shequtong", "import_areas", "my-file.csv"],
        ),
        (["shequtong", "rotate-data-key", "--batch-size", "10"], None),
        (["shequtong", "help", "export-openapi"], ["shequtong", "help", "export_openapi"]),
        (["shequtong", "migrate", "--run-syncdb"], ["shequtong", "migrate", "--run-syncdb"]),
        (["shequtong", "--version"], ["shequtong", "--version"]),
        (["shequtong"], ["shequtong"]),
    ],
)
def test_hyphenated_subcommands_map_to_django_commands(argv, expected):
    expected = expected or ["shequtong", "rotate_data_key", "--batch-size", "10"]
    assert cli.command_argv(argv) == expected


def test_main_passes_the_mapped_argv_to_django(monkeypatch):
    seen: list[list[str]] = []
    monkeypatch.setattr(sys, "argv", ["shequtong", "audit", "verify"])
    monkeypatch.setattr(
        "django.core.management.execute_from_command_line", lambda argv: seen.append(argv)
    )
    cli.main()
    assert seen == [["shequtong", "audit", "verify"]]


def test_console_script_runs_check_deploy_and_exits_non_zero(tmp_path):
    """The real `shequtong check-deploy`, as an operator types it, under the test settings."""
    script = Path(sys.executable).with_name("shequtong")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "shequtong.cli"]
    env = {**os.environ, "SHEQUTONG_MODE": "test", "SHEQUTONG_VAR_DIR": str(tmp_path)}
    done = subprocess.run(
        [*command, "check-deploy"], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 1, done.stderr
    assert "部署检查未通过" in done.stderr
    assert "SHEQUTONG_MODE 为 test" in done.stderr


# --- import-areas ----------------------------------------------------------------------------

GOOD_CSV = (
    "名称,层级,代码,上级代码\n"
    "新区,区/县,520101000000,\n"
    "东街道,街道/乡镇,520101001000,520101000000\n"
    "东一社区,社区/村,520101001001,520101001000\n"
)


@pytest.mark.django_db
def test_import_areas_prints_the_count(tmp_path):
    path = tmp_path / "areas.csv"
    path.write_text(GOOD_CSV, encoding="gbk")
    out, err = run("import_areas", str(path))
    assert "已导入 3 个区域" in out
    assert err == ""
    assert Area.objects.get(name="东一社区").parent.name == "东街道"
    assert AuditEntry.objects.filter(action="area.import").count() == 1


@pytest.mark.django_db
def test_import_areas_lists_every_bad_row_and_commits_nothing(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        GOOD_CSV + "怪地方,省,520101001002,520101001000\n孤儿网格,网格,,888888888888\n",
        encoding="utf-8-sig",
    )
    _, err, message = run_failing("import_areas", str(path))
    assert err.splitlines() == [
        "第 5 行 层级：未知层级“省”，应为 区/县、街道/乡镇、社区/村、网格 之一",
        "第 6 行 上级代码：上级代码 888888888888 在文件和系统中都不存在",
    ]
    assert message == "导入失败：共 2 处错误，未导入任何区域"
    assert not Area.objects.exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_import_areas_of_a_missing_file(tmp_path):
    _, _, message = run_failing("import_areas", str(tmp_path / "none.csv"))
    assert message.startswith("文件不存在")


# --- check-deploy ----------------------------------------------------------------------------

HARDENED = {
    "MODE": "production",
    "DEBUG": False,
    "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-key-0987654321",
    "SHEQUTONG_DATA_KEYS": vault.new_key_spec("p1"),
    "SHEQUTONG_HMAC_KEY": "a-long-random-production-hmac-key-0123456789",
    "SHEQUTONG_AUDIT_KEYS": vault.new_key_spec("a1"),
    "ALLOWED_HOSTS": ["shequ.example.gov.cn"],
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31_536_000,
    "SHEQUTONG_REQUIRE_2FA": True,
}


@pytest.fixture(autouse=True)
def no_async_unsafe(monkeypatch):
    """The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for the whole run (tests/e2e/conftest.py),
    and Django's deployment checks rightly fail on it; these tests need a clean environment."""
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)


@pytest.fixture
def calendar_knows_every_year(monkeypatch):
    monkeypatch.setattr(check_deploy, "provisional_years", lambda days: [])


def test_check_deploy_fails_under_the_test_settings(calendar_knows_every_year):
    _, _, message = run_failing("check_deploy")
    for reason in [
        "SHEQUTONG_MODE 为 test",
        "DJANGO_SECRET_KEY 是公开的演示密钥",
        "SHEQUTONG_DATA_KEYS 含有公开的演示密钥",
        "SHEQUTONG_AUDIT_KEYS 含有公开的演示密钥",
        "SHEQUTONG_HMAC_KEY 是公开的演示密钥",
        "未启用 HTTPS（设置 SHEQUTONG_HTTPS=true）："
        "SESSION_COOKIE_SECURE、CSRF_COOKIE_SECURE、SECURE_SSL_REDIRECT 为 false",
        "HSTS 时长为 0 秒",
        "SHEQUTONG_REQUIRE_2FA=true",
    ]:
        assert reason in message
    assert message.startswith("部署检查未通过（8 项）")


def test_check_deploy_passes_a_hardened_set(calendar_knows_every_year):
    with override_settings(**HARDENED):
        out, _ = run("check_deploy")
    assert out.rstrip().endswith("通过")
    assert "未通过" not in out
    if connection.vendor == "sqlite":
        assert "警告：数据库 default 为 SQLite" in out  # a warning, not a failure


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"DEBUG": True}, "DEBUG 已开启"),
        ({"SECRET_KEY": "short-but-not-the-demo"}, "DJANGO_SECRET_KEY 过短：22 个字符"),
        ({"SHEQUTONG_HMAC_KEY": "short"}, "SHEQUTONG_HMAC_KEY 过短：5 个字符"),
        ({"SHEQUTONG_DATA_KEYS": ""}, "未配置密钥 SHEQUTONG_DATA_KEYS"),
        ({"SHEQUTONG_AUDIT_KEYS": ""}, "未配置密钥 SHEQUTONG_AUDIT_KEYS：审计日志无法防篡改封链"),
        ({"SHEQUTONG_AUDIT_KEYS": HARDENED["SHEQUTONG_DATA_KEYS"]}, "审计密钥与数据密钥相同"),
        ({"SHEQUTONG_AUDIT_RETENTION_DAYS": 90}, "审计日志保存期限 90 天"),
        ({"SHEQUTONG_DATA_KEYS": "p1"}, "SHEQUTONG_DATA_KEYS 无法解析"),
        # The demo key under another id, behind a real one, is still the demo key.
        (
            {
                "SHEQUTONG_DATA_KEYS": "new:"
                + "A" * 43
                + "=,old:"
                + "ZGVtby1vbmx5LWRhdGEta2V5LTMyLWJ5dGVzLWxvbmc="
            },
            "含有公开的演示密钥",
        ),
        ({"ALLOWED_HOSTS": []}, "ALLOWED_HOSTS 为空"),
        ({"ALLOWED_HOSTS": ["shequ.example.gov.cn", "*"]}, "ALLOWED_HOSTS 含有 “*”"),
        ({"CSRF_COOKIE_SECURE": False}, "CSRF_COOKIE_SECURE 为 false"),
        ({"SECURE_HSTS_SECONDS": 3600}, "HSTS 时长为 3600 秒"),
        ({"SHEQUTONG_REQUIRE_2FA": False}, "SHEQUTONG_REQUIRE_2FA"),
        ({"MODE": "demo"}, "SHEQUTONG_MODE 为 demo"),
        # An error of Django's own `check --deploy` fails the check too.
        ({"SECURE_REFERRER_POLICY": "everyone-please"}, "Django 检查 security.E023"),
    ],
)
def test_check_deploy_names_each_weakness(calendar_knows_every_year, changes, reason):
    with override_settings(**{**HARDENED, **changes}):
        _, _, message = run_failing("check_deploy")
    assert message.startswith("部署检查未通过（1 项）")
    assert reason in message


def test_check_deploy_includes_errors_of_djangos_own_checks(calendar_knows_every_year, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with override_settings(**HARDENED):
        _, _, message = run_failing("check_deploy")
    assert "Django 检查 async.E001" in message


def test_check_deploy_warns_from_november_until_next_years_notice_is_loaded(district_admin):
    from shequtong.core.calendar_import import holiday_notice_load

    assert check_deploy._calendar_warnings(date(2026, 10, 31)) == []  # 2026 is published
    (warning,) = check_deploy._calendar_warnings(date(2026, 11, 1))
    assert warning.startswith("2027 年的调休安排尚未导入")
    with override_settings(**HARDENED):
        out, _ = run("check_deploy")
    if date.today() >= date(2026, 11, 1):
        assert "警告：2027 年的调休安排尚未导入" in out
    assert out.rstrip().endswith("通过")  # a warning, not a failure

    holiday_notice_load(actor=None, year=2027, source="国办发明电", text="2027-01-01 休 元旦")
    assert check_deploy._calendar_warnings(date(2026, 11, 1)) == []


# --- rotate-data-key -------------------------------------------------------------------------

K1 = vault.new_key_spec("k1")
K2 = vault.new_key_spec("k2")


def raw_phones() -> dict[int, str]:
    return dict(raw("SELECT id, phone FROM core_user ORDER BY id"))


@pytest.fixture
def users_on_k1(db) -> list[User]:
    with override_settings(SHEQUTONG_DATA_KEYS=K1):
        users = [UserFactory() for _ in range(5)]
        UserFactory(phone="")  # nothing to encrypt, nothing to rotate
    assert all(v.startswith("k1$") for v in raw_phones().values() if v)
    return users


def test_encrypted_fields_are_found_in_every_model():
    found = {(m._meta.label, f.name) for m, f in rotate_data_key.encrypted_fields()}
    assert ("core.User", "phone") in found


def test_rotation_re_encrypts_with_the_new_key(users_on_k1):
    with override_settings(SHEQUTONG_DATA_KEYS=f"{K2},{K1}"):
        before = {
            u.pk: (u.phone, u.phone_hash)
            for u in User.objects.filter(pk__in=[u.pk for u in users_on_k1])
        }
        assert all(phone.startswith("138") for phone, _ in before.values())
        out, _ = run("rotate_data_key", "--batch-size", "2")
        stored = raw_phones()
        assert all(v.startswith("k2$") for v in stored.values() if v)
        assert sorted(v for v in stored.values() if not v) == [""]
        for user in User.objects.filter(pk__in=before):
            assert (user.phone, user.phone_hash) == before[user.pk]
        assert "core.User.phone：本批重新加密 2 个，累计 2 个" in out
        assert "共重新加密 5 个值" in out
        assert "所有个人信息均已使用当前密钥" in out

        again, _ = run("rotate_data_key")
        assert "共重新加密 0 个值" in again

    # The old key can go: every value reads with the new key alone.
    with override_settings(SHEQUTONG_DATA_KEYS=K2):
        assert {u.pk: u.phone for u in User.objects.filter(pk__in=before)} == {
            pk: phone for pk, (phone, _) in before.items()
        }
    entries = list(AuditEntry.objects.filter(action="vault.rotate").order_by("pk"))
    assert [e.changes["rotated"] for e in entries] == [[None, 5], [None, 0]]
    assert entries[0].changes["active_key"] == [None, "k2"]
    assert entries[0].changes["remaining"] == [None, 0]


def test_rotation_re_encrypts_sealed_files(db, tree, settings, tmp_path):
    from django.core.files.base import ContentFile

    from shequtong.registry.models import ImportJob

    settings.MEDIA_ROOT = tmp_path
    found = {(m._meta.label, f.name) for m, f in rotate_data_key.sealed_files()}
    assert found == {
        ("registry.ImportJob", "file"),
        ("cases.Dispute", "agreement"),
        ("deliberation.Ballot", "document"),
        ("deliberation.RollEntry", "document"),
        ("deliberation.TopicStep", "document"),
        ("deliberation.MeetingFile", "file"),
        ("notices.DisclosureAttachment", "file"),
        ("covenants.CovenantVersion", "filing_receipt"),
    }
    settings.SHEQUTONG_DATA_KEYS = K1
    job = ImportJob(area=tree.comm_a1, original_name="台账.csv")
    job.file.save("台账.csv", ContentFile("姓名,身份证号\n张三,11010519491231002X\n".encode()))
    stored = Path(job.file.path)
    assert vault.file_key_id(stored.read_bytes()) == "k1"
    settings.SHEQUTONG_DATA_KEYS = f"{K2},{K1}"
    out, _ = run("rotate_data_key")
    assert "共重新加密 1 个值" in out
    assert vault.file_key_id(stored.read_bytes()) == "k2"
    settings.SHEQUTONG_DATA_KEYS = K2
    assert "张三" in job.file.open("rb").read().decode()


def test_rotation_locks_each_batch_where_the_database_can(users_on_k1):
    with (
        override_settings(SHEQUTONG_DATA_KEYS=f"{K2},{K1}"),
        CaptureQueriesContext(connection) as q,
    ):
        run("rotate_data_key", "--batch-size", "2")
    batches = [
        x["sql"] for x in q.captured_queries if "_vault_raw" in x["sql"] and "LIMIT" in x["sql"]
    ]
    on_users = [sql for sql in batches if 'FROM "core_user"' in sql]
    assert len(on_users) == 3  # batches of 2, 2 and 1: the short one ends the walk
    if connection.features.has_select_for_no_key_update:  # PostgreSQL
        assert all(sql.endswith("FOR NO KEY UPDATE") for sql in batches)
    else:  # SQLite: the IMMEDIATE transaction holds the write lock instead
        assert not any("FOR " in sql for sql in batches)


def test_rotation_with_a_limit_resumes_where_it_stopped(users_on_k1):
    with override_settings(SHEQUTONG_DATA_KEYS=f"{K2},{K1}"):
        out, _ = run("rotate_data_key", "--batch-size", "2", "--limit", "3")
        assert "共重新加密 3 个值" in out
        assert "仍有 2 个值使用旧密钥" in out
        keys = [vault.key_id(v) for v in raw_phones().values() if v]
        assert sorted(keys) == ["k1", "k1", "k2", "k2", "k2"]

        out, _ = run("rotate_data_key", "--batch-size", "2")
        assert "共重新加密 2 个值" in out
        assert {vault.key_id(v) for v in raw_phones().values() if v} == {"k2"}
    remaining = [e.changes["remaining"] for e in AuditEntry.objects.filter(action="vault.rotate")]
    assert sorted(remaining, key=lambda r: r[1]) == [[None, 0], [None, 2]]


def test_an_interrupted_rotation_keeps_finished_batches_and_resumes(users_on_k1, monkeypatch):
    real_encrypt = vault.encrypt
    calls = {"n": 0}

    def encrypt_then_stop(plaintext: str) -> str:
        calls["n"] += 1
        if calls["n"] == 3:  # the first value of the second batch
            raise KeyboardInterrupt
        return real_encrypt(plaintext)

    with override_settings(SHEQUTONG_DATA_KEYS=f"{K2},{K1}"):
        monkeypatch.setattr(vault, "encrypt", encrypt_then_stop)
        with pytest.raises(KeyboardInterrupt):
            run("rotate_data_key", "--batch-size", "2")
        monkeypatch.setattr(vault, "encrypt", real_encrypt)
        # The first batch stands; the interrupted one was rolled back whole.
        assert sorted(vault.key_id(v) for v in raw_phones().values() if v) == [
            "k1",
            "k1",
            "k1",
            "k2",
            "k2",
        ]
        entry = AuditEntry.objects.get(action="vault.rotate")
        assert entry.changes["rotated"] == [None, 2]
        assert entry.changes["remaining"] == [None, None]  # unknown: the run did not finish

        out, _ = run("rotate_data_key", "--batch-size", "2")
        assert "共重新加密 3 个值" in out
        assert {vault.key_id(v) for v in raw_phones().values() if v} == {"k2"}


def test_undecryptable_values_are_reported_and_the_rest_rotated(users_on_k1):
    victim = users_on_k1[1]
    raw("UPDATE core_user SET phone = %s WHERE id = %s", ["gone$AAAA", victim.pk])
    with override_settings(SHEQUTONG_DATA_KEYS=f"{K2},{K1}"):
        out, _, message = run_failing("rotate_data_key")
    assert "共重新加密 4 个值" in out
    assert message.startswith("1 个值无法解密")
    assert f"core.User.phone pk={victim.pk}（密钥 gone）" in message
    entry = AuditEntry.objects.get(action="vault.rotate")
    assert entry.changes["failed"] == [None, 1]


def test_rotation_refuses_a_nonsense_batch_size(db):
    _, _, message = run_failing("rotate_data_key", "--batch-size", "0")
    assert "--batch-size" in message


# --- audit verify ----------------------------------------------------------------------------


def append(n: int) -> None:
    for i in range(1, n + 1):
        audit_record(actor=None, action="test.note", object_repr=f"第{i}条")
    audit_seal()


@pytest.mark.django_db
def test_audit_verify_on_an_intact_chain():
    append(4)
    out, _ = run("audit", "verify")
    assert "已核验 4 条审计记录（自第 1 条起）" in out
    assert "审计链完整" in out


@pytest.mark.django_db
def test_audit_verify_reports_an_edited_entry():
    append(4)
    raw("UPDATE core_auditentry SET object_repr = %s WHERE seq = 3", ["改过的"])
    out, _, message = run_failing("audit", "verify")
    assert "已核验 2 条审计记录" in out
    assert message.startswith("审计链在第 3 条处断裂")
    assert "篡改" in message


@pytest.mark.django_db
def test_audit_verify_reports_a_deleted_entry():
    append(4)
    raw("DELETE FROM core_auditentry WHERE seq = 2")
    _, _, message = run_failing("audit", "verify")
    assert message.startswith("审计链在第 2 条处断裂")
    assert "缺失" in message


def test_audit_needs_a_subcommand():
    with pytest.raises(CommandError):
        call_command("audit")


# --- export-openapi --------------------------------------------------------------------------


def test_committed_openapi_document_is_current():
    committed = REPO / "docs" / "openapi.json"
    assert committed.is_file(), "docs/openapi.json 不存在：请运行 shequtong export-openapi"
    assert committed.read_text(encoding="utf-8") == openapi_text(), (
        "docs/openapi.json 已过期：API 有改动，请运行 shequtong export-openapi 并提交"
    )


def test_export_openapi_writes_sorted_json(tmp_path):
    target = tmp_path / "out" / "openapi.json"
    out, _ = run("export_openapi", "--output", str(target))
    assert str(target) in out
    text = target.read_text(encoding="utf-8")
    document = json.loads(text)
    assert document["info"]["title"] == "社区通 API"  # Chinese kept as is, not \\u escapes
    assert "社区通 API" in text
    assert text == json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def test_export_openapi_check_fails_on_a_stale_file(tmp_path):
    target = tmp_path / "openapi.json"
    target.write_text("{}\n", encoding="utf-8")
    _, _, message = run_failing("export_openapi", "--output", str(target), "--check")
    assert "已过期" in message
    run("export_openapi", "--output", str(target))
    out, _ = run("export_openapi", "--output", str(target), "--check")
    assert "是最新的" in out


def test_default_output_is_the_repository_docs():
    assert default_output() == REPO / "docs" / "openapi.json"


MANIFEST = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}


def test_check_deploy_fails_until_collectstatic_has_run(calendar_knows_every_year, tmp_path):
    with override_settings(**HARDENED, STORAGES=MANIFEST, STATIC_ROOT=tmp_path):
        _, _, message = run_failing("check_deploy")
        assert "静态文件未收集：请运行 shequtong collectstatic --noinput" in message
        call_command("collectstatic", "--noinput", verbosity=0)
        out, _ = run("check_deploy")
    assert out.rstrip().endswith("通过")
