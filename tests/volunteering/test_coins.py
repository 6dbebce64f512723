"""爱心币 earning rules and expiry: a valid 随手拍 (handled by the community) earns coins once;
coins not spent within the deployment's validity lapse, oldest first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shequtong.ledger.models import Transaction, Unit
from shequtong.ledger.selectors import ledger_problems
from shequtong.volunteering.receivers import coins_for_report
from shequtong.volunteering.services import coins_credit
from shequtong.volunteering.services.bank import balance, coins_expire, person_account
from tests.volunteering.helpers import resident, sign_in

pytestmark = pytest.mark.django_db


def test_a_valid_report_earns_coins_once(tree, caplog, settings):
    settings.SHEQUTONG_COINS_PER_VALID_REPORT = 3
    user, someone = resident(1, tree.grid_a1a, caplog)
    coins_for_report(None, number="SJ2026-1", reporter_id=user.pk)
    coins_for_report(None, number="SJ2026-1", reporter_id=user.pk)
    assert balance(someone, Unit.COINS) == 3
    stranger = sign_in("13900000077", caplog)  # not 实名: earns nothing, breaks nothing
    coins_for_report(None, number="SJ2026-2", reporter_id=stranger.pk)
    assert Transaction.objects.filter(kind="coins.report").count() == 1


def test_a_resident_report_handled_by_the_grid_earns_its_reporter_coins(
    tree, user_with, caplog, settings, django_capture_on_commit_callbacks
):
    from shequtong.cases.services import case_act, case_report
    from shequtong.core.choices import Role
    from tests.cases.factories import report

    settings.SHEQUTONG_COINS_PER_VALID_REPORT = 2
    user, someone = resident(2, tree.grid_a1a, caplog)
    grid = user_with(Role.GRID_WORKER, tree.grid_a1a)
    with django_capture_on_commit_callbacks(execute=True):
        case = case_report(actor=user, report=report(code="city-garbage"))
        case = case_act(actor=grid, case=case, action="start")
    assert balance(someone, Unit.COINS) == 0  # reported is not yet valid
    with django_capture_on_commit_callbacks(execute=True):
        case_act(actor=grid, case=case, action="resolve", note="已清运")
    assert balance(someone, Unit.COINS) == 2
    assert Transaction.objects.get(kind="coins.report").memo == f"有效随手拍 {case.number}"


def test_unspent_coins_lapse_oldest_first(tree, staff, caplog, settings):
    from shequtong.ledger.services import post
    from shequtong.volunteering.services.bank import issuer_account

    settings.SHEQUTONG_COINS_VALID_DAYS = 30
    _, someone = resident(3, tree.grid_a1a, caplog)
    coins_credit(actor=staff, person=someone, coins=50, kind="coins.report", memo="早先")
    account = person_account(someone, Unit.COINS)
    post(
        actor=None,
        kind="coins.redeem",
        memo="兑换",
        lines=[(account, -30), (issuer_account(someone.area, Unit.COINS), 30)],
    )
    today = timezone.localdate()
    assert coins_expire(today=today) == 0  # nothing is old yet
    # Forty days on, what is left of the old credit lapses: 50 earned, 30 spent, 20 go.
    assert coins_expire(today=today + timedelta(days=40)) == 1
    assert balance(someone, Unit.COINS) == 0
    assert Transaction.objects.get(kind="coins.expire").postings.get(account=account).amount == -20
    assert coins_expire(today=today + timedelta(days=41)) == 0  # never twice
    settings.SHEQUTONG_COINS_VALID_DAYS = 0
    coins_credit(actor=staff, person=someone, coins=5, kind="coins.report", memo="又得")
    assert coins_expire(today=today + timedelta(days=9999)) == 0  # 0: coins never lapse
    assert ledger_problems() == []
