"""Demo surveys in one estate of 杨家坪社区: an open one (加装电梯意愿) with answers online and
keyed in at the door, calls that found nobody home and a refusal; and a closed 集中民意 survey
on renovating the estate that passed (more than 60 % of all its households agreeing)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shequtong.core.choices import AreaLevel, Role
from shequtong.core.models import Area, RoleGrant
from shequtong.registry.models import Estate, Household, Person

from . import selectors
from .models import Survey
from .services import (
    question_add,
    response_submit,
    survey_close,
    survey_consent,
    survey_create,
    survey_open,
    visit_record,
)


def seed_surveys(district: Area, scale: int) -> None:
    community = Area.objects.filter(
        path__startswith=district.path, level=AreaLevel.COMMUNITY, name="杨家坪社区"
    ).first()
    grant = RoleGrant.objects.filter(role=Role.COMMUNITY_STAFF, area=community).first()
    if grant is None:
        return
    staff = grant.user
    estate = community_estate(community)
    if estate is None or Survey.objects.filter(estate=estate).exists():
        return
    now = timezone.now()

    renovation = survey_create(
        actor=staff,
        title="老旧小区改造集中民意征询",
        intro="按“大多数住户（60%以上）有整治要求”的原则，征询各户对本小区改造的意见。",
        estate=estate,
        opens_at=now - timedelta(days=20),
        closes_at=now + timedelta(days=1),
    )
    agree = question_add(
        actor=staff,
        survey=renovation,
        kind="single",
        text="您是否同意对本小区实施老旧小区改造？",
        options=["同意", "不同意"],
    )
    wishes = question_add(
        actor=staff,
        survey=renovation,
        kind="multiple",
        text="您最希望改造的项目",
        options=["外墙与屋面防水", "雨污分流", "加装电梯", "停车位", "适老化设施"],
        max_choices=3,
    )
    survey_consent(actor=staff, survey=renovation, question=agree, option="同意")
    survey_open(actor=staff, survey=renovation)
    homes = _answerable(renovation)
    for n, (household, person) in enumerate(homes[: len(homes) * 3 // 4]):
        response_submit(
            actor=staff,
            survey=renovation,
            household=household,
            person=person,
            answers={
                f"q{agree.pk}": "不同意" if n % 10 == 9 else "同意",
                f"q{wishes.pk}": ["外墙与屋面防水", "雨污分流"] if n % 2 else ["加装电梯"],
            },
        )
    survey_close(actor=staff, survey=renovation)

    lift = survey_create(
        actor=staff,
        title="加装电梯意愿调查",
        intro="了解各户对加装电梯的意愿和出资意见。",
        estate=estate,
        opens_at=now - timedelta(days=2),
        closes_at=now + timedelta(days=12),
    )
    wish = question_add(
        actor=staff,
        survey=lift,
        kind="single",
        text="您家是否支持本楼栋加装电梯？",
        options=["支持", "不支持", "无所谓"],
    )
    question_add(
        actor=staff,
        survey=lift,
        kind="text",
        text="您对加装电梯还有什么意见或建议？",
        required=False,
    )
    survey_open(actor=staff, survey=lift)
    homes = _answerable(lift)
    for n, (household, person) in enumerate(homes[: len(homes) // 3]):
        response_submit(
            actor=staff,
            survey=lift,
            household=household,
            person=person,
            answers={f"q{wish.pk}": ("支持", "不支持", "支持", "无所谓")[n % 4]},
        )
    for n, (household, _) in enumerate(homes[len(homes) // 3 : len(homes) // 3 + 4]):
        visit_record(
            actor=staff,
            survey=lift,
            household=household,
            outcome="refused" if n == 0 else "nobody_home",
            note="晚上再来" if n else "",
        )


def community_estate(community: Area | None) -> Estate | None:
    if community is None:
        return None
    return Estate.objects.filter(area=community).order_by("pk").first()


def _answerable(survey: Survey) -> list[tuple[Household, Person]]:
    """(household, an adult member) for each household of the place that has one."""
    found = []
    for household in selectors.households_of(survey).select_related("dwelling").order_by("pk"):
        adults = selectors.adults_of(household)
        if adults:
            found.append((household, adults[0]))
    return found
