"""The README's short tour, step by step, in a real browser on the demo district: each step
does what the README says it does (its names, logins and examples are the demo's)."""

from __future__ import annotations

import json
import urllib.request

import pytest

from shequtong.core.demo import seed_demo

from .conftest import open_nav, screenshot
from .test_roles import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_out(page) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def test_the_readme_tour(page, live_server, new_page):
    seed_demo()

    # 1. district_admin: 2 street offices, 6 communities, ~40 grids; an area's page maps them.
    sign_in(page, live_server, "district_admin")
    cards = dict(
        zip(
            page.locator("[aria-label=管辖范围] .card .label").all_inner_texts(),
            page.locator("[aria-label=管辖范围] .card .num").all_inner_texts(),
            strict=True,
        )
    )
    assert (cards["街道/乡镇"], cards["社区/村"]) == ("2", "6") and 30 <= int(cards["网格"]) <= 50
    open_nav(page, "区划与网格")
    page.locator("table.data a", has_text="杨家坪街道").first.click()
    page.locator("#area-map .leaflet-interactive").first.wait_for()
    # No base map is configured: each community is named on the map itself.
    labels = page.locator("#area-map .map-label").all_inner_texts()
    assert sorted(labels) == ["杨家坪社区", "横街社区", "西郊路社区"]
    screenshot(page, "tour-1-area-map")
    sign_out(page)

    # 2. A grid worker sees only that grid.
    sign_in(page, live_server, "grid_yangjiaping_01")
    assert page.locator("[aria-label=管辖范围] .card .label").all_inner_texts() == ["网格"]
    assert "杨家坪社区第1网格" in page.locator("#scope-select").inner_text()
    sign_out(page)

    # 3. Masked phones, a reveal, and the auditor finding it.
    sign_in(page, live_server, "district_admin")
    open_nav(page, "人员与授权")
    row = page.locator("table.data tbody tr").first
    assert "****" in row.inner_text()
    row.get_by_role("button", name="查看").click()
    row.locator("[data-revealed]").wait_for()
    # 4. 工作日历: holidays and make-up days.
    open_nav(page, "工作日历")
    assert page.locator(".cal .day.rest").count() > 0
    # 5. API 令牌: a token for machines, and the areas through it.
    open_nav(page, "API 令牌")
    page.get_by_label("用途").fill("导览")
    page.get_by_role("button", name="创建", exact=True).click()
    token = page.locator(".secret").inner_text().strip()
    # Outside the browser, so only the token (no session cookie) signs the request in.
    url, bearer = f"{live_server.url}/api/v1/areas", {"Authorization": f"Bearer {token}"}
    request = urllib.request.Request(url, headers=bearer)  # noqa: S310  (the live server)
    with urllib.request.urlopen(request) as answer:  # noqa: S310
        assert answer.status == 200 and json.load(answer)["count"] > 40
    sign_out(page)
    sign_in(page, live_server, "auditor")
    open_nav(page, "审计日志")
    page.get_by_label("动作").select_option(label="查看手机号（用户）")
    page.get_by_role("button", name="筛选").click()
    assert "district_admin" in page.locator("table.data tbody tr").first.inner_text()
    sign_out(page)

    # 6. The community worker's search: initials, an estate, a door; the file and its map.
    sign_in(page, live_server, "community_yangjiaping_01")
    open_nav(page, "居民档案")
    search = page.get_by_label("搜索")
    for typed, found in [("zhl", "张华兰"), ("滨江花园", "滨江花园"), ("3-1-201", "3栋1单元201")]:
        search.fill(typed)
        page.locator("#results tbody", has_text=found).wait_for()
    page.locator("#results tbody a").first.click()
    page.get_by_role("link", name="楼栋图").click()
    page.locator("table.bmap td.door.occupied").first.wait_for()
    screenshot(page, "tour-6-building-map")

    # 7. The ledger's template, and the pages the registry lists.
    open_nav(page, "台账导入")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载台账模板").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    for label, words in [("人口统计", "在住人口"), ("小区", "滨江花园"), ("单位与设施", "单位")]:
        open_nav(page, label)
        assert words in page.locator("main").inner_text()
    sign_out(page)

    # 8. The resident's 随手拍 on a phone, and the grid worker's 我的待办.
    phone, mobile = new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    sign_in(mobile, live_server, "resident_01", landing="/m/")
    mobile.get_by_role("link", name="随手拍").click()
    mobile.get_by_label("问题描述").wait_for()
    phone.close()
    sign_in(page, live_server, "grid_yangjiaping_01")
    assert "我的待办" in page.locator("main").inner_text()
    sign_out(page)

    # 9. The demo's SOS on its grid worker's wall.
    sign_in(page, live_server, "grid_yangjiaping_06")
    open_nav(page, "养老告警")
    page.locator(".alarm", has_text="曾敏强").wait_for()
    assert "一键呼叫" in page.locator(".alarm", has_text="曾敏强").inner_text()
    screenshot(page, "tour-9-alarm-wall")
