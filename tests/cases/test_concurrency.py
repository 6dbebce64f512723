"""Moves on different cases never wait for one another (PostgreSQL: real row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from shequtong.cases.choices import CaseStatus
from shequtong.cases.services import case_act, case_report
from shequtong.cases.services.steps import _locked
from shequtong.core.choices import Role
from tests.core.test_concurrency import run_together

from .factories import report

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_a_move_does_not_wait_for_a_move_on_another_case_of_its_category(tree, user_with):
    """The case lock is the case's row alone: locking the joined category row as well made
    every move on the platform's 消防通道 cases queue behind one another."""
    resident = user_with(Role.RESIDENT, tree.comm_a1)
    grid = user_with(Role.GRID_WORKER, tree.grid_a1a)
    first = case_report(actor=resident, report=report())
    second = case_report(actor=resident, report=report(description="另一处楼道堵塞"))
    assert first.category_id == second.category_id
    holding, release = threading.Event(), threading.Event()
    moved: list[str] = []

    def work(i: int) -> None:
        if i == 0:
            with transaction.atomic():
                _locked(first)
                holding.set()
                assert release.wait(timeout=30)
            return
        assert holding.wait(timeout=30)
        case_act(actor=grid, case=second, action="start")
        moved.append(CaseStatus.IN_PROGRESS)
        release.set()

    run_together(work, threads=2)
    assert moved == [CaseStatus.IN_PROGRESS]
