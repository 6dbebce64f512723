"""Home-service orders: request, assign, complete with a subsidy that respects the rate, the price
and the monthly cap (also under concurrent completions), rate; the monthly sheet; the pages."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from shequtong.care.choices import CareOrderStatus, CareService
from shequtong.care.models import CareOrder
from shequtong.care.selectors import subsidy_totals
from shequtong.care.services.orders import (
    order_assign,
    order_cancel,
    order_complete,
    order_rate,
    order_request,
)
from shequtong.core.choices import Role
from shequtong.core.errors import DomainError
from shequtong.registry.models import Organization
from tests.core.test_concurrency import run_together

from .test_alarms import elder, staff  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

SOON = timezone.now() + timedelta(hours=3)


@pytest.fixture
def canteen(tree):
    return Organization.objects.create(
        area=tree.comm_a1,
        name="幸福食堂",
        kind="social_enterprise",
        credit_code="91500000MA5U000001",
    )


def _assigned(staff, elder, canteen, service=CareService.MEAL):  # noqa: F811
    order = order_request(actor=staff, profile=elder, service=service, wanted_at=SOON)
    return order_assign(actor=staff, order=order, provider=canteen)


def test_an_order_from_request_to_rating(staff, elder, canteen):  # noqa: F811
    order = order_request(
        actor=staff, profile=elder, service=CareService.MEAL, wanted_at=SOON, note="午餐，少盐"
    )
    assert order.status == CareOrderStatus.REQUESTED
    order = order_assign(actor=staff, order=order, provider=canteen)
    assert order.status == CareOrderStatus.ASSIGNED and order.assigned_at is not None
    order = order_complete(actor=staff, order=order, price="12.00")
    assert order.subsidy == Decimal("5.00")  # the meal rate
    order = order_rate(actor=staff, order=order, rating=5, comment="饭菜可口")
    assert order.status == CareOrderStatus.RATED
    with pytest.raises(DomainError, match="不能取消"):
        order_cancel(actor=staff, order=order, reason="重复")


def test_the_subsidy_never_exceeds_the_price_or_the_monthly_cap(settings, staff, elder, canteen):  # noqa: F811
    settings.SHEQUTONG_CARE_SUBSIDY_MONTHLY_CAP = 70
    cheap = order_complete(actor=staff, order=_assigned(staff, elder, canteen), price="3")
    assert cheap.subsidy == Decimal("3.00")
    baths = [
        order_complete(
            actor=staff, order=_assigned(staff, elder, canteen, CareService.BATH), price="60"
        )
        for _ in range(2)
    ]
    assert [b.subsidy for b in baths] == [Decimal("40.00"), Decimal("27.00")]  # 3 + 40 + 27 = 70
    [row] = subsidy_totals(user=staff, month=timezone.localdate())
    assert row["orders"] == 3 and row["n_bath"] == 2 and row["n_meal"] == 1
    assert row["subsidy"] == Decimal("70.00") and row["price"] == Decimal("123.00")


def test_assigning_needs_exactly_one_provider(staff, elder, canteen, user_with, tree):  # noqa: F811
    order = order_request(actor=staff, profile=elder, service=CareService.CLEANING, wanted_at=SOON)
    with pytest.raises(DomainError, match="二选一"):
        order_assign(actor=staff, order=order)
    volunteer = _registered_volunteer(user_with(Role.RESIDENT, tree.comm_a1), tree.comm_a1)
    with pytest.raises(DomainError, match="二选一"):
        order_assign(actor=staff, order=order, provider=canteen, volunteer=volunteer)
    assert order_assign(actor=staff, order=order, volunteer=volunteer).volunteer == volunteer


def _registered_volunteer(user, area):
    """The volunteering app narrows who may take an order to its registered volunteers."""
    from shequtong.registry.services import PersonData, person_create
    from shequtong.volunteering.models import Volunteer
    from tests.registry.factories import id_number

    person = person_create(
        actor=None,
        data=PersonData(name="志愿者", id_number=id_number(user.pk + 5000)),
        dwelling=None,
        area=area,
    )
    Volunteer.objects.create(
        person=person, area=area, kind="resident", status="active", applied_by=user
    )
    return user


def test_bad_prices_and_ratings_name_their_field(staff, elder, canteen):  # noqa: F811
    order = _assigned(staff, elder, canteen)
    with pytest.raises(DomainError) as caught:
        order_complete(actor=staff, order=order, price="十二元")
    assert caught.value.fields == {"price": ["格式不对"]}
    order = order_complete(actor=staff, order=order, price="12")
    with pytest.raises(DomainError) as caught:
        order_rate(actor=staff, order=order, rating=6)
    assert caught.value.fields == {"rating": ["1–5"]}


def test_the_order_pages(client, tree, staff, elder, canteen):  # noqa: F811
    client.force_login(staff)
    client.post(
        reverse("care:order_request", args=[elder.pk]),
        {
            "service": "bath",
            "wanted_at": (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    order = CareOrder.objects.get()
    act = reverse("care:order_act", args=[order.pk])
    client.post(act, {"action": "assign", "provider": canteen.pk})
    client.post(act, {"action": "complete", "price": "80"})
    order.refresh_from_db()
    assert order.status == CareOrderStatus.COMPLETED and order.subsidy == Decimal("40.00")
    listing = client.get(reverse("care:order_list")).content.decode()
    assert "助浴" in listing and "幸福食堂" in listing and "80.00 / 40.00 元" in listing
    sheet = client.get(reverse("care:subsidy_totals")).content.decode()
    assert "王奶奶" in sheet and "40.00" in sheet
    other_month = client.get(reverse("care:subsidy_totals") + "?month=2020-01").content.decode()
    assert "本月没有已完成的服务" in other_month
    away = client.post(act, {"action": "rate", "rating": "4", "next": "https://evil.example/"})
    assert away["Location"] == reverse("care:order_list")
    impossible = client.post(
        reverse("care:order_request", args=[elder.pk]),
        {"service": "meal", "wanted_at": "2026-13-01T10:00"},
    )
    assert impossible.status_code == 400 and "期望服务时间格式不对" in impossible.content.decode()
    far = client.get(reverse("care:subsidy_totals") + "?month=9999-12")
    assert far.status_code == 200  # an absurd month falls back to this one


def test_a_volunteer_from_elsewhere_is_refused(client, tree, staff, elder, user_with):  # noqa: F811
    order = order_request(actor=staff, profile=elder, service=CareService.MEAL, wanted_at=SOON)
    stranger = user_with(Role.RESIDENT, tree.comm_b1)
    _registered_volunteer(stranger, tree.comm_b1)  # registered, but in another community
    with pytest.raises(DomainError, match="不是本社区的注册志愿者"):
        order_assign(actor=staff, order=order, volunteer=stranger)
    client.force_login(staff)
    answer = client.post(
        reverse("care:order_act", args=[order.pk]),
        {"action": "assign", "volunteer": stranger.username},
    )
    assert answer.status_code == 400 and "本社区没有用户名为" in answer.content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_concurrent_completions_share_the_cap_exactly(settings, staff, elder, canteen):  # noqa: F811
    settings.SHEQUTONG_CARE_SUBSIDY_MONTHLY_CAP = 100
    orders = [_assigned(staff, elder, canteen, CareService.CLEANING) for _ in range(8)]

    def work(i: int) -> None:
        order_complete(actor=staff, order=orders[i], price="50")

    run_together(work, threads=8)
    subsidies = sorted(CareOrder.objects.values_list("subsidy", flat=True))
    assert sum(subsidies) == Decimal("100.00")  # 30 + 30 + 30 + 10, the rest nothing
    assert subsidies[-4:] == [Decimal("10.00")] + [Decimal("30.00")] * 3
