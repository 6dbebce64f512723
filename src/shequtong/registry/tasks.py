"""The registry's work on the task worker (`shequtong worker`)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .jobs import run_job, uploads_purge


@db_task()
def import_job_run(job_id: int) -> None:
    """A ledger check or import; run_job claims the job, so a second delivery does nothing."""
    run_job(job_id)


@db_periodic_task(crontab(minute="17", hour="3"))
def uploads_purge_daily() -> None:
    """Uploaded ledgers past their retention period, deleted each night."""
    uploads_purge()
