"""Cases' work on the task worker (`shequtong worker`)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .classify import retrain
from .sweep import case_sweep


@db_periodic_task(crontab(minute="*/5"))
def case_sweep_every_five_minutes() -> None:
    """Deadline warnings and overdue supervision: a deadline is days long, five minutes late
    is on time."""
    case_sweep()


@db_periodic_task(crontab(minute="30", hour="2"))
def classifier_retrain_nightly() -> None:
    """The category classifier fitted again on the day's closed cases."""
    retrain()
