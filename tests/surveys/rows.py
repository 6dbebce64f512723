"""Surveys spread over the fixture tree, for the isolation matrix (tests/core): in every area a
survey with a question, a household's answer and a call at a door. The household is one of
community A1's; each answer and call is placed in the row's area, as the matrix asks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from shequtong.core.models import User
from shequtong.registry.models import Household, Person
from shequtong.registry.services import PersonData, assets, person_create
from shequtong.surveys.models import Question, Response, Survey, Visit
from tests.core.factories import AreaTree
from tests.registry.factories import id_number


def _home(tree: AreaTree) -> tuple[Household, Person]:
    estate = assets.estate_create(
        actor=None, community=tree.comm_a1, data=assets.EstateData("问卷矩阵小区")
    )
    building = assets.building_create(
        actor=None, estate=estate, data=assets.BuildingData(number="1栋"), area=tree.grid_a1a
    )
    dwelling = assets.dwelling_create(
        actor=None, building=building, data=assets.DwellingData(unit=1, number="101")
    )
    person = person_create(
        actor=None, data=PersonData(name="问卷户主", id_number=id_number(8800)), dwelling=dwelling
    )
    household = assets.household_create(actor=None, dwelling=dwelling, head=person)
    return household, person


def rows_survey(tree: AreaTree, viewer: User) -> None:
    if Survey.objects.filter(title="矩阵问卷").exists():
        return
    household, person = _home(tree)
    now = timezone.now()
    surveys = Survey.objects.bulk_create(
        Survey(
            title="矩阵问卷",
            opens_at=now,
            closes_at=now + timedelta(days=7),
            status="open",
            area=area,
            area_path=area.path,
        )
        for area in tree.all
    )
    Question.objects.bulk_create(
        Question(
            survey=s,
            order=1,
            kind="single",
            text="是否同意",
            options=["同意", "不同意"],
            area_id=s.area_id,
            area_path=s.area_path,
        )
        for s in surveys
    )
    Response.objects.bulk_create(
        Response(
            survey=s,
            household=household,
            person=person,
            channel="visit",
            answers={},
            receipt=f"M{n:04d}",
            area_id=s.area_id,
            area_path=s.area_path,
        )
        for n, s in enumerate(surveys)
    )
    Visit.objects.bulk_create(
        Visit(
            survey=s,
            household=household,
            outcome="nobody_home",
            area_id=s.area_id,
            area_path=s.area_path,
        )
        for s in surveys
    )


ROWS: dict[str, Callable[[AreaTree, User], None]] = {
    "surveys.survey": rows_survey,
    "surveys.question": rows_survey,
    "surveys.response": rows_survey,
    "surveys.visit": rows_survey,
}
