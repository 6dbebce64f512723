"""The issue's walk, in a real browser: a resident reports a blocked fire escape with a photo
from a phone; the grid worker cannot fix it; the community calls the street office, which
summons the fire station; it is resolved with an after photo; the resident rates it; the
timeline shows it all."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from shapely.geometry import shape

from shequtong.cases.models import Case
from shequtong.core.demo import seed_demo
from shequtong.core.models import RoleGrant

from .conftest import open_nav, screenshot
from .test_roles import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def photo(tmp_path: Path, name: str, colour: tuple[int, int, int]) -> Path:
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def act(page, label: str, note: str = "", **fields: str) -> None:
    """Open the action's panel on the case page, fill it and press its button."""
    box = page.locator("details", has=page.locator("summary", has_text=label)).first
    if box.get_attribute("open") is None:  # the first action is shown open
        box.locator("summary").click()
    for name, value in fields.items():
        control = box.locator(f"[name={name}]")
        if name == "photos":
            control.set_input_files(value)
        else:
            control.select_option(label=value)
    if note:
        box.locator("[name=note]").fill(note)
    box.locator("button").last.click()
    page.wait_for_load_state()


def find_case(page, number: str) -> None:
    """事件处置 in the navigation, the number typed into 关键词, the case opened."""
    open_nav(page, "事件处置")
    page.get_by_label("关键词").fill(number)
    page.locator("#results a", has_text=number).first.click()
    page.wait_for_load_state()


def signed_in(new_page, live_server, username: str, **context: object):
    ctx, page = new_page(**context)
    landing = "/m/" if username.startswith("resident") else "/console/"
    sign_in(page, live_server, username, landing)
    return ctx, page


def test_a_blocked_fire_escape_from_report_to_rating(new_page, live_server, tmp_path):
    seed_demo()
    home_grid = RoleGrant.objects.get(user__username="resident_01").area
    where = shape(home_grid.boundary).representative_point()

    # The resident, on a phone, with the browser's location.
    phone, mobile = signed_in(
        new_page,
        live_server,
        "resident_01",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": where.y, "longitude": where.x},
        permissions=["geolocation"],
    )
    mobile.get_by_role("link", name="随手拍").first.click()
    # The page's script must be listening before a file is chosen (under load it may not be
    # when the input first appears).
    mobile.wait_for_url("**/m/report/")
    mobile.wait_for_load_state()
    mobile.locator("[name=photos]").set_input_files(photo(tmp_path, "before.jpg", (150, 90, 40)))
    # The picker is a Chinese button and says what was chosen (not the browser's Choose Files).
    assert mobile.locator(".picker-button").inner_text() == "拍照或选择照片"
    assert mobile.locator(".picker-chosen").inner_text() == "已选择 1 张照片"
    mobile.get_by_label("问题类别").select_option(label="消防通道堵塞")
    mobile.get_by_label("问题描述").fill("2 单元楼道堆满纸箱和旧沙发，消防通道完全堵死")
    mobile.get_by_role("button", name="使用当前位置").click()
    mobile.get_by_text("已定位").wait_for()
    screenshot(mobile, "case-report-phone")
    mobile.get_by_role("button", name="提交").click()
    mobile.locator(".tracking").wait_for()
    number = mobile.locator(".tracking").inner_text().strip()
    case = Case.objects.get(description__startswith="2 单元楼道")
    assert number == case.number and case.area == home_grid
    screenshot(mobile, "case-tracking-phone")

    # The grid worker finds it among their tasks, takes it, cannot fix it, returns it.
    grid_user = RoleGrant.objects.filter(role="grid_worker", area=home_grid).first().user
    ctx, page = signed_in(new_page, live_server, grid_user.username)
    page.get_by_role("link", name=number).first.click()
    act(page, "接单处置")
    act(page, "退回", note="业主拒不清理，需要执法")
    ctx.close()

    # The community calls the street office; the street office summons the fire station.
    community = home_grid.parent
    staff = RoleGrant.objects.filter(role="community_staff", area=community).first().user
    ctx, page = signed_in(new_page, live_server, staff.username)
    find_case(page, number)
    act(page, "社区呼叫", note="社区无执法权，请街道协调消防")
    ctx.close()

    street = community.parent
    admin = RoleGrant.objects.filter(role="subdistrict_admin", area=street).first().user
    fire = RoleGrant.objects.get(role="department_handler", department__kind="fire", area=street)
    ctx, page = signed_in(new_page, live_server, admin.username)
    find_case(page, number)
    act(page, "街道吹哨", note="街道吹哨：消防主办", lead=fire.department.name)
    ctx.close()

    # The fire station reports in and resolves it with an after photo.
    ctx, page = signed_in(new_page, live_server, fire.user.username)
    page.get_by_role("link", name=number).first.click()
    page.get_by_role("button", name="报到", exact=True).click()
    page.wait_for_load_state()
    act(
        page,
        "办结",
        note="已现场执法，责令清理完毕",
        photos=str(photo(tmp_path, "after.jpg", (60, 160, 60))),
    )
    assert page.locator("h1 .badge").first.inner_text() == "已办结"
    ctx.close()

    # The resident sees it resolved and rates it.
    # The resident was told: the message on the portal leads to the case.
    mobile.goto(f"{live_server.url}/m/")
    mobile.locator(".m-list a", has_text=f"您反映的问题已办结（{number}）").click()
    mobile.get_by_text("评价处理结果").wait_for()
    mobile.get_by_label("满意", exact=True).check()
    mobile.get_by_role("button", name="提交评价").click()
    mobile.get_by_role("heading", name="您的评价").wait_for()
    screenshot(mobile, "case-rated-phone")
    phone.close()

    # The community checks the site and closes the hazard with a photo.
    ctx, page = signed_in(new_page, live_server, staff.username)
    find_case(page, number)
    act(
        page,
        "隐患验收",
        note="现场复查，通道已畅通",
        photos=str(photo(tmp_path, "check.jpg", (40, 120, 200))),
    )
    assert page.locator("h1 .badge").first.inner_text() == "已结案"

    # The timeline shows it all, photos included.
    timeline = page.locator(".timeline").inner_text()
    for step in (
        "上报",
        "自动派遣至网格",
        "接单处置",
        "退回",
        "社区呼叫",
        "街道吹哨",
        "报到",
        "办结",
        "居民评价：满意",
    ):
        assert step in timeline, step
    assert page.locator(".timeline img").count() == 2  # the after and acceptance photos
    assert page.locator(".photos figure").count() == 3  # report, after, acceptance
    screenshot(page, "case-timeline")
    page.get_by_role("link", name="事件处置", exact=True).first.click()
    page.locator(".map .cluster, .map path.leaflet-interactive").first.wait_for()
    screenshot(page, "case-list-map")
    ctx.close()
