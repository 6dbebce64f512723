"""The console on a grid worker's phone: every page each role can reach from the menu, and the
first item each list leads to, fits 390 px without sideways scrolling (a wide table scrolls
inside its own box). Screenshots of each are saved to look at."""

from __future__ import annotations

import pytest

from shequtong.core.choices import Role
from shequtong.core.demo import seed_demo
from shequtong.core.models import RoleGrant

from .conftest import open_nav, screenshot
from .test_roles import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
WIDTH = "document.documentElement.scrollWidth"


def menu_labels(page) -> list[str]:
    return page.locator("aside nav a").all_inner_texts()


@pytest.mark.parametrize(
    "role", [Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.SUBDISTRICT_ADMIN, Role.AUDITOR]
)
def test_every_console_page_fits_a_phone(new_page, live_server, role):
    seed_demo()
    user = RoleGrant.objects.filter(role=role).order_by("pk").first().user
    _, page = new_page(**PHONE)
    sign_in(page, live_server, user.username)
    assert page.locator("aside nav").is_hidden()  # folded behind 菜单 on a phone
    too_wide: dict[str, int] = {}

    def check(name: str) -> None:
        page.wait_for_load_state("networkidle")
        width = page.evaluate(WIDTH)
        screenshot(page, f"phone-{role}-{name}")
        if width > 390:
            too_wide[name] = width

    check("首页")
    page.get_by_role("button", name="菜单").click()
    labels = [label for label in menu_labels(page) if label != "首页"]
    page.get_by_role("button", name="菜单").click()
    assert len(labels) >= 3, labels
    for label in labels:
        open_nav(page, label)
        check(label)
        first = page.locator("main table.data tbody a").first
        if first.count():
            first.click()
            check(f"{label}-详情")
    assert too_wide == {}, f"wider than 390 px: {too_wide}"


def test_the_forms_a_community_worker_fills_fit_a_phone(new_page, live_server):
    """Reached by their buttons: 登记事件, 登记组织, and a case's actions."""
    seed_demo()
    _, page = new_page(**PHONE)
    sign_in(page, live_server, "community_yangjiaping_01")
    too_wide: dict[str, int] = {}

    def check(name: str) -> None:
        page.wait_for_load_state("networkidle")
        screenshot(page, f"phone-form-{name}")
        if (width := page.evaluate(WIDTH)) > 390:
            too_wide[name] = width

    open_nav(page, "事件处置")
    page.get_by_role("link", name="登记事件").click()
    page.get_by_label("问题描述").wait_for()
    check("登记事件")
    open_nav(page, "事件处置")
    page.locator("main table.data tbody a").first.click()
    page.locator(".case-actions").wait_for()
    check("事件详情")
    open_nav(page, "单位与设施")
    page.get_by_role("link", name="登记组织").click()
    page.get_by_label("统一社会信用代码").wait_for()
    check("登记组织")
    open_nav(page, "台账导入")
    check("台账导入")
    assert too_wide == {}, f"wider than 390 px: {too_wide}"
