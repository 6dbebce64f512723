"""/api/v1/registry/…: scoping on every endpoint, masking, the audited reveal, validation in
the one error shape, search, the person's lifecycle, places, assets and statistics."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from shequtong.core import services as core_services
from shequtong.core.choices import AreaLevel, Role
from shequtong.core.models import AuditEntry
from shequtong.registry import services
from shequtong.registry.importing.persons import PersonImport
from shequtong.registry.models import (
    Building,
    Dwelling,
    Estate,
    Facility,
    Household,
    Organization,
    Person,
    PersonTag,
    Vehicle,
)
from shequtong.registry.services import assets
from tests.core.test_api import assert_error, bearer

from .factories import HEADER, credit_code, id_number, person_row, write_csv

pytestmark = pytest.mark.django_db

API = "/api/v1/registry"
GRID_OF_BUILDING = {"1栋": "甲一第一网格", "2栋": "甲一第二网格", "3栋": "甲一第一网格"}


def _rows(numbers, *, estate: str, grid: str | None = None) -> list[list]:
    rows = []
    for n in numbers:
        row = person_row(n, 小区=estate)
        rows.append([*row, grid or GRID_OF_BUILDING[row[HEADER.index("楼栋")]]])
    return rows


@pytest.fixture
def world(tree, tmp_path):
    """甲一社区: twelve people in three buildings over grids A1a and A1b; 乙一社区: four people.
    A vehicle, an organization and a facility in grids A1a, A1b and B1a."""
    header = [*HEADER, "网格"]
    PersonImport(community=tree.comm_a1, actor=None).run(
        write_csv(tmp_path / "a1.csv", _rows(range(12), estate="杨家坪小区"), header=header)
    )
    PersonImport(community=tree.comm_b1, actor=None).run(
        write_csv(
            tmp_path / "b1.csv",
            _rows(range(100, 104), estate="乙小区", grid="乙一第一网格"),
            header=header,
        )
    )
    for i, grid in enumerate((tree.grid_a1a, tree.grid_a1b, tree.grid_b1a)):
        owner = Person.objects.filter(area=grid).order_by("pk").first()
        assets.vehicle_create(
            actor=None, data=assets.VehicleData(plate=f"川A1234{i}", area=grid, owner=owner)
        )
        assets.organization_create(
            actor=None,
            data=assets.OrganizationData(
                name=f"单位{i}",
                kind="unit",
                credit_code=credit_code(i),
                area=grid,
                contact_phone=f"1390000000{i}",
            ),
        )
        assets.facility_create(
            actor=None, data=assets.FacilityData(name=f"AED {i}", kind="aed", area=grid)
        )
    return tree


@pytest.fixture
def staff(tree, user_with):
    return user_with(Role.COMMUNITY_STAFF, tree.comm_a1)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def post(client, url: str, body: dict | None = None, **extra):
    return client.post(url, json.dumps(body or {}), content_type="application/json", **extra)


def patch(client, url: str, body: dict, **extra):
    return client.patch(url, json.dumps(body), content_type="application/json", **extra)


def items(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["items"]


def person(name: str) -> Person:
    return Person.objects.get(name=name)


# --- scoping --------------------------------------------------------------------------------

LISTS = {
    "persons": Person,
    "estates": Estate,
    "buildings": Building,
    "dwellings": Dwelling,
    "households": Household,
    "vehicles": Vehicle,
    "organizations": Organization,
    "facilities": Facility,
}


def _foreign(area) -> dict[str, int]:
    """One row of each kind in `area`."""
    rows = {
        "person": Person.objects.filter(area=area).first(),
        "building": Building.objects.filter(area=area).first(),
        "dwelling": Dwelling.objects.filter(area=area).first(),
        "household": Household.objects.filter(area=area).first(),
        "vehicle": Vehicle.objects.filter(area=area).first(),
        "organization": Organization.objects.filter(area=area).first(),
        "facility": Facility.objects.filter(area=area).first(),
    }
    assert all(rows.values()), rows
    return {kind: row.pk for kind, row in rows.items()}


def _reads(ids: dict[str, int]) -> list[str]:
    return [
        f"{API}/persons/{ids['person']}",
        f"{API}/persons/{ids['person']}/timeline",
        f"{API}/buildings/{ids['building']}",
        f"{API}/buildings/{ids['building']}/map",
        f"{API}/dwellings/{ids['dwelling']}",
        f"{API}/households/{ids['household']}",
        f"{API}/vehicles/{ids['vehicle']}",
        f"{API}/organizations/{ids['organization']}",
        f"{API}/facilities/{ids['facility']}",
        f"{API}/dwellings?building_id={ids['building']}",
        f"{API}/households?dwelling_id={ids['dwelling']}",
    ]


def _writes(ids: dict[str, int]) -> list[tuple[str, str, dict]]:
    today = timezone.localdate().isoformat()
    return [
        ("patch", f"{API}/persons/{ids['person']}", {"occupation": "越权"}),
        ("post", f"{API}/persons/{ids['person']}/move-out", {"on": today}),
        ("post", f"{API}/persons/{ids['person']}/decease", {"on": today}),
        ("post", f"{API}/persons/{ids['person']}/reveal/id_number", {}),
        ("patch", f"{API}/buildings/{ids['building']}", {"floors": 30}),
        ("patch", f"{API}/dwellings/{ids['dwelling']}", {"usage": "rented"}),
        ("patch", f"{API}/households/{ids['household']}", {"head_id": ids["person"]}),
        ("patch", f"{API}/vehicles/{ids['vehicle']}", {"note": "越权"}),
        ("patch", f"{API}/organizations/{ids['organization']}", {"address": "越权"}),
        ("post", f"{API}/organizations/{ids['organization']}/reveal/contact_phone", {}),
        ("patch", f"{API}/facilities/{ids['facility']}", {"address": "越权"}),
    ]


def _assert_untouched(client, viewer_role: str, world, area, foreign_area, user_with) -> None:
    """A viewer granted at `area` neither lists, reads nor changes `foreign_area`'s rows."""
    viewer = user_with(viewer_role, area)
    client.force_login(viewer)
    in_scope = {a.pk for a in area.descendants(include_self=True)}
    for kind, model in LISTS.items():
        listed = items(client.get(f"{API}/{kind}", {"page_size": 100}))
        mine = set(model.objects.filter(area_id__in=in_scope).values_list("pk", flat=True))
        # Estates are filed at their community: a grid holds none of its own.
        estates_at_grid = kind == "estates" and area.level == AreaLevel.GRID
        assert mine or estates_at_grid, f"no {kind} in scope: the list would prove nothing"
        assert {row["id"] for row in listed} == mine, kind
    ids = _foreign(foreign_area)
    for url in _reads(ids):
        assert_error(client.get(url), 404, "not_found")
    audit_before = AuditEntry.objects.count()
    updated_before = {
        model: list(model.objects.order_by("pk").values_list("updated_at", flat=True))
        for model in (Person, Building, Dwelling, Household, Vehicle, Organization, Facility)
    }
    for method, url, body in _writes(ids):
        response = (post if method == "post" else patch)(client, url, body)
        assert_error(response, 404, "not_found")
    assert AuditEntry.objects.count() == audit_before
    for model, stamps in updated_before.items():
        assert list(model.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps


def test_community_staff_never_reach_another_community(client, world, user_with):
    _assert_untouched(client, Role.COMMUNITY_STAFF, world, world.comm_a1, world.grid_b1a, user_with)
    # …and the other way round.
    _assert_untouched(client, Role.COMMUNITY_STAFF, world, world.comm_b1, world.grid_a1a, user_with)


def test_grid_worker_never_reaches_the_next_grid(client, world, user_with):
    _assert_untouched(client, Role.GRID_WORKER, world, world.grid_a1a, world.grid_a1b, user_with)


def test_lists_show_what_is_in_scope(client, world, user_with):
    client.force_login(user_with(Role.GRID_WORKER, world.grid_a1a))
    people = items(client.get(f"{API}/persons", {"page_size": 100}))
    assert {p["id"] for p in people} == set(
        Person.objects.filter(area=world.grid_a1a).values_list("pk", flat=True)
    )
    assert len(people) == 8  # buildings 1 and 3
    assert [v["plate"] for v in items(client.get(f"{API}/vehicles"))] == ["川A12340"]
    # Estates are filed under the community: a grid worker sees none.
    assert items(client.get(f"{API}/estates")) == []


def test_estate_of_another_community_is_404(client, world, user_with):
    client.force_login(user_with(Role.COMMUNITY_STAFF, world.comm_a1))
    other = Estate.objects.get(name="乙小区")
    assert_error(client.get(f"{API}/estates/{other.pk}"), 404, "not_found")
    assert_error(patch(client, f"{API}/estates/{other.pk}", {"address": "x"}), 404, "not_found")
    assert Estate.objects.get(pk=other.pk).address == ""


def test_area_filter_outside_the_scope_is_404(staff_client, world):
    for kind in LISTS:
        response = staff_client.get(f"{API}/{kind}", {"area_id": world.grid_b1a.pk})
        assert_error(response, 404, "not_found")
    assert_error(staff_client.get(f"{API}/stats", {"area_id": world.comm_b1.pk}), 404, "not_found")


def test_area_filter_narrows_the_list(staff_client, world):
    people = items(staff_client.get(f"{API}/persons", {"area_id": world.grid_a1b.pk}))
    assert {p["area_id"] for p in people} == {world.grid_a1b.pk}
    assert len(people) == 4  # building 2


def test_body_references_outside_the_scope_are_400_on_the_field(staff_client, world):
    foreign = _foreign(world.grid_b1a)
    response = post(
        staff_client,
        f"{API}/persons",
        {"name": "越界", "id_number": id_number(500), "dwelling_id": foreign["dwelling"]},
    )
    body = assert_error(response, 400, "invalid")
    assert body["fields"] == {"dwelling_id": ["不存在或不在您的管辖范围内"]}
    response = post(
        staff_client, f"{API}/vehicles", {"plate": "川B55555", "owner_id": foreign["person"]}
    )
    assert list(assert_error(response, 400, "invalid")["fields"]) == ["owner_id"]
    own = Vehicle.objects.get(plate="川A12340")
    response = patch(staff_client, f"{API}/vehicles/{own.pk}", {"area_id": world.grid_b1a.pk})
    assert list(assert_error(response, 400, "invalid")["fields"]) == ["area_id"]
    assert Vehicle.objects.get(pk=own.pk).area_id == world.grid_a1a.pk
    assert not Person.objects.filter(name="越界").exists()


def test_a_role_without_change_is_refused_with_403(client, world, user_with):
    """An auditor may read the area and count the people, but registers nothing."""
    client.force_login(user_with(Role.AUDITOR, world.sub_a))
    response = post(client, f"{API}/vehicles", {"plate": "川B55555", "area_id": world.grid_a1a.pk})
    assert_error(response, 403, "forbidden")
    response = post(
        client,
        f"{API}/persons",
        {"name": "审计", "id_number": id_number(501), "area_id": world.grid_a1a.pk},
    )
    assert_error(response, 403, "forbidden")
    assert not Vehicle.objects.filter(plate="川B55555").exists()
    # Counts yes, names no: the list is empty, the statistics are not.
    assert items(client.get(f"{API}/persons")) == []
    assert client.get(f"{API}/stats").json()["population"] == 12


def test_a_token_works_like_a_session(client, world, grid_worker):
    _, token = core_services.api_token_create(actor=grid_worker, name="采集终端")
    response = client.get(f"{API}/persons", **bearer(token))
    assert response.json()["count"] == 8
    assert_error(client.get(f"{API}/persons"), 401, "unauthenticated")


# --- masking and reveal ---------------------------------------------------------------------


def _secrets() -> list[str]:
    values = [p.id_number for p in Person.objects.all()] + [p.phone for p in Person.objects.all()]
    values += [o.contact_phone for o in Organization.objects.all()]
    return [v for v in values if v]


def test_no_plaintext_id_or_phone_in_any_response(staff_client, world):
    lily = person("李四")
    services.tag_add(actor=None, person=lily, tag=PersonTag.objects.get(code="living_alone"))
    ids = _foreign(world.grid_a1a)
    estate = Estate.objects.get(name="杨家坪小区")
    urls = [f"{API}/{kind}?page_size=100" for kind in LISTS]
    urls += [*_reads(ids), f"{API}/estates/{estate.pk}", f"{API}/stats"]
    urls += [
        f"{API}/persons/{p.pk}"
        for p in Person.objects.filter(area_path__startswith=world.comm_a1.path)
    ]
    bodies = [staff_client.get(url) for url in urls]
    bodies.append(patch(staff_client, f"{API}/persons/{lily.pk}", {"phone": "139 1234 5678"}))
    bodies.append(
        post(
            staff_client,
            f"{API}/persons",
            {
                "name": "新居民",
                "id_number": id_number(600),
                "phone": "13712345678",
                "area_id": world.grid_a1a.pk,
            },
        )
    )
    secrets = [*_secrets(), "13912345678", "13712345678"]
    for response in bodies:
        assert response.status_code in (200, 201), (response.request, response.content)
        text = response.content.decode()
        for secret in secrets:
            assert secret not in text, (response.request["PATH_INFO"], secret)
    detail = staff_client.get(f"{API}/persons/{lily.pk}").json()
    assert detail["id_number_masked"] == lily.id_number[:3] + "*" * 11 + lily.id_number[-4:]
    assert detail["phone_masked"] == "139****5678"
    org = Organization.objects.get(name="单位0")
    listed = items(staff_client.get(f"{API}/organizations", {"q": "单位0"}))
    assert listed[0]["contact_phone_masked"] == "139****0000"
    assert "contact_phone" not in listed[0] and org.contact_phone == "13900000000"


def test_reveal_returns_the_value_and_is_audited(staff_client, staff, world):
    lily = person("李四")
    response = post(staff_client, f"{API}/persons/{lily.pk}/reveal/id_number")
    assert response.status_code == 200
    assert response.json() == {"field": "id_number", "value": lily.id_number}
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action="pii.reveal", object_id=str(lily.pk))
    assert entry.actor == staff and entry.changes == {"field": [None, "id_number"]}
    phone = post(staff_client, f"{API}/persons/{lily.pk}/reveal/phone").json()
    assert phone["value"] == lily.phone
    org = Organization.objects.get(name="单位0")
    response = post(staff_client, f"{API}/organizations/{org.pk}/reveal/contact_phone")
    assert response.json() == {"field": "contact_phone", "value": "13900000000"}
    assert AuditEntry.objects.filter(
        action="pii.reveal", object_type="registry.organization", object_id=str(org.pk)
    ).exists()


def test_reveal_without_the_grant_is_403_and_leaves_no_value(client, world, grid_worker):
    """A grid worker may read and change the grid's files but not see full numbers."""
    client.force_login(grid_worker)
    zhang = person("张三")
    for field in ("id_number", "phone"):
        response = post(client, f"{API}/persons/{zhang.pk}/reveal/{field}")
        body = assert_error(response, 403, "forbidden")
        assert body["message"] == "查看完整个人信息需要相应授权"
        assert zhang.id_number not in response.content.decode()
    org = Organization.objects.get(name="单位0")
    assert_error(
        post(client, f"{API}/organizations/{org.pk}/reveal/contact_phone"), 403, "forbidden"
    )
    assert not AuditEntry.objects.filter(action="pii.reveal").exists()


def test_reveal_of_a_field_that_is_not_personal_data_is_422(staff_client, world):
    lily = person("李四")
    body = assert_error(post(staff_client, f"{API}/persons/{lily.pk}/reveal/name"), 422, "invalid")
    assert list(body["fields"]) == ["field"]
    assert not AuditEntry.objects.filter(action="pii.reveal").exists()


# --- search ---------------------------------------------------------------------------------


def _names(response) -> set[str]:
    return {p["name"] for p in items(response)}


def test_pinyin_initials_last_four_address_and_plate_search(staff_client, world):
    assert "张三" in _names(staff_client.get(f"{API}/persons", {"q": "zs"}))
    assert "李四" not in _names(staff_client.get(f"{API}/persons", {"q": "zs"}))
    assert _names(staff_client.get(f"{API}/persons", {"q": "lisi"})) == {"李四"}
    assert _names(staff_client.get(f"{API}/persons", {"q": id_number(3)[-4:]})) == {"赵六"}
    assert _names(staff_client.get(f"{API}/persons", {"q": "13800000004"})) == {"孙七"}
    by_address = _names(staff_client.get(f"{API}/persons", {"q": "杨家坪小区 2栋"}))
    assert by_address == {
        p.name
        for p in Person.objects.filter(
            dwelling__building__estate__name="杨家坪小区", dwelling__building__number="2栋"
        )
    }
    # The plate of 张三's car (set up in grid A1a) finds its owner.
    owner = Vehicle.objects.get(plate="川A12340").owner
    assert _names(staff_client.get(f"{API}/persons", {"q": "川A12340"})) == {owner.name}


def test_search_does_not_cross_the_scope(client, world, user_with):
    client.force_login(user_with(Role.COMMUNITY_STAFF, world.comm_b1))
    assert _names(client.get(f"{API}/persons", {"q": "zs"})) == set()
    assert _names(client.get(f"{API}/persons", {"q": "川A12340"})) == set()


def test_tag_filter(staff_client, world):
    lily = person("李四")
    services.tag_add(actor=None, person=lily, tag=PersonTag.objects.get(code="living_alone"))
    services.tag_add(
        actor=None, person=person("王五"), tag=PersonTag.objects.get(code="community_correction")
    )
    assert _names(staff_client.get(f"{API}/persons", {"tag": "living_alone"})) == {"李四"}
    # A sensitive tag needs the reveal grant on assignments: community staff lack it.
    assert _names(staff_client.get(f"{API}/persons", {"tag": "community_correction"})) == set()


# --- persons: create, update, timeline, move out --------------------------------------------


def test_create_then_it_appears_in_the_list(staff_client, staff, world):
    dwelling = Dwelling.objects.filter(area=world.grid_a1a).first()
    response = post(
        staff_client,
        f"{API}/persons",
        {
            "name": "欧阳娜娜",
            "id_number": id_number(700, female=True),
            "phone": "+86 137-1234-5678",
            "ethnicity": "01",
            "relationship": "30",
            "education": "20",
            "political_status": "13",
            "occupation": "教师",
            "tags": ["party_member"],
            "dwelling_id": dwelling.pk,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["gender"] == "female" and body["birth_date"] == "1950-01-02"
    assert body["dwelling"]["id"] == dwelling.pk and body["area_id"] == world.grid_a1a.pk
    assert body["phone_masked"] == "137****5678"
    assert [t["code"] for t in body["tags"]] == ["party_member"]
    created = Person.objects.get(pk=body["id"])
    assert created.phone == "13712345678"
    assert _names(staff_client.get(f"{API}/persons", {"q": "oyn"})) == {"欧阳娜娜"}
    assert AuditEntry.objects.filter(action="person.create", object_id=str(created.pk)).exists()
    assert AuditEntry.objects.get(action="person.create", object_id=str(created.pk)).actor == staff


def test_grid_worker_creates_in_their_grid(client, world, grid_worker):
    client.force_login(grid_worker)
    response = post(
        client,
        f"{API}/persons",
        {
            "name": "流动人员",
            "id_number": id_number(701),
            "residency": "floating",
            "area_id": world.grid_a1a.pk,
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["dwelling"] is None
    assert Person.objects.get(name="流动人员").area == world.grid_a1a


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"id_number": "check"}, "id_number", "身份证号校验位错误，请核对最后一位"),
        ({"id_number": "11010519490230001X"}, "id_number", "身份证号中的出生日期不存在"),
        ({"id_number": "1101051950"}, "id_number", "身份证号应为 18 位"),
        ({"phone": "12345"}, "phone", "电话号码格式错误：应为 11 位手机号或带区号的固定电话"),
        ({"name": "  "}, "name", "必填"),
        ({"tags": ["no_such_tag"]}, "tags", "未知的人群标签：no_such_tag"),
        ({"area_id": None}, "dwelling_id", "请指定现住房屋（dwelling_id）或所属网格（area_id）"),
    ],
)
def test_create_validation_in_the_error_shape(staff_client, world, changes, field, message):
    good = id_number(702)
    bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    body = {"name": "校验", "id_number": good, "area_id": world.grid_a1a.pk}
    body.update({k: (bad_check if v == "check" else v) for k, v in changes.items()})
    response = post(staff_client, f"{API}/persons", body)
    error = assert_error(response, 400, "invalid")
    assert error["fields"] == {field: [message]}
    assert error["message"] == message
    assert not Person.objects.filter(name__in=["校验", "  "]).exists()


def test_create_with_an_id_already_on_file_is_a_duplicate(staff_client, world):
    response = post(
        staff_client,
        f"{API}/persons",
        {"name": "重复", "id_number": person("李四").id_number, "area_id": world.grid_a1a.pk},
    )
    body = assert_error(response, 400, "duplicate")
    assert body["fields"] == {"id_number": ["已建档"]}


def test_create_with_an_unknown_code_is_422(staff_client, world):
    response = post(
        staff_client,
        f"{API}/persons",
        {
            "name": "代码",
            "id_number": id_number(703),
            "ethnicity": "99",
            "area_id": world.grid_a1a.pk,
        },
    )
    body = assert_error(response, 422, "invalid")
    [(field, messages)] = body["fields"].items()
    assert field.endswith("ethnicity") and messages[0].startswith("须为以下之一")


def test_update_merges_and_writes_the_timeline(staff_client, staff, world):
    lily = person("李四")
    before = lily.phone
    response = patch(
        staff_client,
        f"{API}/persons/{lily.pk}",
        {"occupation": "退休", "phone": "13912345678", "tags": ["veteran"]},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["occupation"] == "退休" and body["name"] == "李四"
    assert [t["code"] for t in body["tags"]] == ["veteran"]
    lily.refresh_from_db()
    assert lily.phone == "13912345678" and lily.hukou_address == "" and lily.name == "李四"
    timeline = items(staff_client.get(f"{API}/persons/{lily.pk}/timeline"))
    kinds = {e["kind"]: e for e in timeline}
    assert kinds["updated"]["summary"] == "变更：职业"
    assert kinds["updated"]["changes"] == {"occupation": ["", "退休"]}
    assert kinds["updated"]["actor_name"] == staff.display_name
    assert kinds["phone_changed"]["changes"] == {
        "phone": [f"{before[:3]}****{before[-4:]}", "139****5678"]
    }
    assert kinds["tag_added"]["summary"] == "添加标签：退役军人"
    assert "13912345678" not in json.dumps(timeline)
    entry = AuditEntry.objects.get(action="person.update", object_id=str(lily.pk))
    assert entry.changes["occupation"] == ["", "退休"]


def test_update_moves_to_another_dwelling(staff_client, world):
    lily = person("李四")
    target = Dwelling.objects.filter(area=world.grid_a1a).exclude(pk=lily.dwelling_id).first()
    response = patch(staff_client, f"{API}/persons/{lily.pk}", {"dwelling_id": target.pk})
    assert response.json()["dwelling"]["id"] == target.pk
    assert response.json()["area_id"] == world.grid_a1a.pk
    timeline = items(staff_client.get(f"{API}/persons/{lily.pk}/timeline"))
    assert timeline[0]["kind"] == "moved_in" and str(target) in timeline[0]["summary"]


def test_update_validates_only_what_is_sent(staff_client, world):
    lily = person("李四")
    body = assert_error(
        patch(staff_client, f"{API}/persons/{lily.pk}", {"phone": "abc"}), 400, "invalid"
    )
    assert list(body["fields"]) == ["phone"]
    body = assert_error(
        patch(staff_client, f"{API}/persons/{lily.pk}", {"name": None}), 400, "invalid"
    )
    assert body["fields"] == {"name": ["必填"]}
    lily.refresh_from_db()
    assert lily.name == "李四" and lily.phone.startswith("138")
    # The ID number is not editable through the API.
    patch(staff_client, f"{API}/persons/{lily.pk}", {"id_number": id_number(900)})
    lily.refresh_from_db()
    assert lily.id_number != id_number(900)


def test_an_unchanged_update_writes_no_timeline(staff_client, world):
    lily = person("李四")
    count = lily.events.count()
    response = patch(staff_client, f"{API}/persons/{lily.pk}", {"name": "李四"})
    assert response.status_code == 200
    assert lily.events.count() == count
    assert not AuditEntry.objects.filter(action="person.update").exists()


def test_move_out_keeps_the_file(staff_client, world):
    lily = person("李四")
    day = (timezone.localdate() - timedelta(days=3)).isoformat()
    response = post(
        staff_client, f"{API}/persons/{lily.pk}/move-out", {"on": day, "note": "随子女迁居"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "moved_out" and response.json()["moved_out_on"] == day
    # Still readable, no longer among the active residents.
    assert staff_client.get(f"{API}/persons/{lily.pk}").json()["status"] == "moved_out"
    assert "李四" not in _names(staff_client.get(f"{API}/persons", {"q": "lisi"}))
    included = staff_client.get(f"{API}/persons", {"q": "lisi", "include_inactive": True})
    assert _names(included) == {"李四"}
    moved = items(staff_client.get(f"{API}/persons", {"status": "moved_out"}))
    assert [p["id"] for p in moved] == [lily.pk]
    timeline = items(staff_client.get(f"{API}/persons/{lily.pk}/timeline"))
    # Ordered by the date things happened: the move three days ago comes after today's import.
    moved_out = next(e for e in timeline if e["kind"] == "moved_out")
    assert moved_out["on"] == day and moved_out["summary"] == "迁出：随子女迁居"
    assert Person.objects.filter(pk=lily.pk).exists()
    # Once moved out, neither moving out again nor death can be recorded over it.
    body = assert_error(
        post(staff_client, f"{API}/persons/{lily.pk}/decease", {"on": day}), 400, "invalid"
    )
    assert "已迁出" in body["message"]


def test_decease_in_the_future_is_refused(staff_client, world):
    wang = person("王五")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    body = assert_error(
        post(staff_client, f"{API}/persons/{wang.pk}/decease", {"on": tomorrow}), 400, "invalid"
    )
    assert body["fields"] == {"on": ["不能晚于今天"]}
    today = timezone.localdate().isoformat()
    response = post(staff_client, f"{API}/persons/{wang.pk}/decease", {"on": today})
    assert response.json()["status"] == "deceased"


def test_person_detail_has_household_tags_dwelling_and_vehicles(client, world, user_with):
    zhang = person("张三")
    services.tag_add(
        actor=None, person=zhang, tag=PersonTag.objects.get(code="community_correction")
    )
    services.tag_add(actor=None, person=zhang, tag=PersonTag.objects.get(code="living_alone"))
    client.force_login(user_with(Role.COMMUNITY_STAFF, world.comm_a1))
    body = client.get(f"{API}/persons/{zhang.pk}").json()
    assert set(body["household_member_ids"]) == set(
        Person.objects.filter(household=zhang.household_id).values_list("pk", flat=True)
    )
    assert zhang.pk in body["household_member_ids"]
    assert [t["name"] for t in body["tags"]] == ["独居老人"]  # the sensitive one is hidden
    assert body["dwelling"]["address"] == str(zhang.dwelling)
    assert body["vehicles"] == [
        {"id": v.pk, "plate": v.plate, "kind": v.kind} for v in zhang.vehicles.all()
    ]
    client.force_login(user_with(Role.SUBDISTRICT_ADMIN, world.sub_a))
    names = {t["name"] for t in client.get(f"{API}/persons/{zhang.pk}").json()["tags"]}
    assert names == {"独居老人", "社区矫正"}


# --- places ---------------------------------------------------------------------------------


def test_estate_create_update_and_duplicates(staff_client, world):
    response = post(
        staff_client,
        f"{API}/estates",
        {"name": "滨江花园", "area_id": world.comm_a1.pk, "year_built": 2008},
    )
    assert response.status_code == 201, response.content
    estate = response.json()
    assert estate["building_count"] == 0 and estate["boundary"] is None
    again = post(staff_client, f"{API}/estates", {"name": "滨江花园", "area_id": world.comm_a1.pk})
    assert assert_error(again, 400, "duplicate")["fields"] == {"name": ["本社区已有小区“滨江花园”"]}
    at_grid = post(
        staff_client, f"{API}/estates", {"name": "网格小区", "area_id": world.grid_a1a.pk}
    )
    assert assert_error(at_grid, 400, "invalid")["fields"] == {
        "area_id": ["小区须登记在社区/村一级"]
    }
    response = patch(
        staff_client, f"{API}/estates/{estate['id']}", {"property_company": "滨江物业"}
    )
    assert response.json()["property_company"] == "滨江物业"
    assert response.json()["year_built"] == 2008
    listed = items(staff_client.get(f"{API}/estates", {"q": "滨江"}))
    assert [e["id"] for e in listed] == [estate["id"]]
    entry = AuditEntry.objects.get(action="estate.update")
    assert entry.changes == {"property_company": ["", "滨江物业"]}


def test_building_create_map_and_limits(staff_client, world):
    estate = Estate.objects.get(name="杨家坪小区")
    response = post(
        staff_client,
        f"{API}/buildings",
        {
            "estate_id": estate.pk,
            "number": "9栋",
            "area_id": world.grid_a1b.pk,
            "units": 2,
            "floors": 3,
            "dwellings_per_floor": 2,
            "lon": 101.71,
            "lat": 26.5,
        },
    )
    assert response.status_code == 201, response.content
    building = response.json()
    assert building["area_id"] == world.grid_a1b.pk and building["dwelling_count"] == 0
    outside = post(
        staff_client,
        f"{API}/buildings",
        {"estate_id": estate.pk, "number": "10栋", "area_id": world.comm_a2.pk},
    )
    # 甲二社区 is outside the staff's scope altogether: the id is refused like an unknown one.
    assert list(assert_error(outside, 400, "invalid")["fields"]) == ["area_id"]
    half = post(
        staff_client, f"{API}/buildings", {"estate_id": estate.pk, "number": "11栋", "lon": 1}
    )
    assert assert_error(half, 400, "invalid")["fields"] == {"lat": ["经度和纬度须同时填写"]}

    dwelling = post(
        staff_client,
        f"{API}/dwellings",
        {"building_id": building["id"], "unit": 2, "number": "301", "floor_area": "89.5"},
    ).json()
    assert dwelling["floor"] == 3 and dwelling["floor_area"] == 89.5
    plan = staff_client.get(f"{API}/buildings/{building['id']}/map").json()
    assert plan["units"] == [1, 2] and [f["floor"] for f in plan["floors"]] == [3, 2, 1]
    top = plan["floors"][0]["doors"]
    assert len(top) == 4  # two units × two doors
    assert [d["dwelling_id"] for d in top if d["dwelling_id"]] == [dwelling["id"]]
    shrink = patch(staff_client, f"{API}/buildings/{building['id']}", {"floors": 2})
    assert assert_error(shrink, 400, "invalid")["fields"] == {"floors": ["已有房屋位于第 3 层"]}
    taller = patch(staff_client, f"{API}/buildings/{building['id']}", {"floors": 18})
    assert taller.json()["floors"] == 18


def test_building_map_counts_residents_and_visible_tags(staff_client, world):
    zhang = person("张三")
    services.tag_add(actor=None, person=zhang, tag=PersonTag.objects.get(code="living_alone"))
    services.tag_add(
        actor=None, person=zhang, tag=PersonTag.objects.get(code="severe_mental_disorder")
    )
    plan = staff_client.get(f"{API}/buildings/{zhang.dwelling.building_id}/map").json()
    doors = [d for floor in plan["floors"] for d in floor["doors"]]
    door = next(d for d in doors if d["dwelling_id"] == zhang.dwelling_id)
    assert door["residents"] == Person.objects.filter(dwelling=zhang.dwelling).count()
    assert door["tags"] == ["独居老人"]
    assert (
        plan["residents"]
        == Person.objects.filter(dwelling__building=zhang.dwelling.building).count()
    )
    assert "张三" not in json.dumps(plan, ensure_ascii=False)


def test_building_map_aligns_doors_by_floor_and_position(staff_client, world):
    """In 3单元 1203 once sat a column away from 1202 and 1503: doors line up by the two digits
    after the floor, plates without them take the columns after."""
    estate = Estate.objects.first()
    building = post(
        staff_client,
        f"{API}/buildings",
        {"estate_id": estate.pk, "number": "对齐楼", "units": 3, "floors": 15},
    ).json()
    for number, floor in [("1503", 15), ("1202", 12), ("1203", 12), ("1101", 11), ("商铺1", 1)]:
        made = post(
            staff_client,
            f"{API}/dwellings",
            {"building_id": building["id"], "unit": 3, "number": number, "floor": floor},
        )
        assert made.status_code == 201, made.content
    plan = staff_client.get(f"{API}/buildings/{building['id']}/map").json()
    unit3 = {
        f["floor"]: [d["number"] for d in f["doors"] if d["unit"] == 3] for f in plan["floors"]
    }
    # Positions 01, 02, 03, then one column for the plate without a position.
    assert unit3[15] == [None, None, "1503", None]
    assert unit3[12] == [None, "1202", "1203", None]
    assert unit3[11] == ["1101", None, None, None]
    assert unit3[1] == [None, None, None, "商铺1"]
    door = next(d for f in plan["floors"] for d in f["doors"] if d["number"] == "1203")
    assert door["position"] == 3


def test_dwellings_list_detail_update_and_duplicates(staff_client, world):
    zhang = person("张三")
    dwelling = zhang.dwelling
    listed = items(staff_client.get(f"{API}/dwellings", {"building_id": dwelling.building_id}))
    assert {d["id"] for d in listed} == set(
        Dwelling.objects.filter(building=dwelling.building).values_list("pk", flat=True)
    )
    detail = staff_client.get(f"{API}/dwellings/{dwelling.pk}").json()
    assert detail["address"] == str(dwelling)  # the door's address, not the wrapper's repr
    assert zhang.pk in detail["resident_ids"] and detail["resident_count"] == len(
        detail["resident_ids"]
    )
    assert detail["household_ids"] == [zhang.household_id]
    duplicate = post(
        staff_client,
        f"{API}/dwellings",
        {"building_id": dwelling.building_id, "unit": dwelling.unit, "number": dwelling.number},
    )
    assert list(assert_error(duplicate, 400, "duplicate")["fields"]) == ["number"]
    rented = patch(staff_client, f"{API}/dwellings/{dwelling.pk}", {"usage": "rented"})
    assert rented.json()["usage"] == "rented"
    beyond = patch(staff_client, f"{API}/dwellings/{dwelling.pk}", {"unit": 5})
    assert list(assert_error(beyond, 400, "invalid")["fields"]) == ["unit"]
    required = patch(staff_client, f"{API}/dwellings/{dwelling.pk}", {"usage": None})
    assert assert_error(required, 400, "invalid")["fields"] == {"usage": ["不能为空"]}


def test_households_create_and_change_head(staff_client, world):
    zhang = person("张三")
    dwelling = zhang.dwelling
    response = post(staff_client, f"{API}/households", {"dwelling_id": dwelling.pk})
    assert response.status_code == 201, response.content
    household = response.json()
    assert household["head_id"] is None and household["member_ids"] == []
    changed = patch(staff_client, f"{API}/households/{household['id']}", {"head_id": zhang.pk})
    assert changed.status_code == 200, changed.content
    assert changed.json()["head_id"] == zhang.pk and changed.json()["member_ids"] == [zhang.pk]
    zhang.refresh_from_db()
    assert zhang.household_id == household["id"] and zhang.relationship == "02"
    timeline = items(staff_client.get(f"{API}/persons/{zhang.pk}/timeline"))
    assert timeline[0]["summary"].startswith("立为户主")
    elsewhere = Person.objects.filter(area=world.grid_a1a).exclude(dwelling=dwelling).first()
    wrong = patch(staff_client, f"{API}/households/{household['id']}", {"head_id": elsewhere.pk})
    assert assert_error(wrong, 400, "invalid")["fields"] == {
        "head_id": ["户主须是该房屋的在住居民"]
    }
    listed = items(staff_client.get(f"{API}/households", {"dwelling_id": dwelling.pk}))
    assert household["id"] in {h["id"] for h in listed}


# --- vehicles, organizations, facilities ----------------------------------------------------


def test_vehicle_crud(staff_client, staff, world):
    zhang = person("张三")
    response = post(staff_client, f"{API}/vehicles", {"plate": "川ad·12345", "owner_id": zhang.pk})
    assert response.status_code == 201, response.content
    car = response.json()
    assert car["plate"] == "川AD12345" and car["kind"] == "new_energy"
    assert car["area_id"] == zhang.area_id and car["owner_id"] == zhang.pk
    plain = post(
        staff_client, f"{API}/vehicles", {"plate": "川A54321", "area_id": world.grid_a1b.pk}
    )
    assert plain.json()["kind"] == "car" and plain.json()["owner_id"] is None
    bike = post(
        staff_client,
        f"{API}/vehicles",
        {"plate": "川A00001", "kind": "motorcycle", "area_id": world.grid_a1b.pk},
    )
    assert bike.json()["kind"] == "motorcycle"
    assert [v["plate"] for v in items(staff_client.get(f"{API}/vehicles", {"q": "ad123"}))] == [
        "川AD12345"
    ]
    assert staff_client.get(f"{API}/vehicles/{car['id']}").json()["plate"] == "川AD12345"
    updated = patch(
        staff_client, f"{API}/vehicles/{car['id']}", {"note": "地下车位 B-12", "owner_id": None}
    )
    assert updated.json()["note"] == "地下车位 B-12" and updated.json()["owner_id"] is None
    assert updated.json()["plate"] == "川AD12345"
    moved = patch(staff_client, f"{API}/vehicles/{car['id']}", {"area_id": world.grid_a1b.pk})
    assert moved.json()["area_id"] == world.grid_a1b.pk
    entry = AuditEntry.objects.filter(action="vehicle.update").order_by("pk").first()
    assert entry.actor == staff
    assert entry.changes == {"note": ["", "地下车位 B-12"], "owner_id": [zhang.pk, None]}
    assert AuditEntry.objects.filter(action="vehicle.create").count() == 3 + 3  # + the world's


@pytest.mark.parametrize(
    ("plate", "code", "message"),
    [
        ("川A1234", "invalid", "车牌号格式错误"),
        ("AB12345", "invalid", "车牌号格式错误"),
        ("川A12340", "duplicate", "号牌 川A12340 已登记"),
        ("川a 12340", "duplicate", "号牌 川A12340 已登记"),
    ],
)
def test_vehicle_plate_errors(staff_client, world, plate, code, message):
    response = post(staff_client, f"{API}/vehicles", {"plate": plate, "area_id": world.grid_a1a.pk})
    body = assert_error(response, 400, code)
    assert list(body["fields"]) == ["plate"]
    assert body["fields"]["plate"][0].startswith(message)
    assert Vehicle.objects.count() == 3


def test_vehicle_update_to_a_plate_on_file_is_a_duplicate(staff_client, world):
    car = Vehicle.objects.get(plate="川A12340")
    response = patch(staff_client, f"{API}/vehicles/{car.pk}", {"plate": "川A12341"})
    assert assert_error(response, 400, "duplicate")["fields"] == {"plate": ["号牌 川A12341 已登记"]}
    body = assert_error(
        patch(staff_client, f"{API}/vehicles/{car.pk}", {"plate": None}), 400, "invalid"
    )
    assert body["fields"] == {"plate": ["不能为空"]}
    assert Vehicle.objects.get(pk=car.pk).plate == "川A12340"


def test_organization_crud(staff_client, world):
    response = post(
        staff_client,
        f"{API}/organizations",
        {
            "name": "幸福里社会工作服务中心",
            "kind": "social_org",
            "credit_code": credit_code(42).lower(),
            "area_id": world.grid_a1a.pk,
            "contact_name": "周敏",
            "contact_phone": "028-87654321",
            "lon": 101.705,
            "lat": 26.505,
        },
    )
    assert response.status_code == 201, response.content
    org = response.json()
    assert org["credit_code"] == credit_code(42)
    assert org["contact_phone_masked"] == "028-****4321"
    assert "87654321" not in response.content.decode()
    listed = items(staff_client.get(f"{API}/organizations", {"q": "幸福里"}))
    assert [o["id"] for o in listed] == [org["id"]]
    by_code = items(staff_client.get(f"{API}/organizations", {"q": credit_code(42)}))
    assert [o["id"] for o in by_code] == [org["id"]]
    updated = patch(
        staff_client,
        f"{API}/organizations/{org['id']}",
        {"address": "幸福里 8 号", "contact_phone": "13711112222"},
    )
    assert updated.json()["address"] == "幸福里 8 号"
    assert updated.json()["contact_phone_masked"] == "137****2222"
    entry = AuditEntry.objects.get(action="organization.update")
    assert entry.changes["contact_phone"] == ["028-****4321", "137****2222"]
    assert "13711112222" not in json.dumps(entry.changes)


@pytest.mark.parametrize(
    ("code", "error", "message"),
    [
        ("wrong-check", "invalid", "统一社会信用代码校验位错误，请核对最后一位"),
        ("123", "invalid", "统一社会信用代码应为 18 位"),
        ("on-file", "duplicate", None),
    ],
)
def test_organization_credit_code_errors(staff_client, world, code, error, message):
    if code == "wrong-check":
        good = credit_code(43)
        code = good[:-1] + ("0" if good[-1] != "0" else "1")
    elif code == "on-file":
        code = credit_code(0)
        message = f"统一社会信用代码 {code} 已登记"
    response = post(
        staff_client,
        f"{API}/organizations",
        {"name": "某单位", "kind": "unit", "credit_code": code, "area_id": world.grid_a1a.pk},
    )
    assert assert_error(response, 400, error)["fields"] == {"credit_code": [message]}
    assert not Organization.objects.filter(name="某单位").exists()


def test_organization_contact_phone_is_validated(staff_client, world):
    response = post(
        staff_client,
        f"{API}/organizations",
        {
            "name": "某单位",
            "kind": "unit",
            "credit_code": credit_code(44),
            "area_id": world.grid_a1a.pk,
            "contact_phone": "tel:110",
        },
    )
    assert list(assert_error(response, 400, "invalid")["fields"]) == ["contact_phone"]


def test_facility_crud(staff_client, world):
    response = post(
        staff_client,
        f"{API}/facilities",
        {
            "name": "日间照料中心",
            "kind": "day_care",
            "area_id": world.grid_a1b.pk,
            "floor_area": "320.50",
            "opening_hours": "8:30–17:30",
        },
    )
    assert response.status_code == 201, response.content
    facility = response.json()
    assert facility["floor_area"] == 320.5 and facility["kind"] == "day_care"
    listed = items(staff_client.get(f"{API}/facilities", {"kind": "day_care"}))
    assert [f["id"] for f in listed] == [facility["id"]]
    updated = patch(
        staff_client,
        f"{API}/facilities/{facility['id']}",
        {"opening_hours": "全天", "kind": "other"},
    )
    assert updated.json()["opening_hours"] == "全天" and updated.json()["kind"] == "other"
    required = patch(staff_client, f"{API}/facilities/{facility['id']}", {"kind": None})
    assert assert_error(required, 400, "invalid")["fields"] == {"kind": ["不能为空"]}
    out_of_range = post(
        staff_client,
        f"{API}/facilities",
        {"name": "错位", "kind": "aed", "area_id": world.grid_a1b.pk, "lat": 91, "lon": 0},
    )
    assert_error(out_of_range, 422, "invalid")
    assert AuditEntry.objects.filter(action="facility.create").count() == 3 + 1


def test_nothing_is_deleted_through_the_api(staff_client, world):
    car = Vehicle.objects.get(plate="川A12340")
    org = Organization.objects.get(name="单位0")
    for url in (
        f"{API}/vehicles/{car.pk}",
        f"{API}/organizations/{org.pk}",
        f"{API}/persons/{person('李四').pk}",
    ):
        assert staff_client.delete(url).status_code == 405
    assert Vehicle.objects.filter(pk=car.pk).exists()


# --- statistics -----------------------------------------------------------------------------


def test_stats_are_counts_in_scope(client, world, user_with):
    services.tag_add(actor=None, person=person("李四"), tag=PersonTag.objects.get(code="veteran"))
    client.force_login(user_with(Role.COMMUNITY_STAFF, world.comm_a1))
    assert client.get(f"{API}/stats").json()["tags"] == [{"name": "退役军人", "count": 1}]
    client.force_login(user_with(Role.DEPARTMENT_HANDLER, world.sub_a))
    figures = client.get(f"{API}/stats").json()
    assert figures["population"] == 12 and figures["area_id"] is None
    assert sum(b["male"] + b["female"] for b in figures["by_band"]) == 12
    text = json.dumps(figures, ensure_ascii=False)
    assert "李四" not in text and "杨家坪" not in text
    # A department handler sees counts, never rows.
    assert items(client.get(f"{API}/persons")) == []
    by_community = client.get(f"{API}/stats", {"area_id": world.comm_a1.pk}).json()
    assert by_community["area_id"] == world.comm_a1.pk
    assert {c["name"]: c["population"] for c in by_community["children"]} == {
        "甲一第一网格": 8,
        "甲一第二网格": 4,
    }
    assert by_community["unplaced"] == 0 and by_community["population"] == 12


# --- query counts ---------------------------------------------------------------------------


def _more_people(tree, n: int) -> None:
    dwelling = Dwelling.objects.filter(area=tree.grid_a1a).first()
    for i in range(n):
        services.person_create(
            actor=None,
            data=services.PersonData(name=f"批量{i}", id_number=id_number(2000 + i)),
            dwelling=dwelling,
        )


@pytest.mark.parametrize("kind", LISTS)
def test_list_query_count_does_not_grow_with_rows(
    client, world, staff, django_assert_max_num_queries, kind
):
    client.force_login(staff)
    _more_people(world, 30)
    for i in range(10):
        assets.vehicle_create(
            actor=None, data=assets.VehicleData(plate=f"川B{i:05d}", area=world.grid_a1a)
        )
    # session, user, grants, count, page
    with django_assert_max_num_queries(5):
        response = client.get(f"{API}/{kind}", {"page_size": 100})
    assert response.status_code == 200


def test_person_search_query_count(client, world, staff, django_assert_max_num_queries):
    client.force_login(staff)
    _more_people(world, 30)
    # session, user, grants, area, count, page
    with django_assert_max_num_queries(6):
        body = client.get(f"{API}/persons", {"q": "pl", "area_id": world.grid_a1a.pk}).json()
    assert body["count"] == 30
    assert all(re.match("批量", p["name"]) for p in body["items"])


def test_a_door_number_cannot_grow_a_building_past_its_limits(staff_client, world):
    """A grid worker's 99999999999999 once grew the building to 999,999,999,999 floors and the
    map looped over every one."""
    building = Dwelling.objects.select_related("building").first().building
    for number, message in [("99999999999999", "超出 200 层的上限"), ("99999998", "超出 200 层")]:
        refused = post(
            staff_client, f"{API}/dwellings", {"building_id": building.pk, "number": number}
        )
        body = assert_error(refused, 400, "invalid")
        assert message in body["fields"]["number"][0]
    building.refresh_from_db()
    assert building.floors <= 200
    odd = post(staff_client, f"{API}/dwellings", {"building_id": building.pk, "number": "3²01"})
    assert odd.status_code == 201 and odd.json()["floor"] == 3  # ² is no digit of a floor


def test_the_building_map_is_bounded_by_what_is_stored(staff_client, world):
    building = Dwelling.objects.select_related("building").first().building
    Building.objects.filter(pk=building.pk).update(floors=30_000, units=9_000)  # an old bad row
    plan = staff_client.get(f"{API}/buildings/{building.pk}/map").json()
    assert len(plan["floors"]) <= 200 and len(plan["units"]) <= 99
