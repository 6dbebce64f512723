"""/open311/v2/: Open311 GeoReport v2 in JSON and XML, read through a real client library
(georeport) against a live server; a few raw responses through Django's client where the
library hides the shape (root elements, time zone offsets, status codes).

georeport 0.3 only reads (services, definitions, requests); POSTs and token look-ups go
through `requests`, the library's own HTTP client.
"""

from __future__ import annotations

import gc
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
import xmltodict
from django.test import Client
from django.utils import timezone
from georeport import GeoReport

from shequtong.cases import catalogue
from shequtong.cases.choices import CaseSource, CaseStatus
from shequtong.cases.models import Case, Category, CategoryAttribute
from shequtong.cases.services import case_act, case_report
from shequtong.core import services as core_services
from shequtong.core.choices import Role
from shequtong.core.models import ApiToken, User
from shequtong.registry.models import Estate
from tests.core.factories import AreaTree

from .factories import IN_A1A, IN_B1A, report

live = pytest.mark.django_db(transaction=True, serialized_rollback=True)
db = pytest.mark.django_db

BASE = "/open311/v2"
OUTSIDE = (100.0, 25.0)
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


def key_for(user: User) -> str:
    return core_services.api_token_create(actor=user, name="Open311 对接")[1]


@pytest.fixture
def api_key(district_admin: User) -> str:
    return key_for(district_admin)


@pytest.fixture
def root(live_server: Any) -> Iterator[str]:
    # A transactional test empties the tables after it, the migrated category tree included.
    catalogue.load(Category, CategoryAttribute)
    yield f"{live_server.url}{BASE}"
    # Each request's thread closes the database connection when its client hangs up, which may
    # wait for the garbage collector to free a response. Let none outlive the test: SQLite's
    # in-memory connection is shared with the server only while the server runs.
    gc.collect()
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=10)


@pytest.fixture
def geo(root: str, api_key: str) -> Callable[[str], GeoReport]:
    return lambda fmt: GeoReport(root_address=root, api_key=api_key, output_format=fmt)


def form(api_key: str, **fields: Any) -> dict[str, Any]:
    lon, lat = IN_A1A
    return {
        "api_key": api_key,
        "service_code": "hazard-fire-escape",
        "lat": lat,
        "long": lon,
        "description": "三单元楼道堆满纸箱，消防通道被堵",
        "attribute[grade]": "major",
    } | fields


def errors_of(response: requests.Response | Any) -> list[dict[str, Any]]:
    """The error list, from JSON or XML alike."""
    if response.headers["Content-Type"].startswith("text/xml"):
        found = xmltodict.parse(response.content, force_list=("error",))["errors"]["error"]
        return [{"code": int(e["code"]), "description": e["description"]} for e in found]
    return response.json()


# --- through the client library, against a live server --------------------------------------


@live
def test_services_in_json_and_xml(geo: Callable[[str], GeoReport]) -> None:
    services = {s["service_code"]: s for s in geo("json").get_service_list()}
    assert "hazard" not in services and "city-environment" not in services
    fire = services["hazard-fire-escape"]
    assert fire["service_name"] == "消防通道堵塞" and fire["group"] == "安全隐患"
    assert fire["metadata"] is True and fire["type"] == "realtime"
    assert fire["keywords"].split(",")[:2] == ["消防通道", "安全出口"]
    assert services["city-garbage"]["metadata"] is False

    in_xml = {s["service_code"]: s for s in geo("xml").get_service_list()}
    assert in_xml.keys() == services.keys()
    assert in_xml["hazard-fire-escape"]["metadata"] == "true"
    assert in_xml["city-garbage"]["group"] == "市容环境"


@live
def test_the_hazard_definition_offers_its_grades(geo: Callable[[str], GeoReport]) -> None:
    definition = geo("json").get_service_definition("hazard-fire-escape")
    assert definition["service_code"] == "hazard-fire-escape"
    [grade] = definition["attributes"]
    assert grade == {
        "variable": True,
        "code": "grade",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": None,
        "order": 1,
        "description": "隐患等级",
        "values": grade["values"],
    }
    assert grade["values"] == [
        {"key": "general", "name": "一般隐患"},
        {"key": "major", "name": "重大隐患"},
    ]

    in_xml = geo("xml").get_service_definition("hazard-fire-escape")
    attribute = in_xml["attributes"]["attribute"]
    assert (attribute["code"], attribute["variable"], attribute["order"]) == ("grade", "true", "1")
    assert [v["key"] for v in attribute["values"]["value"]] == ["general", "major"]

    with pytest.raises(requests.HTTPError) as parent:
        geo("json").get_service_definition("hazard")
    assert parent.value.response.status_code == 404


@live
def test_a_report_inside_a_grid_becomes_a_case_found_by_token_and_id(
    root: str, api_key: str, geo: Callable[[str], GeoReport], tree: AreaTree
) -> None:
    fields = form(
        api_key,
        first_name="三",
        last_name="张",
        phone="13812345678",
        email="zhangsan@example.com",
        account_id="acc-7",
        media_url="https://example.com/p/1.jpg",
    )
    answer = requests.post(f"{root}/requests.json", data=fields, timeout=10)
    assert answer.status_code == 201, answer.text
    [made] = answer.json()
    assert set(made) == {"service_request_id", "token", "service_notice", "account_id"}
    assert made["account_id"] == "acc-7" and made["service_notice"].startswith("预计")

    case = Case.objects.get()
    assert case.number == made["service_request_id"]
    assert (case.source, case.area, case.attributes) == (
        CaseSource.OPEN311,
        tree.grid_a1a,
        {"grade": "major"},
    )
    assert (case.reporter_name, case.reporter_phone) == ("张三", "13812345678")
    assert case.description.endswith("图片链接：https://example.com/p/1.jpg")

    # The same Idempotency-Key again is the same case, not a second one.
    headers = {"Idempotency-Key": "retry-1"}
    first = requests.post(f"{root}/requests.json", data=fields, headers=headers, timeout=10)
    again = requests.post(f"{root}/requests.xml", data=fields, headers=headers, timeout=10)
    assert (first.status_code, again.status_code) == (201, 200)
    replayed = xmltodict.parse(again.content)["service_requests"]["request"]
    assert replayed["service_request_id"] == first.json()[0]["service_request_id"]
    assert replayed["token"] == first.json()[0]["token"] != made["token"]
    assert Case.objects.count() == 2

    token = requests.get(f"{root}/tokens/{made['token']}.json", timeout=10)
    assert token.json() == [{"service_request_id": case.number, "token": made["token"]}]
    token_xml = xmltodict.parse(
        requests.get(f"{root}/tokens/{made['token']}.xml", timeout=10).content
    )
    assert token_xml["service_requests"]["request"]["service_request_id"] == case.number
    assert requests.get(f"{root}/tokens/no-such-token.json", timeout=10).status_code == 404

    found = geo("json").get_service_request(case.number)
    assert found["service_code"] == "hazard-fire-escape" and found["status"] == "open"
    assert (found["lat"], found["long"]) == (IN_A1A[1], IN_A1A[0])
    assert found["agency_responsible"] == tree.grid_a1a.name
    assert found["status_notes"] == "自动派遣至网格"
    assert W3C.match(found["requested_datetime"]) and W3C.match(found["expected_datetime"])
    assert found["media_url"] is None
    in_xml = geo("xml").get_service_request(case.number)
    assert in_xml["service_request_id"] == case.number and in_xml["status"] == "open"
    raw = requests.get(f"{root}/requests/{case.number}.json", timeout=10).text
    assert "张三" not in raw and "13812345678" not in raw and "zhangsan" not in raw


@live
def test_the_list_filters_by_status_code_and_dates_within_90_days(
    geo: Callable[[str], GeoReport], grid_worker: User
) -> None:
    garbage = case_report(actor=None, report=report("city-garbage"))
    fire = case_report(actor=None, report=report())
    old = case_report(actor=None, report=report("city-garbage"))
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=100))
    case_act(actor=grid_worker, case=garbage, action="start")
    case_act(actor=grid_worker, case=garbage, action="resolve", note="已清运")
    old, garbage, fire = (Case.objects.get(pk=c.pk) for c in (old, garbage, fire))

    client = geo("json")

    def numbers(**filters: str) -> list[str]:
        return [r["service_request_id"] for r in client.get_service_requests(**filters)]

    assert numbers() == [fire.number, garbage.number]  # newest first, the last 90 days
    assert numbers(status="closed") == [garbage.number]
    assert numbers(status="open") == [fire.number]
    assert numbers(status="open,closed") == [fire.number, garbage.number]
    assert numbers(service_code="city-garbage") == [garbage.number]
    assert numbers(service_code="city-garbage,hazard-fire-escape", status="open") == [fire.number]

    day = timedelta(days=1)
    start = (timezone.now() - 120 * day).isoformat()
    end = (timezone.now() - 60 * day).isoformat()
    assert numbers(start_date=start, end_date=end) == [old.number]
    assert numbers(start_date=start) == [old.number]  # to start + 90 days
    # A list of ids overrides every other filter, the date window included.
    assert numbers(service_request_id=f"{old.number},{fire.number}", status="closed") == [
        fire.number,
        old.number,
    ]

    [closed] = client.get_service_requests(status="closed")
    assert closed["status_notes"] == "办结"  # the public reads what happened, not staff's note
    in_xml = geo("xml").get_service_requests(status="open,closed")
    assert [r["service_request_id"] for r in in_xml] == [fire.number, garbage.number]

    too_long = (timezone.now() - 91 * day).isoformat()
    with pytest.raises(requests.HTTPError) as wide:
        client.get_service_requests(start_date=too_long, end_date=timezone.now().isoformat())
    assert wide.value.response.status_code == 400
    assert "90 天" in errors_of(wide.value.response)[0]["description"]


@live
@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"api_key": None}, 403, "api_key"),
        ({"api_key": "sqt_0123456789ab_forged"}, 403, "api_key"),
        ({"service_code": "no-such-service"}, 400, "no-such-service"),
        ({"service_code": "hazard"}, 400, "hazard"),  # a group, not a service
        ({"lat": OUTSIDE[1], "long": OUTSIDE[0]}, 400, "不在本平台管辖范围内"),
        ({"attribute[grade]": "huge"}, 400, "attribute[grade]"),
        ({"lat": None, "long": None}, 400, "address_string"),
        ({"lat": "north"}, 400, "lat"),
        ({"media_url": "file:///etc/passwd"}, 400, "media_url"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_reports_are_refused_with_the_spec_error_list(
    root: str, api_key: str, change: dict[str, Any], status: int, says: str, fmt: str
) -> None:
    fields = {k: v for k, v in (form(api_key) | change).items() if v is not None}
    answer = requests.post(f"{root}/requests.{fmt}", data=fields, timeout=10)
    assert answer.status_code == status, answer.text
    [error] = errors_of(answer)
    assert error["code"] == status and says in error["description"]
    assert Case.objects.count() == 0


@live
def test_a_revoked_key_and_unknown_ids_are_refused(
    root: str, geo: Callable[[str], GeoReport], district_admin: User
) -> None:
    plaintext = key_for(district_admin)
    token = ApiToken.objects.get(prefix=plaintext.split("_")[1])
    core_services.api_token_revoke(actor=district_admin, token=token)
    refused = requests.post(f"{root}/requests.xml", data=form(plaintext), timeout=10)
    assert refused.status_code == 403
    assert errors_of(refused)[0]["code"] == 403

    for fmt in ("json", "xml"):
        with pytest.raises(requests.HTTPError) as missing:
            geo(fmt).get_service_request("20261124999999")
        assert missing.value.response.status_code == 404
        [error] = errors_of(missing.value.response)
        assert error["code"] == 404 and "20261124999999" in error["description"]


# --- raw responses through Django's test client ---------------------------------------------


@pytest.fixture
def made(tree: AreaTree) -> Case:
    return case_report(actor=None, report=report())


def xml_root(response: Any) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(response.content)  # noqa: S314  (our own response)


@db
def test_xml_roots_and_times_with_the_offset(client: Client, made: Case) -> None:
    services = xml_root(client.get(f"{BASE}/services.xml"))
    assert services.tag == "services" and {e.tag for e in services} == {"service"}
    assert services.find("service/service_code").text == "city-garbage"

    definition = xml_root(client.get(f"{BASE}/services/hazard-fire-escape.xml"))
    assert definition.tag == "service_definition"
    assert definition.findtext("attributes/attribute/values/value/name") == "一般隐患"

    # Pasted from elsewhere: what the public view shows goes out as XML can carry it.
    Case.objects.filter(pk=made.pk).update(public_description="楼道堆物\x01")
    found = xml_root(client.get(f"{BASE}/requests/{made.number}.xml"))
    assert found.tag == "service_requests"
    [request] = found.findall("request")
    assert request.findtext("service_request_id") == made.number
    assert request.findtext("description") == "楼道堆物"
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C.match(request.findtext(field)), field
    # Empty values are empty elements: every field is always there.
    assert request.find("zipcode") is not None and request.findtext("zipcode") == ""

    error = xml_root(client.get(f"{BASE}/requests/1.xml"))
    assert error.tag == "errors" and error.findtext("error/code") == "404"


@db
def test_discovery_names_the_absolute_base(client: Client) -> None:
    body = client.get(f"{BASE}/discovery.json").json()
    [endpoint] = body["endpoints"]
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert body["key_service"]
    in_xml = xml_root(client.get(f"{BASE}/discovery.xml"))
    assert in_xml.findall("endpoints/endpoint/formats/format")[1].text == "application/json"


@db
def test_no_suffix_is_json_and_unknown_paths_are_404(client: Client, tree: AreaTree) -> None:
    assert client.get(f"{BASE}/services")["Content-Type"].startswith("application/json")
    assert client.get(f"{BASE}/requests").json() == []
    for path in ("nothing.json", "services.csv", "services/hazard-fire-escape/x"):
        response = client.get(f"{BASE}/{path}")
        assert response.status_code == 404 and response.json()[0]["code"] == 404
    assert xml_root(client.get(f"{BASE}/nothing.xml")).tag == "errors"
    refused = client.delete(f"{BASE}/requests.json")
    assert refused.status_code == 405 and refused.json()[0]["code"] == 405


@db
def test_posts_need_no_csrf_token_and_take_multiple_values(district_admin: User) -> None:
    garbage = Category.objects.get(code="city-garbage")
    CategoryAttribute.objects.create(
        category=garbage,
        code="kind",
        description="垃圾种类",
        datatype="multivaluelist",
        values=[{"key": "food", "name": "厨余"}, {"key": "bulky", "name": "大件"}],
    )
    data = form(key_for(district_admin), service_code="city-garbage") | {
        "attribute[kind][]": ["food", "bulky"]
    }
    answer = Client(enforce_csrf_checks=True).post(f"{BASE}/requests.json", data)
    assert answer.status_code == 201, answer.content
    assert Case.objects.get().attributes == {"kind": ["food", "bulky"]}


@db
def test_an_address_naming_an_estate_is_enough(
    client: Client, tree: AreaTree, district_admin: User
) -> None:
    Estate.objects.create(name="阳光小区", area=tree.comm_a2)
    key = key_for(district_admin)
    for place in ({"address_string": "阳光小区 3 栋"}, {"address_id": "阳光小区"}):
        data = form(key, lat="", long="", description=f"楼道堆物 {place}") | place
        answer = client.post(f"{BASE}/requests.json", data)
        assert answer.status_code == 201, answer.content
    assert {(c.area_id, c.lon) for c in Case.objects.all()} == {(tree.comm_a2.pk, None)}


@db
def test_a_token_acts_as_its_owner(
    client: Client, tree: AreaTree, user_with: Callable[..., User], grid_worker: User
) -> None:
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    answer = client.post(f"{BASE}/requests.json", form(key_for(staff)))
    assert answer.status_code == 201
    assert Case.objects.get().reporter == staff
    # A grid worker reports only in their own grid.
    lon, lat = IN_B1A
    elsewhere = client.post(f"{BASE}/requests.json", form(key_for(grid_worker), lat=lat, long=lon))
    assert elsewhere.status_code == 403 and elsewhere.json()[0]["code"] == 403


@db
def test_objections_stay_off_the_public_notes(
    client: Client, made: Case, tree: AreaTree, user_with: Callable[..., User]
) -> None:
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    case_act(actor=staff, case=made, action="whistle", note="需街道协调")
    made.steps.create(action="object", label="消防救援站部门提出异议", note="非本部门职责")
    [row] = client.get(f"{BASE}/requests/{made.number}.json").json()
    assert row["status_notes"] == "社区呼叫（上报街道）"
    assert row["agency_responsible"] == tree.sub_a.name
    assert "非本部门职责" not in str(row) and "需街道协调" not in str(row)


@db
def test_the_list_reads_in_a_fixed_number_of_queries(
    client: Client, tree: AreaTree, django_assert_num_queries: Any
) -> None:
    for point in (IN_A1A, IN_B1A, IN_A1A):
        case_report(actor=None, report=report("city-garbage", point=point))
    Case.objects.filter(pk=Case.objects.first().pk).update(status=CaseStatus.CLOSED)
    with django_assert_num_queries(3):  # cases with their last step's id, the steps, the areas
        rows = client.get(f"{BASE}/requests.json").json()
    assert len(rows) == 3 and {r["status"] for r in rows} == {"open", "closed"}
