"""What the case page says: the dispatch list by role, the toast after an action in words."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shequtong.cases.services import case_report
from shequtong.core.choices import Role

from .factories import report

pytestmark = pytest.mark.django_db


def test_the_dispatch_list_names_people_by_their_role(client, tree, user_with):
    """A community worker once showed as 贺静（网格）."""
    resident = user_with(Role.RESIDENT, tree.comm_a1)
    worker = user_with(Role.GRID_WORKER, tree.grid_a1a, display_name="王网格")
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1, display_name="贺静")
    case = case_report(actor=resident, report=report(code="city-garbage", area=tree.comm_a1))
    client.force_login(staff)
    page = client.get(case.get_absolute_url()).content.decode()
    grid = page.index('<optgroup label="网格员">')
    community = page.index('<optgroup label="社区工作者">')
    assert grid < page.index("王网格") < community < page.index("贺静", community)
    assert "贺静（网格）" not in page
    assert page.count(f'<option value="{staff.pk}">贺静</option>') == 1
    assert page.count(f'<option value="{worker.pk}">王网格</option>') == 1


def test_the_toast_after_an_action_says_what_was_done_and_where_the_case_is(
    client, tree, user_with
):
    """It once read 已隐患验收：已结案, built from a label the browser sent."""
    resident = user_with(Role.RESIDENT, tree.comm_a1)
    worker = user_with(Role.GRID_WORKER, tree.grid_a1a)
    case = case_report(actor=resident, report=report(code="city-garbage"))
    client.force_login(worker)
    url = reverse("cases:case_act", args=[case.pk])
    answer = client.post(url, {"action": "start", "label": "伪造"}, follow=True)
    text = answer.content.decode()
    assert "接单处置完成，事件现为“处置中”" in text and "伪造" not in text
