"""A home service a registered volunteer did goes through the time bank: the volunteer earns
the minutes and their 爱心币; the elder pays from their own banked time, then the community's
pool, and the community issues the rest. Only registered volunteers may take an order."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shequtong.care.choices import CareService
from shequtong.care.services.orders import order_assign, order_complete, order_request, volunteers
from shequtong.core.errors import DomainError
from shequtong.ledger.models import Unit
from shequtong.ledger.selectors import ledger_problems
from shequtong.volunteering.services import minutes_donate
from shequtong.volunteering.services.bank import balance, earn, pool_account
from tests.volunteering.helpers import resident, volunteer

pytestmark = pytest.mark.django_db


def test_a_volunteers_home_service_moves_through_the_time_bank(
    tree, staff, elder, caplog, django_capture_on_commit_callbacks
):
    user, someone = resident(1, tree.grid_a1a, caplog)
    v = volunteer(staff, user, someone)
    donor_user, donor = resident(2, tree.grid_a1b, caplog)
    earn(actor=staff, person=donor, minutes=20, memo="起始")
    minutes_donate(actor=donor_user, giver=donor, minutes=20)
    earn(actor=staff, person=elder.person, minutes=30, memo="年轻时存的")
    order = order_request(
        actor=staff,
        profile=elder,
        service=CareService.CLEANING,
        wanted_at=timezone.now() + timedelta(hours=2),
    )
    assert user in volunteers(order)
    order = order_assign(actor=staff, order=order, volunteer=v.applied_by)
    with pytest.raises(DomainError, match="服务时长"):
        order_complete(actor=staff, order=order, price="0")
    with django_capture_on_commit_callbacks(execute=True):
        order_complete(actor=staff, order=order, price="0", minutes=90)
    assert balance(someone, Unit.MINUTES) == 90 and balance(someone, Unit.COINS) == 10
    # 90 minutes: 30 from the elder's own, 20 from the pool, 40 issued by the community.
    assert balance(elder.person, Unit.MINUTES) == 0
    assert pool_account(tree.grid_a1a).balance == 0
    assert ledger_problems() == []


def test_an_unregistered_account_cannot_take_an_order(tree, staff, elder, user_with):
    from shequtong.core.choices import Role

    order = order_request(
        actor=staff,
        profile=elder,
        service=CareService.MEAL,
        wanted_at=timezone.now() + timedelta(hours=2),
    )
    anyone = user_with(Role.RESIDENT, tree.grid_a1a)
    with pytest.raises(DomainError, match="注册志愿者"):
        order_assign(actor=staff, order=order, volunteer=anyone)
