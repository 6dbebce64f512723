"""集中民意: a renovation goes on only when 60 % or more of the households agree in a closed
household survey — exactly 60 % is enough, one household fewer is not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shequtong.core.choices import Role
from shequtong.core.errors import DomainError
from shequtong.deliberation import services
from shequtong.registry.models import Building, Dwelling, Estate, Household, Person
from shequtong.surveys.selectors import answer_key
from shequtong.surveys.services import (
    question_add,
    response_submit,
    survey_close,
    survey_consent,
    survey_create,
    survey_open,
)
from tests.volunteering.helpers import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tree, user_with):
    return user_with(Role.COMMUNITY_STAFF, tree.comm_a1)


def _households(tree, count: int) -> list[tuple[Household, Person]]:
    estate = Estate.objects.create(name="老旧小区", area=tree.comm_a1)
    building = Building.objects.create(estate=estate, number="3", area=tree.grid_a1a)
    made = []
    for n in range(count):
        dwelling = Dwelling.objects.create(
            building=building, number=f"{n + 1}01", floor=n + 1, area=tree.grid_a1a
        )
        head = person(40 + n, tree.grid_a1a)
        household = Household.objects.create(dwelling=dwelling, head=head, area=tree.grid_a1a)
        Person.objects.filter(pk=head.pk).update(household=household)
        head.refresh_from_db()
        made.append((household, head))
    return made


def _survey(staff, tree, homes, agreeing: int):
    now = timezone.now()
    survey = survey_create(
        actor=staff,
        title="加装电梯意见征求",
        area=tree.comm_a1,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=7),
    )
    question = question_add(
        actor=staff,
        survey=survey,
        kind="single",
        text="是否同意加装电梯",
        options=["同意", "不同意"],
    )
    survey_consent(actor=staff, survey=survey, question=question, option="同意")
    survey = survey_open(actor=staff, survey=survey)
    for n, (household, head) in enumerate(homes):
        choice = "同意" if n < agreeing else "不同意"
        response_submit(
            actor=staff,
            survey=survey,
            household=household,
            person=head,
            answers={answer_key(question): choice},
        )
    return survey


def _topic(staff, tree):
    topic = services.topic_propose(
        actor=staff,
        area=tree.comm_a1,
        title="老旧小区加装电梯",
        description="3栋居民多次反映上下楼困难。",
        source="grid",
        level="community",
    )
    procedure = services.procedure_for(community=tree.comm_a1, key="collective_opinion")
    topic = services.topic_accept(actor=staff, topic=topic, procedure=procedure)
    return services.step_complete(actor=staff, topic=topic, index=0, note="网格员收集需求").topic


@pytest.mark.parametrize(("agreeing", "passes"), [(3, True), (2, False)])
def test_the_survey_step_needs_sixty_percent_of_all_households(staff, tree, agreeing, passes):
    homes = _households(tree, 5)
    topic = _topic(staff, tree)
    survey = _survey(staff, tree, homes, agreeing)
    with pytest.raises(DomainError, match="问卷尚未结束"):
        services.step_complete(actor=staff, topic=topic, index=1, survey=survey)
    survey = survey_close(actor=staff, survey=survey)
    if not passes:
        with pytest.raises(DomainError, match=r"同意的住户 2/5 户（40.00%），未达60%以上"):
            services.step_complete(actor=staff, topic=topic, index=1, survey=survey)
        return
    step = services.step_complete(actor=staff, topic=topic, index=1, survey=survey)
    topic.refresh_from_db()
    assert step.survey == survey and topic.step_index == 2
    assert topic.resolution == "加装电梯意见征求：3/5 户同意（60.00%），达到60%以上"


def test_a_survey_of_another_community_is_refused(staff, tree, user_with):
    topic = _topic(staff, tree)
    other = user_with(Role.COMMUNITY_STAFF, tree.comm_a2)
    now = timezone.now()
    elsewhere = survey_create(
        actor=other,
        title="别处的问卷",
        area=tree.comm_a2,
        opens_at=now,
        closes_at=now + timedelta(days=1),
    )
    with pytest.raises(DomainError, match="请选择本社区的入户问卷"):
        services.step_complete(actor=staff, topic=topic, index=1, survey=elsewhere)


def test_a_survey_of_one_building_cannot_stand_for_the_community(staff, tree):
    homes = _households(tree, 3)
    topic = _topic(staff, tree)
    now = timezone.now()
    building = homes[0][0].dwelling.building
    survey = survey_create(
        actor=staff,
        title="3栋意见",
        building=building,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=1),
    )
    with pytest.raises(DomainError, match="所选问卷的范围小于或不同于本议题涉及的范围"):
        services.step_complete(actor=staff, topic=topic, index=1, survey=survey)
