"""Dates survive a save: every console form with a date, opened in a real browser and saved
untouched, stores the dates it was showing (a browser's date input shows nothing it cannot read
as ISO, and a save then erases the date)."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from shequtong.cases.models import Hazard
from shequtong.core.choices import Role
from shequtong.core.demo import seed_demo
from shequtong.core.models import RoleGrant
from shequtong.registry.models import Person, PersonTag, PersonTagAssignment

from .conftest import screenshot
from .test_roles import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def community_staff_over(area) -> str:
    """The demo's community worker whose community holds `area`."""
    grants = RoleGrant.objects.filter(role=Role.COMMUNITY_STAFF).select_related("area", "user")
    return next(g.user.username for g in grants if area.path.startswith(g.area.path))


def test_a_hazard_saved_untouched_keeps_its_rectification_deadline(page, live_server):
    seed_demo()
    hazard = Hazard.objects.select_related("case__area").filter(rectify_by__isnull=False).first()
    Hazard.objects.filter(pk=hazard.pk).update(rectify_by=date(2027, 1, 4))
    sign_in(page, live_server, community_staff_over(hazard.case.area))
    page.goto(f"{live_server.url}/console/cases/{hazard.case_id}/")

    deadline = page.get_by_label("整改期限")
    assert deadline.input_value() == "2027-01-04"  # what the browser shows, not an empty box
    panel = page.locator("section", has=page.locator("h2", has_text="隐患信息"))
    panel.get_by_role("button").click()
    page.wait_for_load_state()
    screenshot(page, "dates-hazard-saved")

    hazard.refresh_from_db()
    assert hazard.rectify_by == date(2027, 1, 4)


def test_the_person_pages_dates_show_today_and_a_tag_saved_untouched_starts_today(
    page, live_server
):
    seed_demo()
    tagged = PersonTagAssignment.objects.values_list("person_id", flat=True)
    person = Person.objects.select_related("area").exclude(pk__in=tagged).first()
    sign_in(page, live_server, community_staff_over(person.area))
    page.goto(f"{live_server.url}/console/registry/persons/{person.pk}/")

    today = timezone.localdate().isoformat()
    assert page.get_by_label("起始日期").input_value() == today
    assert page.get_by_label("日期", exact=True).input_value() == today  # 迁出或死亡登记
    tag_name = page.locator("select[name=tag] option").first.inner_text()
    page.get_by_role("button", name="添加标签").click()
    page.wait_for_load_state()

    added = PersonTagAssignment.objects.get(person=person, tag=PersonTag.objects.get(name=tag_name))
    assert added.started_on == timezone.localdate()
