"""爱心币 spent in the 爱心超市 and time moved in the time bank: never below zero, never to
oneself, a code handed over once, a cancellation reversed on the ledger."""

from __future__ import annotations

from datetime import date

import pytest

from shequtong.core.choices import Role
from shequtong.core.errors import DomainError
from shequtong.ledger.models import Transaction, Unit
from shequtong.ledger.selectors import ledger_problems
from shequtong.volunteering.choices import RedemptionStatus
from shequtong.volunteering.services import (
    coins_credit,
    goods_stock,
    minutes_donate,
    minutes_give,
    minutes_withdraw,
    redeem,
    redemption_cancel,
    redemption_collect,
    shop_create,
    stars_for,
)
from shequtong.volunteering.services.bank import balance, earn, pool_account
from tests.volunteering.helpers import household, person, resident, volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(tree, staff, caplog):
    user, someone = resident(1, tree.grid_a1a, caplog)
    return user, someone, volunteer(staff, user, someone)


@pytest.fixture
def shop(tree, staff):
    return shop_create(actor=staff, area=tree.comm_a1, name="甲一爱心超市")


def test_redeem_then_collect_once(tree, staff, member, shop):
    user, someone, _ = member
    coins_credit(actor=staff, person=someone, coins=50, kind="coins.report", memo="有效随手拍")
    rice = goods_stock(actor=staff, shop=shop, name="大米", price=20, stock=3, donor="粮油公司")
    redemption = redeem(actor=user, person=someone, goods=rice, quantity=2)
    assert redemption.coins == 40 and balance(someone, Unit.COINS) == 10
    rice.refresh_from_db()
    assert rice.stock == 1
    with pytest.raises(DomainError, match="爱心币不足：需要 20，现有 10"):
        redeem(actor=user, person=someone, goods=rice)
    collected = redemption_collect(actor=staff, shop=shop, code=redemption.code)
    assert collected.status == RedemptionStatus.COLLECTED
    with pytest.raises(DomainError, match=r"已于 .* 核销"):
        redemption_collect(actor=staff, shop=shop, code=redemption.code)
    with pytest.raises(DomainError, match="不存在"):
        redemption_collect(actor=staff, shop=shop, code="12345678")
    assert ledger_problems() == []


def test_too_few_coins_leave_nothing_half_written(tree, staff, member, shop):
    user, someone, _ = member
    rice = goods_stock(actor=staff, shop=shop, name="大米", price=20, stock=3)
    with pytest.raises(DomainError, match="爱心币不足：需要 20，现有 0"):
        redeem(actor=user, person=someone, goods=rice)
    rice.refresh_from_db()
    assert rice.stock == 3 and not rice.redemptions.exists()
    assert not Transaction.objects.filter(kind="coins.redeem").exists()


def test_stock_and_quantity_are_bounded(tree, staff, member, shop):
    user, someone, _ = member
    coins_credit(actor=staff, person=someone, coins=500, kind="coins.report", memo="奖励")
    soap = goods_stock(actor=staff, shop=shop, name="洗衣液", price=10, stock=2)
    with pytest.raises(DomainError, match="库存不足（剩 2 件）"):
        redeem(actor=user, person=someone, goods=soap, quantity=3)
    with pytest.raises(DomainError, match="1 至 20 件"):
        redeem(actor=user, person=someone, goods=soap, quantity=21)
    with pytest.raises(DomainError) as caught:
        goods_stock(actor=staff, shop=shop, name="", price=0, stock=0)
    assert set(caught.value.fields) == {"name", "price", "stock"}
    # Restocking the same item adds to it.
    assert goods_stock(actor=staff, shop=shop, name="洗衣液", price=10, stock=5).stock == 7


def test_a_cancelled_redemption_is_reversed(tree, staff, member, shop):
    user, someone, _ = member
    coins_credit(actor=staff, person=someone, coins=30, kind="coins.report", memo="奖励")
    rice = goods_stock(actor=staff, shop=shop, name="大米", price=20, stock=1)
    redemption = redeem(actor=user, person=someone, goods=rice)
    redemption_cancel(actor=user, redemption=redemption)
    assert balance(someone, Unit.COINS) == 30
    rice.refresh_from_db()
    assert rice.stock == 1
    assert Transaction.objects.filter(kind="reversal", reverses=redemption.payment).count() == 1
    with pytest.raises(DomainError, match="只有待领取"):
        redemption_cancel(actor=user, redemption=redemption)
    with pytest.raises(DomainError, match="已取消"):
        redemption_collect(actor=staff, shop=shop, code=redemption.code)
    assert ledger_problems() == []


def test_only_the_residents_own_community_shop(tree, staff, member, user_with):
    user, someone, _ = member
    other = user_with(Role.COMMUNITY_STAFF, tree.comm_b1)
    far = shop_create(actor=other, area=tree.comm_b1, name="乙一爱心超市")
    goods = goods_stock(actor=other, shop=far, name="大米", price=1, stock=1)
    coins_credit(actor=staff, person=someone, coins=5, kind="coins.report", memo="奖励")
    with pytest.raises(DomainError, match="本社区"):
        redeem(actor=user, person=someone, goods=goods)
    with pytest.raises(DomainError, match="无权"):
        goods_stock(actor=staff, shop=far, name="x", price=1, stock=1)


def test_time_goes_to_family_or_the_pool_never_below_zero(tree, staff, member):
    user, someone, _ = member
    mother = person(50, tree.grid_a1a, born=date(1950, 1, 1))
    stranger = person(51, tree.grid_a1a)
    household(someone, mother)
    someone.refresh_from_db()
    earn(actor=staff, person=someone, minutes=120, memo="服务")
    with pytest.raises(DomainError, match="不能转给自己"):
        minutes_give(actor=user, giver=someone, receiver=someone, minutes=10)
    with pytest.raises(DomainError, match="同户"):
        minutes_give(actor=user, giver=someone, receiver=stranger, minutes=10)
    with pytest.raises(DomainError, match="余额不足：需要 121 分钟，现有 120 分钟"):
        minutes_give(actor=user, giver=someone, receiver=mother, minutes=121)
    minutes_give(actor=user, giver=someone, receiver=mother, minutes=60)
    minutes_donate(actor=user, giver=someone, minutes=30)
    assert balance(someone, Unit.MINUTES) == 30 and balance(mother, Unit.MINUTES) == 60
    assert pool_account(tree.grid_a1a).balance == 30
    with pytest.raises(DomainError, match="1 至"):
        minutes_donate(actor=user, giver=someone, minutes=0)
    # Withdrawal from 60 by default: the mother may spend hers, the son may not.
    with pytest.raises(DomainError, match="年满 60 周岁"):
        minutes_withdraw(actor=user, person=someone, minutes=10, memo="助洁")
    minutes_withdraw(actor=user, person=mother, minutes=60, memo="助洁服务")
    assert balance(mother, Unit.MINUTES) == 0
    assert ledger_problems() == []


@pytest.mark.parametrize(
    ("hours", "level"),
    [
        (0, 0),
        (99.98, 0),
        (100, 1),
        (299.9, 1),
        (300, 2),
        (600, 3),
        (1000, 4),
        (1499, 4),
        (1500, 5),
        (9000, 5),
    ],
)
def test_star_levels_at_their_thresholds(hours, level):
    assert stars_for(round(hours * 60)).level == level


def test_star_thresholds_are_the_deployments(settings):
    settings.SHEQUTONG_STAR_HOURS = (10, 20, 30, 40, 50)
    stars = stars_for(25 * 60)
    assert (stars.level, stars.next_at, stars.hours_to_next, stars.label) == (2, 30, 5, "★★☆☆☆")


def test_a_household_member_redeems_for_an_elder_recorded_as_such(tree, staff, member, shop):
    from django.test import Client

    from shequtong.accounts.services import proxy_start
    from shequtong.core.models import AuditEntry

    user, someone, _ = member
    mother = person(60, tree.grid_a1a, born=date(1948, 5, 1))  # not a volunteer: coins from 随手拍
    household(someone, mother)
    coins_credit(actor=staff, person=mother, coins=25, kind="coins.report", memo="有效随手拍")
    rice = goods_stock(actor=staff, shop=shop, name="大米", price=20, stock=3)
    client = Client()
    client.force_login(user)
    # Not yet her proxy: the shop serves only the account's own coins.
    client.post("/m/volunteer/shop/", {"goods": rice.pk, "for": mother.pk})
    assert balance(mother, Unit.COINS) == 25
    proxy_start(user=user, person=mother)
    page = client.get(f"/m/volunteer/shop/?for={mother.pk}").content.decode()
    assert f"代{mother.name}兑换" in page and "：25" in page
    client.post("/m/volunteer/shop/", {"goods": rice.pk, "for": mother.pk})
    assert balance(mother, Unit.COINS) == 5 and balance(someone, Unit.COINS) == 0
    redemption = mother.redemptions.get()
    assert redemption.by_proxy and redemption.requested_by == user
    entry = AuditEntry.objects.get(action="shop.redeem")
    assert entry.actor == user and entry.changes == {"proxy": [None, True]}
