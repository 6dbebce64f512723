"""What Open311 shows without login: public cases only, through the public view; the reporter
and staff with a key see theirs in full; nothing personal in any anonymous answer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from shequtong.cases.choices import CaseSource
from shequtong.cases.models import Case, Category
from shequtong.cases.services import case_reclassify, case_report
from shequtong.core import services as core_services
from shequtong.core.choices import Role
from shequtong.core.errors import PermissionDeniedError
from shequtong.registry.importing.persons import PersonImport
from shequtong.registry.models import Person
from tests.registry.factories import ledger_rows, write_csv

from .factories import report

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


@pytest.fixture
def residents(tree, tmp_path) -> list[Person]:
    """张三, 李四 … registered in 甲一社区, the community of grid A1a."""
    PersonImport(community=tree.comm_a1, actor=None).run(
        write_csv(tmp_path / "台账.csv", ledger_rows(4))
    )
    return list(Person.objects.order_by("pk"))


@pytest.fixture
def resident(tree, user_with):
    return user_with(Role.RESIDENT, tree.comm_a1, display_name="赵居民")


def listed(client: Client, **params: Any) -> list[dict]:
    response = client.get(f"{BASE}/requests.json", params)
    assert response.status_code == 200
    return response.json()


def test_a_public_case_is_shown_without_names_numbers_or_doors(client, residents, resident):
    zhang = residents[0]
    case = case_report(
        actor=resident,
        report=report(
            code="city-garbage",
            description=f"5栋1单元101门口垃圾堆了三天，{zhang.name}说电话13800138000可联系",
            address="甲一小区5栋1单元101",
            reporter_phone="13900001111",
        ),
    )
    [row] = listed(client)
    assert row["service_request_id"] == case.number
    assert row["description"] == "5栋门口垃圾堆了三天，某某说电话＊＊可联系"
    assert row["address"] == "甲一小区5栋"
    body = json.dumps(row, ensure_ascii=False)
    for secret in (zhang.name, "13800138000", "13900001111", "单元101", "赵居民"):
        assert secret not in body
    assert row["lat"] == round(case.lat, 4)
    xml = client.get(f"{BASE}/requests/{case.number}.xml").content.decode()
    assert zhang.name not in xml and "1单元101" not in xml and "5栋" in xml


def test_personal_cases_are_never_public(client, tree, resident):
    dispute = case_report(actor=resident, report=report(code="dispute-neighbour"))
    elderly = case_report(actor=resident, report=report(code="life-elderly"))
    device = case_report(
        actor=None,
        report=report(code="hazard-other", source=CaseSource.DEVICE, idempotency_key="care-1"),
    )
    at_home = case_report(
        actor=resident, report=report(code="hazard-fire-escape", address="甲一小区3栋2单元502")
    )
    outside = case_report(
        actor=resident, report=report(code="hazard-fire-escape", address="甲一小区3栋")
    )
    assert [r["service_request_id"] for r in listed(client)] == [outside.number]
    for hidden in (dispute, device, at_home):
        assert not hidden.public
    for hidden in (dispute, elderly, device, at_home):
        for suffix in (".json", ".xml"):
            response = client.get(f"{BASE}/requests/{hidden.number}{suffix}")
            assert response.status_code == 404  # as if it did not exist
        assert listed(client, service_request_id=hidden.number) == []


def test_a_case_refiled_as_a_dispute_leaves_the_public_list(client, tree, resident, user_with):
    case = case_report(actor=resident, report=report(code="city-garbage"))
    assert len(listed(client)) == 1
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    case_reclassify(actor=staff, case=case, category=Category.objects.get(code="dispute-other"))
    assert listed(client) == []
    assert Case.objects.get(pk=case.pk).public_description == ""


def test_a_category_closed_to_the_public_takes_its_cases_off_at_once(client, resident):
    case_report(actor=resident, report=report(code="city-garbage"))
    assert len(listed(client)) == 1
    Category.objects.filter(code="city-garbage").update(public=False)
    assert listed(client) == []


def test_the_reporter_sees_their_own_cases_in_full(client, resident, user_with):
    mine = case_report(
        actor=resident, report=report(code="dispute-neighbour", description="楼上王某家漏水")
    )
    public = case_report(
        actor=resident, report=report(code="city-garbage", description="5栋302门口有垃圾")
    )
    client.force_login(resident)  # signed in on the portal
    rows = {r["service_request_id"]: r for r in listed(client)}
    assert rows[mine.number]["description"] == "楼上王某家漏水"
    assert rows[public.number]["description"] == "5栋302门口有垃圾"
    one = client.get(f"{BASE}/requests/{mine.number}.json").json()
    assert one[0]["description"] == "楼上王某家漏水"
    # Another resident sees the public view only.
    client.force_login(user_with(Role.RESIDENT, resident.grants.get().area))
    assert [r["description"] for r in listed(client)] == ["5栋门口有垃圾"]
    client.logout()
    assert [r["description"] for r in listed(client)] == ["5栋门口有垃圾"]


def test_staff_see_the_cases_of_their_grants_in_full(client, tree, resident, user_with):
    case = case_report(actor=resident, report=report(code="dispute-neighbour"))
    grid = core_services.api_token_create(
        actor=user_with(Role.GRID_WORKER, tree.grid_a1a), name="对接"
    )[1]
    elsewhere = core_services.api_token_create(
        actor=user_with(Role.GRID_WORKER, tree.grid_b1a), name="对接"
    )[1]
    assert [r["service_request_id"] for r in listed(client, api_key=grid)] == [case.number]
    assert listed(client, api_key=elsewhere) == []


def test_a_bad_key_on_a_read_is_refused_not_read_as_anonymous(client):
    response = client.get(f"{BASE}/requests.json", {"api_key": "sqt_bad_key"})
    assert response.status_code == 403
    assert "api_key" in response.json()[0]["description"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"description": "堵" * 100_000}, "问题描述最多 2000 字"),
        ({"phone": "<script>alert(1)</script>"}, "电话号码格式错误"),
    ],
)
def test_open311_refuses_what_the_api_refuses(client, tree, district_admin, fields, message):
    key = core_services.api_token_create(actor=district_admin, name="对接")[1]
    data = {
        "api_key": key,
        "service_code": "city-garbage",
        "lat": 26.505,
        "long": 101.705,
        "description": "垃圾满了",
    } | fields
    response = client.post(f"{BASE}/requests.json", data)
    assert response.status_code == 400
    assert message in response.json()[0]["description"]
    assert not Case.objects.exists()


def test_a_resident_gets_no_api_token(resident):
    with pytest.raises(PermissionDeniedError, match="只发给工作人员"):
        core_services.api_token_create(actor=resident, name="手机")
