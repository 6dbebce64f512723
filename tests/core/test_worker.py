"""The task worker's schedule: which periodic work runs, and the care sweep's 15-second beat
on Huey's minute schedule."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils.module_loading import autodiscover_modules

pytestmark = pytest.mark.django_db


def test_the_periodic_work_is_declared_by_each_app():
    autodiscover_modules("tasks")
    periodic = {task.name.rsplit(".", 1)[-1] for task in settings.HUEY._registry.periodic_tasks}
    assert periodic == {
        "case_sweep_every_five_minutes",
        "classifier_retrain_nightly",
        "care_sweep_every_minute",
        "follow_ups_retry",
        "uploads_purge_daily",
        "coins_expire_daily",
        "steps_overdue_daily",
    }


def test_each_minute_queues_the_care_sweeps_at_15_30_and_45_seconds():
    from shequtong.care.tasks import care_sweep_every_minute

    care_sweep_every_minute.call_local()
    queued = sorted(settings.HUEY.scheduled(), key=lambda task: task.eta)
    assert [task.name.rsplit(".", 1)[-1] for task in queued] == ["care_sweep"] * 3
    gaps = [later.eta - earlier.eta for earlier, later in itertools.pairwise(queued)]
    assert all(abs(gap - timedelta(seconds=15)) < timedelta(seconds=1) for gap in gaps)
