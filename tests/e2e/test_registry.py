"""The registry as a community worker uses it: template, a ledger with mistakes, the fix, the
search by pinyin initials, and the building map on a phone."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from shequtong.core.choices import Role
from shequtong.core.demo import seed_demo
from shequtong.core.models import RoleGrant
from shequtong.registry.models import Person

from ..registry.factories import HEADER, name, person_row
from .conftest import open_nav, screenshot
from .test_roles import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MISTAKES = {
    # data row index → (column, bad value, the words the page must show)
    4: ("身份证号", "CHECKSUM", "校验位错误"),
    11: ("联系电话", "1380013", "电话号码格式错误"),
    19: ("性别", "SWAP", "性别与身份证号不符"),
    27: ("特殊人群", "外星人", "不在人群标签目录中"),
    34: ("身份证号", "DUP", "重复"),  # a woman, as the duplicated ID says
}


def fill_template(template: Path, out: Path, *, mistakes: bool) -> Path:
    """The downloaded template with its sample row replaced by 50 residents."""
    book = load_workbook(template)
    sheet = book["人口台账"]
    header = [c.value for c in sheet[1]]
    sheet.delete_rows(2, sheet.max_row)
    for n in range(50):
        values = dict(zip(header, [""] * len(header), strict=True))
        row = dict(zip(HEADER, person_row(n + 100), strict=True))
        row["小区"] = "试点小区"
        values.update(row)
        if mistakes and n in MISTAKES:
            column, bad, _ = MISTAKES[n]
            if bad == "CHECKSUM":
                good = values[column]
                values[column] = good[:-1] + ("1" if good[-1] != "1" else "2")
            elif bad == "SWAP":
                values[column] = "女" if values[column] == "男" else "男"
            elif bad == "DUP":
                values[column] = person_row(100)[2]  # the first row's ID number
            else:
                values[column] = bad
        sheet.append([values[h] for h in header])
    book.save(out)
    return out


def test_import_with_mistakes_fix_and_find(page, live_server, tmp_path, new_page):
    seed_demo()
    sign_in(page, live_server, "community_yangjiaping_01")
    open_nav(page, "台账导入")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载台账模板").click()
    template = tmp_path / "模板.xlsx"
    download.value.save_as(template)

    bad = fill_template(template, tmp_path / "台账.xlsx", mistakes=True)
    page.get_by_label("台账文件").set_input_files(str(bad))
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_selector("#job-state:has-text('待确认')")
    table = page.locator("#rejected-rows").inner_text()
    for index, (column, _, words) in MISTAKES.items():
        line = next(t for t in table.splitlines() if t.startswith(str(index + 2)))
        assert column in line and words in line, line
    assert page.locator("[data-count=rejected]").inner_text() == "5"
    assert page.locator("[data-count=new]").inner_text() == "45"
    screenshot(page, "import-checked")
    pilot = Person.objects.filter(dwelling__building__estate__name="试点小区")
    assert not pilot.exists()  # nothing written before confirming

    page.get_by_role("button", name="确认导入").click()
    page.wait_for_load_state()
    screenshot(page, "import-done")
    page.wait_for_selector("#job-state:has-text('已完成')")
    assert pilot.count() == 45

    # The fixed file: the same 50 rows without mistakes. Only the five are new.
    fixed = fill_template(template, tmp_path / "台账-已改.xlsx", mistakes=False)
    open_nav(page, "台账导入")
    page.get_by_label("台账文件").set_input_files(str(fixed))
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_selector("#job-state:has-text('待确认')")
    assert page.locator("[data-count=new]").inner_text() == "5"
    assert page.locator("[data-count=unchanged]").inner_text() == "45"
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_selector("#job-state:has-text('已完成')")
    assert pilot.count() == 50

    # Find one of the five by the initials of their name: 郑娜芳 is "znf", as are three others
    # of the ledger and nobody in the demo district.
    newcomer = name(100 + 27)
    assert newcomer == "郑娜芳"
    open_nav(page, "居民档案")
    page.get_by_label("搜索").fill("znf")
    page.wait_for_selector("#results .pager:has-text('共 4 条')")  # the live search
    found = sorted(page.locator("#results tbody tr td:first-child a").all_inner_texts())
    assert found == ["周娜芳", "张娜芳", "赵娜芳", "郑娜芳"], found
    screenshot(page, "search-initials")

    # The ledger named no grid: its three buildings wait in the community, unseen by any grid
    # worker, until the community puts the estate in its grid.
    open_nav(page, "楼栋")
    assert page.locator(".page-head .badge-warn").inner_text() == "3 栋未归入网格"
    open_nav(page, "小区")
    page.get_by_label("选择试点小区").check()
    page.get_by_label("将勾选小区的全部楼栋归入").select_option(
        label="杨家坪社区 · 杨家坪社区第1网格"
    )
    page.get_by_role("button", name="归入网格").click()
    page.wait_for_load_state()
    assert (
        "已将 3 栋楼归入杨家坪社区第1网格，50 位居民随之调整"
        in page.locator("#toasts").inner_text()
    )

    # The building map on a phone, reached as that grid worker would: search, person, 楼栋图.
    worker = RoleGrant.objects.get(role=Role.GRID_WORKER, area__name="杨家坪社区第1网格").user
    phone, mobile = new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    sign_in(mobile, live_server, worker.username)
    open_nav(mobile, "居民档案")
    mobile.get_by_label("搜索").fill("znf")
    mobile.wait_for_selector("#results .pager:has-text('共 4 条')")
    mobile.get_by_role("link", name=newcomer).click()
    mobile.wait_for_selector("h2:has-text('档案变更记录')")
    mobile.get_by_role("link", name="楼栋图").click()
    mobile.wait_for_selector("table.bmap td.door.occupied")
    # 郑娜芳 lives in 试点小区 2栋; the ledger puts the 17 residents of 2栋 behind two doors,
    # 1单元 202 and 501 (rows n ≡ 1 mod 3: n mod 6 = 1 → 202, n mod 6 = 4 → 501).
    doors = mobile.locator("td.door.occupied").all_inner_texts()
    assert sorted(d.split()[0] for d in doors) == ["202", "501"], doors
    # The whole map fits the phone: no sideways scrolling, not even inside its box.
    assert mobile.evaluate("document.querySelector('.bmap-wrap').scrollWidth") <= 390
    screenshot(mobile, "building-map-phone")
    phone.close()
