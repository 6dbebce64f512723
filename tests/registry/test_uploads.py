"""Uploaded ledgers at rest: encrypted, private to the platform, deleted after the retention
period; the rejected-rows workbook masked for whoever may not reveal, and audited."""

from __future__ import annotations

import io
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from shequtong.core import vault
from shequtong.core.choices import Role
from shequtong.core.models import AuditEntry
from shequtong.registry.models import ImportJob

from .factories import ledger_rows, person_row
from .test_views import csv_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def rows():
    rows = ledger_rows(4)
    rows[1] = person_row(1, 联系电话="12345")  # rejected: its ID number is still in the file
    return rows


def upload(client, staff, tree, rows) -> ImportJob:
    """The ledger uploaded and checked in the console, then confirmed."""
    client.force_login(staff)
    client.post(
        "/console/registry/imports/",
        {
            "community": tree.comm_a1.pk,
            "file": csv_upload(rows),
            "mode": "valid_rows",
            "create_places": "on",
        },
    )
    job = ImportJob.objects.get()
    assert job.file  # kept between the check and the confirmation
    client.post(f"/console/registry/imports/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.status == "done"
    return job


@pytest.fixture
def job(client, staff, tree, rows) -> ImportJob:
    return upload(client, staff, tree, rows)


def test_an_upload_is_stored_encrypted_and_private(job, rows, settings):
    stored = Path(job.file.path)
    blob = stored.read_bytes()
    assert blob.startswith(vault.FILE_MAGIC)
    for row in rows:
        assert row[2].encode() not in blob and row[0].encode("utf-8") not in blob
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
    # The platform reads it back as it was uploaded.
    assert job.file.open("rb").read().decode("utf-8-sig").splitlines()[2].startswith(rows[1][0])


def rejected(client, job) -> list[tuple]:
    download = client.get(f"/console/registry/imports/{job.pk}/rejected.xlsx")
    assert download.status_code == 200
    return list(load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.values)


def test_the_rejected_rows_are_masked_for_a_user_who_may_not_reveal(
    client, job, rows, tree, user_with
):
    grid_worker = user_with(Role.GRID_WORKER, tree.comm_a1)  # may read the job, not reveal
    client.force_login(grid_worker)
    values = rejected(client, job)
    assert values[1][2] == vault.mask_id_number(rows[1][2]) and rows[1][2] not in values[1]
    entry = AuditEntry.objects.get(action="import.rejected_download")
    assert (entry.actor, entry.changes["masked"]) == (grid_worker, [None, True])


def test_the_rejected_rows_are_whole_for_the_office_and_audited(client, job, rows, staff):
    client.force_login(staff)
    values = rejected(client, job)
    assert values[1][2] == rows[1][2]
    entry = AuditEntry.objects.get(action="import.rejected_download")
    assert (entry.actor, entry.changes) == (staff, {"rows": [None, 1], "masked": [None, False]})


def test_uploads_are_purged_after_the_retention_period(client, job, settings, staff):
    settings.SHEQUTONG_UPLOAD_RETENTION_DAYS = 30
    stored = Path(job.file.path)
    call_command("import_ledger", "purge", stdout=io.StringIO())
    assert stored.exists()  # ended today: kept for the rejected-rows file
    ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=31))
    out = io.StringIO()
    call_command("import_ledger", "purge", stdout=out)
    assert "已删除 1 个" in out.getvalue()
    assert not stored.exists()
    job.refresh_from_db()
    assert not job.file and job.counts["new"] == 3  # the report stays
    client.force_login(staff)
    gone = client.get(f"/console/registry/imports/{job.pk}/rejected.xlsx")
    assert gone.status_code == 404 and "保留期限" in gone.content.decode()


def test_a_zero_retention_deletes_the_upload_when_the_import_ends(
    client, staff, tree, rows, settings
):
    settings.SHEQUTONG_UPLOAD_RETENTION_DAYS = 0
    assert not upload(client, staff, tree, rows).file
