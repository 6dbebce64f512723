"""Writers at once: the last places of an activity and one redemption code at two counters.
Row locks between connections are what is proven, so these run on PostgreSQL (the CI's second
run); on SQLite one writer holds the database at a time and there is nothing to race."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from shequtong.core.choices import Role
from shequtong.core.errors import DomainError
from shequtong.registry.services import PersonData, person_create
from shequtong.volunteering.choices import RedemptionStatus, SignUpStatus
from shequtong.volunteering.models import Volunteer
from shequtong.volunteering.services import (
    coins_credit,
    goods_stock,
    redeem,
    redemption_collect,
    shop_create,
    signup,
)
from tests.core.factories import GrantedUserFactory, build_area_tree
from tests.registry.factories import id_number
from tests.volunteering.helpers import activity

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks between connections: the PostgreSQL run proves it")


def _at_once(jobs: list[Callable[[], object]]) -> tuple[list[object], list[DomainError]]:
    """Start every job at the same moment, each on its own connection."""
    barrier = threading.Barrier(len(jobs))
    done: list[object] = []
    refused: list[DomainError] = []
    unexpected: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            done.append(job())
        except DomainError as exc:
            refused.append(exc)
        except BaseException as exc:
            unexpected.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert unexpected == []
    return done, refused


def _volunteers(area, n: int) -> list[Volunteer]:
    made = []
    for i in range(n):
        person = person_create(
            actor=None,
            data=PersonData(name=f"志愿者{i}", id_number=id_number(7000 + i)),
            dwelling=None,
            area=area,
        )
        made.append(
            Volunteer.objects.create(person=person, area=area, kind="resident", status="active")
        )
    return made


def test_thirty_residents_racing_for_five_places():
    _postgresql()
    tree = build_area_tree()
    staff = GrantedUserFactory(role=Role.COMMUNITY_STAFF, area=tree.comm_a1)
    event = activity(staff, tree.comm_a1, places=5)
    volunteers = _volunteers(tree.grid_a1a, 30)
    done, refused = _at_once(
        [lambda v=v: signup(actor=staff, activity=event, volunteer=v) for v in volunteers]
    )
    assert len(done) == 5 and len(refused) == 25
    assert {e.message for e in refused} == {"名额已满（共 5 人）"}
    assert event.signups.filter(status=SignUpStatus.ACCEPTED).count() == 5


def test_two_counters_redeeming_one_code():
    _postgresql()
    tree = build_area_tree()
    staff = GrantedUserFactory(role=Role.COMMUNITY_STAFF, area=tree.comm_a1)
    (volunteer,) = _volunteers(tree.grid_a1a, 1)
    shop = shop_create(actor=staff, area=tree.comm_a1, name="爱心超市")
    goods = goods_stock(actor=staff, shop=shop, name="大米", price=10, stock=5)
    coins_credit(actor=staff, person=volunteer.person, coins=10, kind="coins.report", memo="奖励")
    code = redeem(actor=staff, person=volunteer.person, goods=goods).code
    done, refused = _at_once([lambda: redemption_collect(actor=staff, shop=shop, code=code)] * 2)
    assert len(done) == 1 and len(refused) == 1 and "已于" in refused[0].message
    assert done[0].status == RedemptionStatus.COLLECTED
