"""Visit plans by group, the strictest one applying; visits with a location check; the overdue
list per community and grid worker; bad input refused with its field."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shequtong.care.choices import CareLevel, Living, VisitFinding
from shequtong.care.models import CareProfile, Visit
from shequtong.care.selectors import visits_due
from shequtong.care.services.visits import visit_plan_create, visit_record
from shequtong.core.choices import Role
from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.registry.models import Building, Dwelling, Estate

from .test_alarms import elder, staff  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def _age_elder(elder, years_ago: int) -> None:  # noqa: F811
    elder.person.birth_date = timezone.localdate() - timedelta(days=365 * years_ago + 30)
    elder.person.save()


def test_the_strictest_fitting_plan_sets_the_due_date(tree, staff, elder, grid_worker):  # noqa: F811
    _age_elder(elder, 85)
    visit_plan_create(actor=staff, area=tree.comm_a1, name="空巢", every_days=30)
    visit_plan_create(
        actor=staff,
        area=tree.comm_a1,
        name="独居高龄",
        every_days=7,
        living=Living.ALONE,
        min_age=80,
    )
    visit_plan_create(
        actor=staff, area=tree.comm_a1, name="失能", every_days=3, care_level=CareLevel.DEPENDENT
    )
    today = timezone.localdate()
    CareProfile.objects.filter(pk=elder.pk).update(created_at=timezone.now() - timedelta(days=10))
    [row] = visits_due(user=staff, today=today)
    assert row.plan.name == "独居高龄"  # the dependent plan does not fit, the 30-day one is laxer
    assert row.last_visit is None and row.overdue_days == 3
    assert row.community == tree.comm_a1.name
    assert row.workers == [grid_worker.display_name]

    visit_record(actor=grid_worker, profile=elder, finding=VisitFinding.WELL)
    [row] = visits_due(user=grid_worker, today=today)
    assert row.overdue_days == -7 and row.last_visit is not None


def test_an_80_year_old_is_not_under_the_80_plus_plan_until_their_birthday(tree, staff, elder):  # noqa: F811
    elder.person.birth_date = timezone.localdate().replace(year=timezone.localdate().year - 80)
    elder.person.birth_date += timedelta(days=1)  # 80 tomorrow
    elder.person.save()
    visit_plan_create(actor=staff, area=tree.comm_a1, name="高龄", every_days=7, min_age=80)
    assert visits_due(user=staff) == []


def test_a_street_plan_reaches_the_community(tree, elder, user_with):  # noqa: F811
    street = user_with(Role.SUBDISTRICT_ADMIN, tree.sub_a)
    visit_plan_create(actor=street, area=tree.sub_a, name="独居", every_days=7, living=Living.ALONE)
    community_staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    assert [r.plan.name for r in visits_due(user=community_staff)] == ["独居"]
    other = user_with(Role.COMMUNITY_STAFF, tree.comm_b1)
    assert visits_due(user=other) == []  # not their person


def test_only_offices_make_plans(tree, grid_worker):
    with pytest.raises(PermissionDeniedError):
        visit_plan_create(actor=grid_worker, area=tree.grid_a1a, name="每周", every_days=7)


def test_a_plan_with_a_bad_period_names_the_field(tree, staff):  # noqa: F811
    with pytest.raises(DomainError) as caught:
        visit_plan_create(actor=staff, area=tree.comm_a1, name="每周", every_days=0)
    assert caught.value.fields == {"every_days": ["走访周期应为 1–366 天"]}


def test_a_visit_is_checked_against_the_building(tree, staff, elder, grid_worker):  # noqa: F811
    estate = Estate.objects.create(area=tree.grid_a1a, name="幸福小区")
    building = Building.objects.create(
        area=tree.grid_a1a, estate=estate, number="1", lon=106.5, lat=29.5
    )
    dwelling = Dwelling.objects.create(
        area=tree.grid_a1a, building=building, unit="1", number="101"
    )
    elder.person.dwelling = dwelling
    elder.person.save()
    at_door = visit_record(
        actor=grid_worker, profile=elder, finding=VisitFinding.WELL, point=(106.5003, 29.5)
    )
    assert at_door.distance_m == 29
    office = visit_record(
        actor=grid_worker,
        profile=elder,
        finding=VisitFinding.ABSENT,
        notes="敲门无人应答，已电话联系儿子",
        point=(106.52, 29.5),
    )
    assert office.distance_m > 1900


def test_bad_visits_are_refused_with_their_field(staff, elder):  # noqa: F811
    with pytest.raises(DomainError) as caught:
        visit_record(actor=staff, profile=elder, finding=VisitFinding.NEEDS_HELP)
    assert "notes" in caught.value.fields
    with pytest.raises(DomainError) as caught:
        visit_record(
            actor=staff,
            profile=elder,
            finding=VisitFinding.WELL,
            visited_at=timezone.now() - timedelta(days=8),
        )
    assert caught.value.fields == {"visited_at": ["早于 7 天前"]}


def test_the_visit_page_and_recording_from_the_profile(client, tree, staff, elder):  # noqa: F811
    client.force_login(staff)
    made = client.post(
        reverse("care:plan_create"),
        {"area": tree.comm_a1.pk, "name": "独居每周", "living": "alone", "every_days": "7"},
    )
    assert made.status_code == 302
    CareProfile.objects.filter(pk=elder.pk).update(created_at=timezone.now() - timedelta(days=9))
    page = client.get(reverse("care:visit_list")).content.decode()
    assert "逾期 1 人" in page and "王奶奶" in page and "逾期 2 天" in page
    client.post(
        reverse("care:visit_record", args=[elder.pk]),
        {"finding": "needs_help", "notes": "水管漏水", "lon": "106.5", "lat": "29.5"},
    )
    visit = Visit.objects.get()
    assert visit.notes == "水管漏水" and visit.lon == 106.5 and visit.visitor == staff
    assert "王奶奶" not in client.get(reverse("care:visit_list")).content.decode()
    detail = client.get(reverse("care:profile_detail", args=[elder.pk])).content.decode()
    assert "水管漏水" in detail and "住址无坐标" in detail
    half = client.post(
        reverse("care:visit_record", args=[elder.pk]), {"finding": "well", "lon": "1"}
    )
    assert half.status_code == 400 and "经度和纬度须同时填写" in half.content.decode()
