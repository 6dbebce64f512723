"""A small neighbourhood in community A1: estate 滨江花园 with buildings 1栋 (grid A1a) and 2栋
(grid A1b), a household in each door, residents with and without accounts."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest

from shequtong.accounts.services import claim_submit
from shequtong.core.choices import Role
from shequtong.core.models import Area, User
from shequtong.registry.models import Building, Dwelling, Estate, Household, Person
from shequtong.registry.services import PersonData, person_create
from tests.registry.factories import id_number
from tests.volunteering.helpers import sign_in


@pytest.fixture(autouse=True)
def _sms_log(caplog):
    caplog.set_level(logging.INFO, logger="shequtong.accounts.services")


@dataclass
class Place:
    estate: Estate
    b1: Building
    b2: Building
    # name → (person, user or None)
    people: dict[str, tuple[Person, User | None]]

    def person(self, name: str) -> Person:
        return self.people[name][0]

    def user(self, name: str) -> User:
        found = self.people[name][1]
        assert found is not None
        return found


def dweller(
    n: int,
    dwelling: Dwelling,
    caplog,
    *,
    name: str,
    account: bool = True,
    tags: tuple[str, ...] = (),
    household: Household | None = None,
) -> tuple[Person, User | None]:
    data = PersonData(name=name, id_number=id_number(7000 + n), tags=list(tags))
    someone = person_create(actor=None, data=data, dwelling=dwelling)
    if household is not None:
        Person.objects.filter(pk=someone.pk).update(household=household)
        someone.refresh_from_db()
    if not account:
        return someone, None
    user = sign_in(f"137{7000 + n:08d}", caplog)
    claim_submit(user=user, name=someone.name, id_number=someone.id_number, community=None)
    return someone, user


def door(building: Building, number: str) -> Dwelling:
    return Dwelling.objects.create(
        building=building, unit=1, number=number, floor=int(number[0]), area=building.area
    )


@pytest.fixture
def place(tree, caplog) -> Place:
    estate = Estate.objects.create(name="滨江花园", area=tree.comm_a1)
    b1 = Building.objects.create(estate=estate, number="1栋", area=tree.grid_a1a)
    b2 = Building.objects.create(estate=estate, number="2栋", area=tree.grid_a1b)
    d101, d102, d201 = door(b1, "101"), door(b1, "102"), door(b2, "201")
    people = {
        "张三": dweller(1, d101, caplog, name="张三", tags=("party_member",)),
        "李四": dweller(2, d102, caplog, name="李四"),
        "王五": dweller(3, d102, caplog, name="王五", account=False),
        "赵六": dweller(4, d201, caplog, name="赵六", tags=("party_member",)),
    }
    return Place(estate, b1, b2, people)


@pytest.fixture
def staff(tree, user_with) -> User:
    return user_with(Role.COMMUNITY_STAFF, tree.comm_a1)


@pytest.fixture
def stranger_area(tree) -> Area:
    return tree.comm_b1


# --- 三务公开 -------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n% a scanned voucher\n"


def pdf(name: str = "凭证.pdf", content: bytes = PDF):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def member(staff, place, tree) -> User:
    """李四, a resident of A1 with an account, seated on A1's 居务监督委员会."""
    from shequtong.notices.services import supervisor_name

    user = place.user("李四")
    supervisor_name(actor=staff, area=tree.comm_a1, user=user, name="李四")
    return user


def finance_board(staff, tree, *, period: str = "2026-Q4", lines: int = 1):
    from shequtong.notices.services import disclosure_create, finance_item_add

    board = disclosure_create(
        actor=staff,
        area=tree.comm_a1,
        board="finance",
        period=period,
        title="2026年第四季度财务公开",
    )
    for n in range(lines):
        finance_item_add(
            actor=staff,
            disclosure=board,
            description=f"办公用品{n}",
            direction="expense",
            amount=12800,
        )
    return board
