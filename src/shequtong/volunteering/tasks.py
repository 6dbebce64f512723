"""Volunteering's work on the task worker (`shequtong worker`): 爱心币 lapse by rule, daily."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services.bank import coins_expire


@db_periodic_task(crontab(hour="2", minute="30"))
def coins_expire_daily() -> None:
    coins_expire()
