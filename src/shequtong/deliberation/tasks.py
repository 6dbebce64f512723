"""deliberation's work on the task worker (`shequtong worker`): the overdue-step reminder,
each working morning."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services.oversight import steps_overdue_sweep


@db_periodic_task(crontab(hour="8", minute="0"))
def steps_overdue_daily() -> None:
    steps_overdue_sweep()
