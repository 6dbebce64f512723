"""A resident's account in the console and the API: every staff page answers 403 in Chinese with
the way to `/m/` (they once opened empty, 人口统计 even showing a grid with 0 residents), and
`/api/v1/cases` lists the resident's own reports, not nothing and not anyone else's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shequtong.cases.services import case_report
from shequtong.core.choices import Role
from tests.cases.factories import report

pytestmark = pytest.mark.django_db

STAFF_PAGES = [
    "registry:person_list",
    "registry:building_list",
    "registry:estate_list",
    "registry:stats",
    "registry:directory_home",
    "registry:import_list",
    "registry:import_template",
    "web:area_list",
    "web:staff_list",
    "web:audit_list",
    "web:calendar",
    "web:token_list",
    "web:notifications",
    "cases:case_list",
    "cases:case_stats",
    "cases:hazard_register",
    "care:profile_list",
    "care:alarm_wall",
    "care:visit_list",
    "care:order_list",
]


@pytest.fixture
def resident(tree, user_with):
    return user_with(Role.RESIDENT, tree.grid_a1a, display_name="赵居民")


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_a_resident_is_refused_every_staff_page_and_pointed_to_the_portal(client, resident, page):
    client.force_login(resident)
    response = client.get(reverse(page))
    assert response.status_code == 403
    text = response.content.decode()
    assert "无权访问" in text and 'href="/m/"' in text and "前往居民服务" in text


def test_the_console_home_sends_a_resident_to_the_portal(client, resident):
    client.force_login(resident)
    assert client.get(reverse("web:home"))["Location"] == reverse("web:resident_home")


@pytest.mark.parametrize(
    ("role", "page", "words"),
    [
        (Role.DEPARTMENT_HANDLER, "registry:person_list", "您无权查看居民档案"),
        (Role.DEPARTMENT_HANDLER, "web:audit_list", "您无权查看审计日志"),
        (Role.GRID_WORKER, "web:staff_list", "您无权查看人员与授权"),
        (Role.AUDITOR, "registry:building_list", "您无权查看楼栋"),
    ],
)
def test_a_staff_page_a_role_may_not_use_answers_403_naming_it(
    client, tree, user_with, role, page, words
):
    area = tree.sub_a if role in (Role.DEPARTMENT_HANDLER, Role.AUDITOR) else tree.grid_a1a
    client.force_login(user_with(role, area))
    response = client.get(reverse(page))
    assert response.status_code == 403 and words in response.content.decode()
    assert 'href="/m/"' not in response.content.decode()  # staff go back to the console


def test_a_residents_api_lists_their_own_reports(client, tree, resident, user_with):
    neighbour = user_with(Role.RESIDENT, tree.grid_a1a, display_name="钱邻居")
    mine = case_report(actor=resident, report=report(description="我家楼道灯坏了"))
    theirs = case_report(actor=neighbour, report=report(description="隔壁的诉求"))
    client.force_login(resident)
    listed = client.get("/api/v1/cases").json()["items"]
    assert [c["id"] for c in listed] == [mine.pk]
    assert theirs.pk not in [c["id"] for c in listed]
    assert client.get("/api/v1/cases", {"status": "closed"}).json()["items"] == []
