"""Care's work on the task worker (`shequtong worker`): the sweep every 15 seconds, the
follow-up cases asked for when an alarm is resolved."""

from __future__ import annotations

from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .alarms import follow_up_open, follow_ups_pending
from .watch import sweep

SWEEP_SECONDS = 15  # the contact chain moves on within this of its deadline


@db_task()
def care_sweep() -> None:
    sweep()


@db_periodic_task(crontab())
def care_sweep_every_minute() -> None:
    """Huey's schedule counts in minutes: each minute sweeps now and queues the sweeps at 15,
    30 and 45 seconds, so a restart loses at most a minute of them."""
    sweep()
    for n in range(1, 60 // SWEEP_SECONDS):
        care_sweep.schedule(delay=n * SWEEP_SECONDS)


@db_task(retries=20, retry_delay=30)
def alarm_follow_up_open(alarm_id: int, actor_id: int) -> None:
    """Retried every 30 s for ten minutes; after that the periodic check queues it again."""
    follow_up_open(alarm_id, actor_id)


@db_periodic_task(crontab(minute="*/10"))
def follow_ups_retry() -> None:
    for alarm_id, actor_id in follow_ups_pending(older_than=timedelta(minutes=10)):
        alarm_follow_up_open(alarm_id, actor_id)
