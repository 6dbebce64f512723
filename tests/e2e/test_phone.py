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
