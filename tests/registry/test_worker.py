"""Console imports on the real task worker: queued and run in the background, a confirm pressed
twice runs once, a worker killed mid-import leaves a job the console shows as interrupted and
resumes with the right counters."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from shequtong.core.errors import DomainError
from shequtong.core.models import AuditEntry
from shequtong.registry import jobs
from shequtong.registry.models import ImportJob, ImportStatus, Person

from .factories import ledger_rows
from .test_views import csv_upload


def wait_for(condition: Callable[[], bool], seconds: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"not within {seconds} s: {what}")


def status_of(job: ImportJob) -> str:
    job.refresh_from_db()
    return job.status


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def uploaded(client, staff, tree, rows: int) -> ImportJob:
    client.force_login(staff)
    client.post(
        "/console/registry/imports/",
        {
            "community": tree.comm_a1.pk,
            "file": csv_upload(ledger_rows(rows)),
            "mode": "valid_rows",
            "create_places": "on",
        },
    )
    return ImportJob.objects.get()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_console_import_is_checked_and_imported_on_the_task_worker(
    client, tree, staff, task_worker
):
    if connection.vendor != "postgresql":
        # The in-memory test database (shared cache) fails a writer at once while another
        # thread reads; the real SQLite file waits (busy timeout), as `make demo` shows.
        pytest.skip("a worker thread beside the test needs PostgreSQL's concurrent writers")
    job = uploaded(client, staff, tree, 30)
    wait_for(lambda: status_of(job) == ImportStatus.CHECKED, what="the check")
    assert job.counts["new"] == 30 and not Person.objects.exists()  # a check writes nothing
    client.post(f"/console/registry/imports/{job.pk}/confirm/")
    wait_for(lambda: status_of(job) == ImportStatus.DONE, what="the import")
    assert Person.objects.count() == 30
    assert job.counts["rows"] == 30 and job.counts["new"] == 30 and job.worker == ""


@pytest.mark.django_db
def test_a_confirm_pressed_twice_runs_once(client, tree, staff):
    job = uploaded(client, staff, tree, 5)
    assert job.status == ImportStatus.CHECKED
    jobs.job_start(actor=staff, job=job, confirm=True)
    with pytest.raises(DomainError, match="该导入已完成"):
        jobs.job_start(actor=staff, job=job, confirm=True)
    assert AuditEntry.objects.filter(action="import.confirm").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_concurrent_confirms_import_once(client, tree, staff, task_queue):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    job = uploaded(client, staff, tree, 5)
    jobs.run_job(job.pk)  # the check, here
    task_queue.flush()  # and not again on a worker
    assert status_of(job) == ImportStatus.CHECKED
    refused: list[str] = []
    barrier = threading.Barrier(10)

    def confirm() -> None:
        barrier.wait()
        try:
            jobs.job_start(actor=staff, job=ImportJob.objects.get(pk=job.pk), confirm=True)
        except DomainError as exc:
            refused.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(refused) == 9 and set(refused) == {"该导入已确认，正在进行中"}
    assert task_queue.pending_count() == 1  # one run queued
    assert AuditEntry.objects.filter(action="import.confirm").count() == 1


@pytest.mark.django_db
def test_a_silent_job_is_shown_interrupted_and_resumes_from_the_console(client, tree, staff):
    job = uploaded(client, staff, tree, 5)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, dry_run=False, worker="dead-run", heartbeat_at=None
    )
    job.refresh_from_db()
    assert not job.stalled  # never started: nothing to say yet
    with override_settings(SHEQUTONG_IMPORT_STALE_SECONDS=0):
        ImportJob.objects.filter(pk=job.pk).update(heartbeat_at="2026-01-01T00:00:00Z")
        page = client.get(f"/console/registry/imports/{job.pk}/").content.decode()
        assert "已中断" in page and "继续导入" in page and "hx-trigger" not in page
        client.post(f"/console/registry/imports/{job.pk}/resume/")
    assert status_of(job) == ImportStatus.DONE
    assert Person.objects.count() == 5 and job.counts["new"] == 5
    assert AuditEntry.objects.filter(action="import.resume").count() == 1


def worker(env: dict[str, str]) -> subprocess.Popen:
    script = Path(sys.executable).with_name("shequtong")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "shequtong.cli"]
    return subprocess.Popen(
        [*command, "worker", "--threads", "1", "--no-periodic"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_import_survives_a_kill_9_of_its_worker_and_resumes_with_right_counters(
    client, tree, staff, task_queue, tmp_path
):
    """The real `shequtong worker` in its own process, killed with SIGKILL mid-import."""
    if connection.vendor != "postgresql":
        pytest.skip("a second process shares the test database on PostgreSQL only")
    db = connection.settings_dict
    env = {
        **os.environ,
        "SHEQUTONG_MODE": "test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "SHEQUTONG_TASK_QUEUE": f"sqlite:///{task_queue.storage.filename}",
        "SHEQUTONG_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "SHEQUTONG_VAR_DIR": str(tmp_path / "var"),
        "SHEQUTONG_IMPORT_BATCH": "20",
        "SHEQUTONG_IMPORT_STALE_SECONDS": "2",
    }
    total = 1500
    job = uploaded(client, staff, tree, total)
    first = worker(env)
    try:
        wait_for(lambda: status_of(job) == ImportStatus.CHECKED, what="the check")
        client.post(f"/console/registry/imports/{job.pk}/confirm/")
        wait_for(lambda: status_of(job) == ImportStatus.RUNNING and job.committed_through > 100)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING and job.committed_through < total + 1
    kept = Person.objects.count()
    assert 0 < kept < total and job.counts["new"] == kept  # whole batches, counted

    with override_settings(SHEQUTONG_IMPORT_STALE_SECONDS=2):
        wait_for(lambda: ImportJob.objects.get(pk=job.pk).stalled, seconds=10, what="stalled")
        page = client.get(f"/console/registry/imports/{job.pk}/").content.decode()
        assert "已中断" in page and "继续导入" in page
        client.post(f"/console/registry/imports/{job.pk}/resume/")
    second = worker(env)
    try:
        wait_for(lambda: status_of(job) == ImportStatus.DONE, what="the resumed import")
    finally:
        second.terminate()
        second.wait(timeout=30)
    assert Person.objects.count() == total
    assert job.counts["rows"] == total and job.counts["new"] == total
    assert job.counts["rejected"] == 0 and job.rows_done == total
