"""Every demo role signs in through the real login page and sees only its part of the district."""

from __future__ import annotations

import pytest

from shequtong.core.choices import AreaLevel, Role
from shequtong.core.demo import DEMO_PASSWORD, seed_demo
from shequtong.core.models import Area, AuditEntry, RoleGrant, User

from .conftest import open_nav, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_in(page, live_server, username: str, landing: str = "/console/") -> None:
    page.goto(f"{live_server.url}/console/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}{landing}")


def area_links(page) -> set[str]:
    return set(page.locator("table.data tbody tr td:first-child a").all_inner_texts())


@pytest.fixture
def demo():
    return seed_demo()


# (role, the pages its navigation offers, the pages it must not offer)
NAVIGATION = {
    Role.DISTRICT_ADMIN: ({"区划与网格", "人员与授权", "审计日志", "工作日历"}, set()),
    Role.SUBDISTRICT_ADMIN: ({"区划与网格", "人员与授权", "工作日历"}, {"审计日志"}),
    Role.COMMUNITY_STAFF: ({"区划与网格", "人员与授权"}, {"审计日志"}),
    Role.GRID_WORKER: ({"区划与网格", "工作日历"}, {"人员与授权", "审计日志"}),
    Role.DEPARTMENT_HANDLER: ({"区划与网格"}, {"人员与授权", "审计日志"}),
    Role.AUDITOR: ({"审计日志", "人员与授权"}, set()),
}


def test_a_resident_signing_in_lands_on_the_portal(page, live_server, demo):
    sign_in(page, live_server, demo.of_role(Role.RESIDENT)[0].username, landing="/m/")
    assert page.locator(".tile").count() == 10
    # A staff page typed in by hand: refused in Chinese, with the way back to the portal.
    assert page.goto(f"{live_server.url}/console/areas/").status == 403
    assert "工作台仅供社区工作人员使用" in page.content()
    page.get_by_role("link", name="前往居民服务").click()
    page.wait_for_url(f"{live_server.url}/m/")


@pytest.mark.parametrize("role", list(NAVIGATION), ids=str)
def test_each_role_sees_only_its_scope(page, live_server, demo, role):
    username = demo.of_role(role)[0].username
    sign_in(page, live_server, username)
    nav = set(page.locator("aside nav a").all_inner_texts())
    offered, hidden = NAVIGATION[role]
    assert offered <= nav and not (hidden & nav), nav
    screenshot(page, f"home-{role}")

    open_nav(page, "区划与网格")
    grants = RoleGrant.objects.filter(user__username=username).select_related("area")
    visible = Area.objects.none()
    for grant in grants:
        visible |= Area.objects.filter(path__startswith=grant.area.path)
    names = set(visible.values_list("name", flat=True))
    # The first page (50 rows): only areas in scope, and as many as there are up to 50.
    shown = area_links(page)
    assert shown <= names and len(shown) == min(50, len(names)), shown - names
    screenshot(page, f"areas-{role}")


def test_grid_worker_sees_exactly_one_grid(page, live_server, demo):
    sign_in(page, live_server, "grid_yangjiaping_01")
    open_nav(page, "区划与网格")
    links = area_links(page)
    grant = RoleGrant.objects.get(user__username="grid_yangjiaping_01")
    assert links == {grant.area.name} and grant.area.level == AreaLevel.GRID
    page.get_by_role("link", name=grant.area.name).click()
    page.wait_for_selector("#area-map .leaflet-interactive")  # the boundary is drawn
    screenshot(page, "grid-worker-grid")
    # Another grid, typed into the address bar, is a Chinese 404.
    other = Area.objects.filter(level=AreaLevel.GRID).exclude(pk=grant.area.pk).first()
    response = page.goto(f"{live_server.url}/console/areas/{other.pk}/")
    assert response.status == 404
    assert "不在您的管辖范围内" in page.content()


def test_reveal_is_audited_and_found_by_the_auditor(page, live_server, demo):
    sign_in(page, live_server, "district_admin")
    open_nav(page, "人员与授权")
    worker = User.objects.get(username="grid_yangjiaping_01")
    page.get_by_label("姓名或用户名").fill(worker.username)
    page.get_by_role("button", name="筛选").click()
    row = page.locator("tr", has_text=worker.username)
    masked = f"{worker.phone[:3]}****{worker.phone[-4:]}"
    assert masked in row.inner_text() and worker.phone not in row.inner_text()
    row.get_by_role("button", name="查看").click()
    row.locator("[data-revealed]").wait_for()
    assert worker.phone in row.inner_text()
    screenshot(page, "staff-reveal")
    assert AuditEntry.objects.filter(action="pii.reveal", object_id=str(worker.pk)).exists()

    page.get_by_role("button", name="退出").click()
    sign_in(page, live_server, demo.of_role(Role.AUDITOR)[0].username)
    open_nav(page, "审计日志")
    page.get_by_label("动作").select_option(label="查看手机号（用户）")
    page.get_by_role("button", name="筛选").click()
    entry = page.locator("table.data tbody tr").first
    assert "district_admin" in entry.inner_text() and worker.display_name in entry.inner_text()
    assert "查看手机号" in entry.inner_text() and "pii.reveal" not in entry.inner_text()
    screenshot(page, "auditor-finds-reveal")


def test_wrong_password_then_area_switcher(page, live_server, demo):
    page.goto(f"{live_server.url}/console/login/")
    page.get_by_label("用户名").fill("district_admin")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    assert "用户名或密码错误" in page.locator(".alert-error").inner_text()
    sign_in(page, live_server, "district_admin")
    street = Area.objects.get(name="谢家湾街道")
    with page.expect_navigation():  # the switcher submits itself
        page.select_option("#scope-select", str(street.pk))
    open_nav(page, "区划与网格")
    names = area_links(page)
    assert "谢家湾街道" in names and "杨家坪街道" not in names
    screenshot(page, "scope-switched")


def test_resident_portal_on_a_phone(new_page, live_server):
    context, page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    page.goto(f"{live_server.url}/m/")
    # Only services that work: no 即将开通, icons drawn as SVG (no emoji font needed).
    assert page.locator(".tile").all_inner_texts() == [
        "随手拍\n拍照上报身边问题",
        "我的诉求\n查看进度和评价",
        "通知公告\n社区通知 · 未读提醒",
        "志愿服务\n活动报名 · 时长 · 爱心币",
        "议事协商\n提出议题 · 跟踪进展",
        "表决投票\n线上投票 · 结果与名册",
        "问卷调查\n民意征询 · 在线作答",
        "公示\n公示内容 · 提意见",
        "三务公开\n党务 · 居务 · 财务",
        "公约\n居民公约 · 小区公约 · 提意见",
    ]
    assert page.locator(".tile svg").count() == 10 and "即将开通" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "resident-home")
    context.close()
