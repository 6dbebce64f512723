"""/api/v1/cases/…: intake with idempotency, scoping, the state machine over JSON, masking and
the audited reveal, the error shape."""

from __future__ import annotations

import pytest

from shequtong.cases.models import Case, Summons
from shequtong.core import services as core_services
from shequtong.core.choices import Role
from shequtong.core.models import AuditEntry, RoleGrant
from tests.core.factories import DepartmentFactory, UserFactory
from tests.core.test_api import assert_error, bearer

from .factories import IN_A1A, IN_B1A

pytestmark = pytest.mark.django_db

API = "/api/v1/cases"


def token(user) -> dict[str, str]:
    _, plaintext = core_services.api_token_create(actor=user, name="测试")
    return bearer(plaintext)


def post(client, headers, body, **extra):
    return client.post(API, body, content_type="application/json", **headers, **extra)


BODY = {
    "category": "hazard-fire-escape",
    "description": "楼道堆物堵塞消防通道",
    "lon": IN_A1A[0],
    "lat": IN_A1A[1],
    "source": "patrol",
    "reporter_phone": "13812345678",
    "attributes": {"grade": "major"},
}


def test_categories_list_leaves_with_their_questions(client, grid_worker):
    found = client.get(f"{API}/categories", **token(grid_worker)).json()
    codes = {c["code"]: c for c in found}
    assert "hazard" not in codes and "hazard-fire-escape" in codes
    grade = codes["hazard-fire-escape"]["attributes"][0]
    assert grade["code"] == "grade" and {v["key"] for v in grade["values"]} == {"general", "major"}


def test_a_patrol_report_with_a_retry_makes_one_case(client, tree, grid_worker):
    headers = token(grid_worker)
    first = post(client, headers, BODY, HTTP_IDEMPOTENCY_KEY="abc")
    again = post(client, headers, BODY, HTTP_IDEMPOTENCY_KEY="abc")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and Case.objects.count() == 1
    body = first.json()
    assert body["area_name"] == tree.grid_a1a.name and body["attributes"] == {"grade": "major"}
    assert (
        body["reporter_phone_masked"] == "138****5678"
        and "13812345678" not in first.content.decode()
    )
    assert body["possible_duplicates"] == []
    detail = client.get(f"{API}/{body['id']}", **headers).json()
    assert {a["name"] for a in detail["actions"]} == {"start", "return"}
    assert detail["steps"][0]["action"] == "report"


def test_bad_input_gets_the_error_shape(client, tree, grid_worker):
    headers = token(grid_worker)
    assert_error(post(client, headers, BODY | {"category": "nope"}), 400, "invalid")
    wrong = assert_error(
        post(client, headers, BODY | {"attributes": {"grade": "x"}}), 400, "invalid"
    )
    assert "attribute[grade]" in wrong["fields"]
    assert_error(post(client, headers, BODY | {"lon": 116.4, "lat": 39.9}), 400, "outside")
    assert_error(
        post(client, headers, BODY | {"lon": IN_B1A[0], "lat": IN_B1A[1]}), 403, "forbidden"
    )
    assert_error(post(client, headers, BODY | {"lat": 123}), 400, "invalid")
    assert Case.objects.count() == 0


def test_the_walk_over_json_and_scoping(client, tree, grid_worker, user_with):
    created = post(client, token(grid_worker), BODY).json()
    url = f"{API}/{created['id']}"
    stranger = token(user_with(Role.GRID_WORKER, tree.grid_b1a))
    assert_error(client.get(url, **stranger), 404, "not_found")
    assert created["id"] not in [c["id"] for c in client.get(API, **stranger).json()["items"]]

    moved = client.post(
        f"{url}/actions", {"action": "start"}, content_type="application/json", **token(grid_worker)
    )
    assert moved.json()["status"] == "in_progress"
    refused = client.post(
        f"{url}/actions", {"action": "close"}, content_type="application/json", **token(grid_worker)
    )
    assert_error(refused, 400, "invalid_transition")

    fire = DepartmentFactory(area=tree.sub_a, name="消防救援站")
    street = token(user_with(Role.SUBDISTRICT_ADMIN, tree.sub_a))
    summoned = client.post(
        f"{url}/actions",
        {"action": "summon", "note": "吹哨", "lead_department_id": fire.pk},
        content_type="application/json",
        **street,
    ).json()
    assert (
        summoned["handler_level"] == "department"
        and summoned["summonses"][0]["status"] == "pending"
    )

    handler = UserFactory()
    RoleGrant.objects.create(
        user=handler, role=Role.DEPARTMENT_HANDLER, area=tree.sub_a, department=fire
    )
    summons = Summons.objects.get()
    answered = client.post(
        f"{API}/summons/{summons.pk}/answer",
        {"accept": True},
        content_type="application/json",
        **token(handler),
    ).json()
    assert answered["status"] == "in_progress"


def test_reveal_is_for_offices_and_audited(client, tree, grid_worker, user_with):
    created = post(client, token(grid_worker), BODY).json()
    url = f"{API}/{created['id']}/reveal/reporter_phone"
    assert_error(client.post(url, **token(grid_worker)), 403, "forbidden")
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    shown = client.post(url, **token(staff))
    assert shown.json() == {"field": "reporter_phone", "value": "13812345678"}
    assert AuditEntry.objects.filter(action="pii.reveal", actor=staff).exists()


def test_list_filters(client, tree, grid_worker):
    headers = token(grid_worker)
    post(client, headers, BODY)
    post(
        client,
        headers,
        BODY | {"category": "city-garbage", "description": "垃圾满溢", "attributes": {}},
    )
    assert client.get(f"{API}?category=hazard", **headers).json()["count"] == 1
    assert client.get(f"{API}?q=垃圾", **headers).json()["count"] == 1
    assert client.get(f"{API}?status=open", **headers).json()["count"] == 2
    assert client.get(f"{API}?status=closed", **headers).json()["count"] == 0


def test_a_report_without_category_is_classified_or_refused(client, tree, grid_worker):
    headers = token(grid_worker)
    body = {k: v for k, v in BODY.items() if k not in ("category", "attributes")}
    filed = post(client, headers, body | {"description": "井盖缺失，晚上很危险"})
    assert filed.status_code == 201 and filed.json()["category"] == "city-manhole"
    refused = assert_error(post(client, headers, body | {"description": "你好"}), 400, "invalid")
    assert "无法自动确定类别" in refused["fields"]["category"][0]
