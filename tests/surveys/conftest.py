"""A small neighbourhood in community A1: estate 滨江花园 with 1栋 (grid A1a) and 2栋 (grid A1b);
households behind the doors, adults with accounts and without, a child; a resident of
community A2 outside every survey here."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.utils import timezone

from shequtong.accounts.services import claim_submit
from shequtong.core.choices import Role
from shequtong.core.models import User
from shequtong.registry.models import Building, Dwelling, Estate, Household, Person
from shequtong.registry.services import PersonData, assets, person_create
from shequtong.surveys.models import Question, Survey
from shequtong.surveys.services import question_add, survey_consent, survey_create, survey_open
from tests.registry.factories import id_number
from tests.volunteering.helpers import sign_in


@pytest.fixture(autouse=True)
def _sms_log(caplog):
    caplog.set_level(logging.INFO, logger="shequtong.accounts.services")


@dataclass
class Hood:
    estate: Estate
    b1: Building
    b2: Building
    homes: dict[str, Household] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


_serial = iter(range(7000, 8000))


def home(hood: Hood, building: Building, number: str, *names: str, caplog=None, **born) -> None:
    """A door of `building` with a household of `names` (the first heads it); each name with
    an account when `caplog` is given, unless born a child (`born={name: date}`)."""
    dwelling = Dwelling.objects.create(
        building=building, unit=1, number=number, floor=int(number[0]), area=building.area
    )
    household = None
    for name in names:
        n = next(_serial)
        data = PersonData(name=name, id_number=id_number(n, born=born.get(name, date(1970, 1, 1))))
        person = person_create(actor=None, data=data, dwelling=dwelling)
        if household is None:
            household = assets.household_create(actor=None, dwelling=dwelling, head=person)
        else:
            Person.objects.filter(pk=person.pk).update(household=household)
            person.refresh_from_db()
        hood.people[name] = person
        if caplog is not None and name not in born:
            user = sign_in(f"137{n:08d}", caplog)
            claim_submit(user=user, name=name, id_number=person.id_number, community=None)
            hood.users[name] = user
    hood.homes[number if building == hood.b1 else f"2-{number}"] = household


@pytest.fixture
def hood(tree, caplog) -> Hood:
    estate = Estate.objects.create(name="滨江花园", area=tree.comm_a1)
    b1 = Building.objects.create(estate=estate, number="1栋", area=tree.grid_a1a)
    b2 = Building.objects.create(estate=estate, number="2栋", area=tree.grid_a1b)
    hood = Hood(estate, b1, b2)
    home(hood, b1, "101", "张三", "李四", "张小宝", caplog=caplog, 张小宝=date(2016, 5, 1))
    home(hood, b1, "102", "王五")
    home(hood, b2, "201", "赵六", caplog=caplog)
    # Outside the estate: community A2.
    far = Estate.objects.create(name="远方小区", area=tree.comm_a2)
    b9 = Building.objects.create(estate=far, number="9栋", area=tree.grid_a2a)
    home(hood, b9, "901", "孙七", caplog=caplog)
    return hood


@pytest.fixture
def staff(tree, user_with) -> User:
    return user_with(Role.COMMUNITY_STAFF, tree.comm_a1)


@pytest.fixture
def worker_b(tree, user_with) -> User:
    """The grid worker of 2栋's grid."""
    return user_with(Role.GRID_WORKER, tree.grid_a1b)


def draft(staff: User, **place) -> Survey:
    now = timezone.now()
    place = place or {}
    return survey_create(
        actor=staff,
        title=place.pop("title", "小区改造意见征询"),
        opens_at=place.pop("opens_at", now - timedelta(hours=1)),
        closes_at=place.pop("closes_at", now + timedelta(days=7)),
        **place,
    )


def consent_survey(staff: User, **place) -> tuple[Survey, Question]:
    """An open survey whose 第1题 is the consent question (同意 / 不同意)."""
    survey = draft(staff, **place)
    agree = question_add(
        actor=staff, survey=survey, kind="single", text="是否同意改造", options=["同意", "不同意"]
    )
    survey_consent(actor=staff, survey=survey, question=agree, option="同意")
    return survey_open(actor=staff, survey=survey), agree
