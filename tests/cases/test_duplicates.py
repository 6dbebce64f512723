"""Duplicates: a new report near an open case of the same category is offered as one; joining
or merging links the reports and every reporter hears of the progress."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shequtong.cases.choices import CaseStatus
from shequtong.cases.models import Case, Category
from shequtong.cases.selectors import duplicate_candidates, resident_cases
from shequtong.cases.services import case_act, case_merge, case_report
from shequtong.core import services as core_services
from shequtong.core.choices import Role
from shequtong.core.errors import PermissionDeniedError
from shequtong.core.models import Notification
from tests.core.test_api import bearer

from .factories import IN_A1A, jpeg, report

pytestmark = pytest.mark.django_db

# ~0.001° of latitude is ~111 m.
NEAR = (IN_A1A[0], IN_A1A[1] + 0.001)
FAR = (IN_A1A[0], IN_A1A[1] + 0.004)


@pytest.fixture
def residents(tree, user_with):
    return [user_with(Role.RESIDENT, tree.comm_a1) for _ in range(2)]


def test_candidates_are_near_open_same_category_and_recent(tree, residents):
    first = residents[0]
    target = case_report(actor=first, report=report())
    case_report(actor=first, report=report(code="city-garbage"))  # another category
    case_report(actor=first, report=report(point=FAR))  # ~445 m away
    old = case_report(actor=first, report=report())
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    fire_escape = Category.objects.get(code="hazard-fire-escape")

    found = duplicate_candidates(category=fire_escape, lon=NEAR[0], lat=NEAR[1])

    assert [n.case.pk for n in found] == [target.pk]
    assert 100 < found[0].metres < 125


def test_joining_follows_the_open_case(tree, residents, grid_worker):
    first, second = residents
    target = case_report(actor=first, report=report())
    joined = case_report(
        actor=second, report=report(point=NEAR, description="同一个楼道", join=target)
    )
    assert joined.status == CaseStatus.CLOSED and joined.duplicate_of == target
    assert target.steps.filter(action="merged").exists()
    assert set(resident_cases(second)) == {joined, target}

    target = case_act(actor=grid_worker, case=target, action="start")
    case_act(actor=grid_worker, case=target, action="resolve", note="已清理", photos=[jpeg()])
    for resident in (first, second):
        assert Notification.objects.filter(user=resident, title__contains="已办结").exists()


def test_an_office_merges_a_duplicate(tree, residents, grid_worker, user_with):
    first, second = residents
    target = case_report(actor=first, report=report())
    dup = case_report(actor=second, report=report(point=NEAR))
    with pytest.raises(PermissionDeniedError):
        case_merge(actor=grid_worker, case=dup, into=target)
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    case_merge(actor=staff, case=dup, into=target)
    dup.refresh_from_db()
    assert dup.duplicate_of == target and dup.status == CaseStatus.CLOSED
    assert Notification.objects.filter(user=second, title__contains="合并至").exists()


def test_the_form_offers_and_joins(client, tree, residents):
    first, second = residents
    target = case_report(actor=first, report=report())
    client.force_login(second)
    category = Category.objects.get(code="hazard-fire-escape").pk
    offer = client.get(
        reverse("cases:nearby"), {"category": category, "lon": NEAR[0], "lat": NEAR[1]}
    ).content.decode()
    assert "附近已有相同问题" in offer and f'value="{target.pk}"' in offer
    assert first.display_name not in offer and target.description not in offer

    client.post(
        reverse("cases:report"),
        {
            "category": category,
            "description": "楼道又堵了",
            "lon": str(NEAR[0]),
            "lat": str(NEAR[1]),
            "coord_system": "wgs84",
            "join": target.pk,
        },
    )
    assert Case.objects.get(description="楼道又堵了").duplicate_of == target


def test_the_api_lists_possible_duplicates(client, tree, grid_worker):
    _, key = core_services.api_token_create(actor=grid_worker, name="巡查")
    body = {"category": "hazard-fire-escape", "description": "楼道堆物", "source": "patrol"}
    first = client.post(
        "/api/v1/cases",
        body | {"lon": IN_A1A[0], "lat": IN_A1A[1]},
        content_type="application/json",
        **bearer(key),
    ).json()
    second = client.post(
        "/api/v1/cases",
        body | {"lon": NEAR[0], "lat": NEAR[1]},
        content_type="application/json",
        **bearer(key),
    ).json()
    assert [d["id"] for d in second["possible_duplicates"]] == [first["id"]]
