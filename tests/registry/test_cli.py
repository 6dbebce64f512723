"""`shequtong import persons` and `shequtong import resume` as an operator runs them."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shequtong.cli import command_argv
from shequtong.registry.models import ImportJob, Person

from .factories import ledger_rows, person_row, write_csv

pytestmark = pytest.mark.django_db


def test_import_is_the_console_scripts_name_for_import_ledger():
    assert command_argv(["shequtong", "import", "persons", "a.csv"])[1] == "import_ledger"


def test_persons_import_reports_and_records_a_job(tree, tmp_path, capsys):
    path = write_csv(tmp_path / "台账.csv", ledger_rows(5))
    call_command("import_ledger", "persons", str(path), "--community", tree.comm_a1.code)
    out = capsys.readouterr().out
    assert "新增 5" in out and Person.objects.count() == 5
    job = ImportJob.objects.get()
    assert job.status == "done" and job.counts["new"] == 5


def test_bad_rows_are_printed_and_the_exit_is_non_zero(tree, tmp_path, capsys):
    rows = ledger_rows(3)
    rows[1] = person_row(1, 联系电话="123")
    path = write_csv(tmp_path / "台账.csv", rows)
    with pytest.raises(CommandError, match="1 行被拒绝"):
        call_command(
            "import_ledger",
            "persons",
            str(path),
            "--community",
            tree.comm_a1.name,
            "--all-or-nothing",
        )
    err = capsys.readouterr().err
    assert "第 3 行 联系电话：电话号码格式错误" in err
    assert Person.objects.count() == 0


def test_unknown_community_is_named(tree, tmp_path):
    path = write_csv(tmp_path / "台账.csv", ledger_rows(1))
    with pytest.raises(CommandError, match="找不到社区“不存在社区”"):
        call_command("import_ledger", "persons", str(path), "--community", "不存在社区")


def test_dry_run_writes_nothing(tree, tmp_path, capsys):
    path = write_csv(tmp_path / "台账.csv", ledger_rows(4))
    call_command(
        "import_ledger", "persons", str(path), "--community", tree.comm_a1.code, "--dry-run"
    )
    assert "新增 4" in capsys.readouterr().out
    assert Person.objects.count() == 0 and not ImportJob.objects.exists()


def test_console_script_runs(tmp_path):
    """The installed entry point answers in Chinese (a real process, not call_command)."""
    done = subprocess.run(
        [sys.executable, "-m", "shequtong.cli", "import", "--help"],
        capture_output=True,
        text=True,
        env={"SHEQUTONG_MODE": "test", "SHEQUTONG_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        check=True,
    )
    assert "导入人口台账" in done.stdout
