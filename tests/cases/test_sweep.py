"""The deadline sweep: warn at 75 %, overdue and 督办 one level up at 100 %, open cases only."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from shequtong.cases.choices import CaseStatus, DeadlineState, HandlerLevel
from shequtong.cases.models import Case
from shequtong.cases.services import case_act, case_report
from shequtong.cases.sweep import case_sweep
from shequtong.core.choices import Role
from shequtong.core.models import Notification

from .factories import report

pytestmark = pytest.mark.django_db


def _timed(case: Case, *, started_days_ago: float, due_in_days: float) -> None:
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(
        created_at=now - timedelta(days=started_days_ago), due_at=now + timedelta(days=due_in_days)
    )


@pytest.fixture
def resident(tree, user_with):
    return user_with(Role.RESIDENT, tree.comm_a1)


def test_warns_at_three_quarters_and_escalates_when_overdue(tree, resident, grid_worker, user_with):
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    fresh, late, gone = (case_report(actor=resident, report=report()) for _ in range(3))
    _timed(fresh, started_days_ago=1, due_in_days=3)  # 25 % used
    _timed(late, started_days_ago=3.5, due_in_days=0.5)  # 87.5 % used
    _timed(gone, started_days_ago=4, due_in_days=-0.1)
    Notification.objects.all().delete()

    result = case_sweep()

    assert (result.warned, result.overdue) == (1, 1)
    states = dict(Case.objects.values_list("pk", "deadline_state"))
    assert states == {
        fresh.pk: DeadlineState.ON_TIME,
        late.pk: DeadlineState.WARNING,
        gone.pk: DeadlineState.OVERDUE,
    }
    gone.refresh_from_db()
    assert gone.handler_level == HandlerLevel.COMMUNITY and gone.supervision_count == 1
    assert gone.steps.last().action == "supervise"
    assert Notification.objects.filter(user=grid_worker, title__contains="即将超期").exists()
    assert Notification.objects.filter(user=staff, title__contains="升级督办").exists()

    # A second pass changes nothing: each state is reached once.
    assert case_sweep() == type(result)(0, 0)


def test_finished_and_suspended_cases_are_left_alone(tree, resident, grid_worker):
    done = case_report(actor=resident, report=report(code="city-garbage"))
    done = case_act(actor=grid_worker, case=done, action="start")
    done = case_act(actor=grid_worker, case=done, action="resolve", note="已清运")
    waiting = case_report(actor=resident, report=report(code="city-garbage"))
    waiting = case_act(actor=grid_worker, case=waiting, action="start")
    waiting = case_act(
        actor=grid_worker,
        case=waiting,
        action="suspend",
        note="等待",
        resume_on=timezone.localdate() + timedelta(days=3),
    )
    for case in (done, waiting):
        _timed(case, started_days_ago=10, due_in_days=-5)

    assert case_sweep().overdue == 0
    assert set(Case.objects.values_list("status", flat=True)) == {
        CaseStatus.RESOLVED,
        CaseStatus.SUSPENDED,
    }


def test_the_command_prints_what_it_did(tree, resident):
    case = case_report(actor=resident, report=report())
    _timed(case, started_days_ago=5, due_in_days=-1)
    out = StringIO()
    call_command("cases", "sweep", stdout=out)
    assert "超期督办 1 件" in out.getvalue()
