"""Case pages through Django's test client: the resident's 随手拍 and rating, the console's
list, case file and actions, photos served only within scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shequtong.cases.choices import CaseStatus, HandlerLevel
from shequtong.cases.models import Case, CasePhoto, Category
from shequtong.cases.services import case_act, case_report
from shequtong.core.choices import Role

from .factories import IN_A1A, IN_B1A, jpeg, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(tree, user_with):
    return user_with(Role.RESIDENT, tree.comm_a1)


def post_report(client, **extra):
    data = {
        "category": Category.objects.get(code="hazard-fire-escape").pk,
        "description": "楼道堆满纸箱，消防通道被堵",
        "lon": str(IN_A1A[0]),
        "lat": str(IN_A1A[1]),
        "coord_system": "wgs84",
        "address": "",
        "idempotency_key": "k-1",
        "photos": [jpeg("a.jpg"), jpeg("b.jpg")],
    } | extra
    return client.post(reverse("cases:report"), data)


def test_a_resident_reports_with_photos_and_gets_a_tracking_number(client, tree, resident):
    client.force_login(resident)
    assert "随手拍" in client.get(reverse("web:resident_home")).content.decode()
    form = client.get(reverse("cases:report")).content.decode()
    assert "消防通道堵塞" in form and 'capture="environment"' in form

    response = post_report(client)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "cases:my_case", args=[case.pk]
    )
    assert case.area == tree.grid_a1a and case.photos.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert case.number in page and "已派遣" in page
    # The home page lists it too.
    assert case.number in client.get(reverse("web:resident_home")).content.decode()


def test_the_same_form_posted_twice_is_one_case(client, tree, resident):
    client.force_login(resident)
    post_report(client)
    post_report(client)
    assert Case.objects.count() == 1


def test_one_residents_key_never_swallows_anothers_report(client, tree, resident, user_with):
    """The hidden key comes from the browser: a second resident sending the same one (a cached
    page, a hostile one) files their own report."""
    client.force_login(resident)
    post_report(client)
    neighbour = user_with(Role.RESIDENT, tree.comm_a1)
    client.force_login(neighbour)
    post_report(client)
    assert sorted(Case.objects.values_list("reporter", flat=True)) == sorted(
        [resident.pk, neighbour.pk]
    )


def test_a_key_longer_than_the_column_is_kept_by_its_hash(client, tree, resident):
    client.force_login(resident)
    long_key = "k" * 64  # with its namespace, longer than the column
    assert post_report(client, idempotency_key=long_key).status_code == 302
    assert post_report(client, idempotency_key=long_key).status_code == 302
    assert Case.objects.count() == 1
    assert Case.objects.get().idempotency_key.startswith("h:")


def test_bad_input_is_named_on_the_form(client, tree, resident):
    client.force_login(resident)
    pdf = jpeg("scan.jpg")
    pdf.file.seek(0)
    pdf.file.truncate()
    pdf.file.write(b"%PDF-1.7 not an image")
    pdf.file.seek(0)
    response = post_report(client, photos=[pdf], idempotency_key="k-2")
    assert response.status_code == 200
    assert "不是 JPG/PNG/WebP 图片" in response.content.decode()

    outside = post_report(client, lon="116.39", lat="39.90", photos=[], idempotency_key="k-3")
    assert "不在" in outside.content.decode()
    nowhere = post_report(client, lon="", lat="", photos=[], idempotency_key="k-4")
    assert "请在地图上选择位置或填写地址" in nowhere.content.decode()
    assert Case.objects.count() == 0


def test_a_report_needs_a_signed_in_resident(client, tree):
    response = client.get(reverse("cases:report"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_grid_worker_sees_the_task_and_moves_it(client, tree, resident, grid_worker):
    case = case_report(actor=resident, report=report(photos=[jpeg()]))
    client.force_login(grid_worker)
    home = client.get(reverse("web:home")).content.decode()
    assert case.number in home  # 我的待办
    listing = client.get(reverse("cases:case_list")).content.decode()
    assert case.number in listing and "cases-geojson" in listing
    detail = client.get(case.get_absolute_url()).content.decode()
    assert "接单处置" in detail and "三单元楼道堆满纸箱" in detail

    response = client.post(
        reverse("cases:case_act", args=[case.pk]), {"action": "start", "label": "接单处置"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS

    refused = client.post(
        reverse("cases:case_act", args=[case.pk]),
        {"action": "return", "note": ""},
        HTTP_REFERER=case.get_absolute_url(),
    )
    assert refused.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    messages = [str(m) for m in refused.wsgi_request._messages]
    assert any("须填写说明" in m for m in messages)


def test_another_grid_cannot_see_the_case_or_its_photos(client, tree, resident, user_with):
    case = case_report(actor=resident, report=report(photos=[jpeg()]))
    photo = CasePhoto.objects.get()
    stranger = user_with(Role.GRID_WORKER, tree.grid_b1a)
    client.force_login(stranger)
    assert client.get(case.get_absolute_url()).status_code == 404
    assert client.get(reverse("cases:photo", args=[photo.pk, "thumb"])).status_code == 404
    assert case.number not in client.get(reverse("cases:case_list")).content.decode()

    client.force_login(resident)  # the reporter sees their own photo
    served = client.get(reverse("cases:photo", args=[photo.pk, "thumb"]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content)[:2] == b"\xff\xd8"


def test_staff_enter_a_patrol_finding(client, tree, user_with):
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    client.force_login(staff)
    assert "登记事件" in client.get(reverse("cases:case_new")).content.decode()
    response = client.post(
        reverse("cases:case_new"),
        {
            "source": "patrol",
            "category": Category.objects.get(code="city-garbage").pk,
            "description": "垃圾桶满溢",
            "lon": str(IN_A1A[0]),
            "lat": str(IN_A1A[1]),
            "coord_system": "wgs84",
            "reporter_name": "",
            "reporter_phone": "",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and case.source == "patrol"
    assert case.handler_level == HandlerLevel.GRID

    elsewhere = client.post(
        reverse("cases:case_new"),
        {
            "source": "patrol",
            "category": Category.objects.get(code="city-garbage").pk,
            "description": "别处的垃圾",
            "lon": str(IN_B1A[0]),
            "lat": str(IN_B1A[1]),
            "coord_system": "wgs84",
        },
    )
    assert elsewhere.status_code == 200 and "只能上报本人管辖区域" in elsewhere.content.decode()


def test_the_resident_rates_from_the_portal(client, tree, resident, grid_worker):
    case = case_report(actor=resident, report=report(code="city-garbage"))
    case = case_act(actor=grid_worker, case=case, action="start")
    case = case_act(actor=grid_worker, case=case, action="resolve", note="已清运")
    client.force_login(resident)
    page = client.get(reverse("cases:my_case", args=[case.pk])).content.decode()
    assert "评价处理结果" in page and "已清运" in page
    client.post(reverse("cases:my_case", args=[case.pk]), {"rating": "satisfied", "comment": "好"})
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.rating == "satisfied"


def test_a_case_due_in_an_unannounced_year_says_its_deadline_may_move(
    client, tree, resident, grid_worker
):
    from datetime import UTC, datetime

    case = case_report(actor=resident, report=report())
    client.force_login(grid_worker)
    banner = "2027 年的调休安排尚未导入"
    assert banner not in client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    Case.objects.filter(pk=case.pk).update(due_at=datetime(2027, 3, 1, 1, tzinfo=UTC))
    assert banner in client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
