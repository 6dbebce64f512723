"""The alarm wall in a real browser: the demo elder's SOS is on it; nobody in the chain answers
in time, so the next contact is called; a new SOS appears within the 2-second refresh without
reloading; the grid worker acknowledges and resolves it; the profile shows it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from shequtong.care import simulate
from shequtong.care.alarms import escalate
from shequtong.care.choices import AlarmStatus
from shequtong.care.ingest import ingest
from shequtong.care.models import Alarm, CareProfile, Device, Visit
from shequtong.care.watch import sweep
from shequtong.core.choices import Role
from shequtong.core.demo import seed_demo
from shequtong.core.models import Area, RoleGrant

from .conftest import open_care_profile, screenshot
from .test_roles import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_wall_lights_up_escalates_and_is_answered(page, live_server):
    seed_demo()
    (first,) = Alarm.objects.all()
    contact = first.profile.contacts.get(order=2)  # the grid worker, second in the chain
    escalate(timezone.now() + timedelta(minutes=6))  # the son did not answer in 5 minutes
    first.refresh_from_db()
    assert first.chain_position == 2

    sign_in(page, live_server, contact.user.username)
    page.get_by_role("link", name="养老告警", exact=True).first.click()
    wall = page.locator("#wall")
    assert first.profile.person.name in wall.inner_text()

    # A wristband reports a fall while the page is open: it appears without a reload.
    band = Device.objects.get(profile=first.profile, kind="wearable")
    ingest(band, [{"at": timezone.now().isoformat(), "metric": "fall", "value": 1}])
    page.locator(".alarm", has_text="跌倒").wait_for(timeout=5_000)
    screenshot(page, "care-alarm-wall")

    card = page.locator(".alarm", has_text="一键呼叫")
    card.get_by_role("button", name="响应").click()
    page.wait_for_load_state()
    card = page.locator(".alarm", has_text="一键呼叫")
    card.locator("select[name=outcome]").select_option(label="现场处置")
    card.locator("input[name=note]").fill("老人起夜摔倒，已扶起，无外伤")
    card.get_by_role("button", name="处置完毕").click()
    page.wait_for_load_state()
    first.refresh_from_db()
    assert first.status == AlarmStatus.RESOLVED and first.acknowledged_by == contact.user
    assert page.locator(".alarm", has_text="一键呼叫").count() == 0

    open_care_profile(page, first.profile.person.name)
    assert "已处置" in page.locator("table.data").last.inner_text()


def test_bind_press_sos_escalate_resolve_for_follow_up_visit(page, live_server):
    """The issue's walk-through: a staff member binds a wristband on the profile page and hands
    its token to the simulator; its SOS lights the wall; the first contact lets the time pass and
    the second is called; she sends the grid worker to the door and resolves it for follow-up,
    which opens a case; the person file shows the alarm and the case; a visit is recorded with
    the phone's position."""
    seed_demo()
    profile = CareProfile.objects.exclude(alarms__isnull=False).order_by("pk").first()
    staff = RoleGrant.objects.filter(
        role=Role.COMMUNITY_STAFF, area_id__in=Area(path=profile.area_path).path_ids
    ).first()
    sign_in(page, live_server, staff.user.username)
    open_care_profile(page, profile.person.name)
    device_form = page.locator("form", has=page.locator("input[name=serial]"))
    device_form.locator("select[name=kind]").select_option(label="智能手环/手表")
    device_form.locator("input[name=serial]").fill("SIM-BAND-1")
    device_form.get_by_role("button", name="绑定设备").click()
    token = re.search(r"dev_[\w-]+", page.locator("#toasts").inner_text()).group(0)

    band = simulate.Simulated("SIM-BAND-1", "wearable", token)
    simulate.http_sender(live_server.url)(
        band, [{"at": timezone.now().isoformat(), "metric": "sos", "value": 1}]
    )
    page.get_by_role("link", name="养老告警", exact=True).first.click()
    card = page.locator(".alarm", has_text=profile.person.name)
    card.wait_for(timeout=5_000)
    assert "已通知 1 位联系人" in card.inner_text()

    sweep(timezone.now() + timedelta(minutes=6))  # the son let his 5 minutes pass
    card = page.locator(".alarm", has_text=profile.person.name)
    card.filter(has_text="已通知 2 位联系人").wait_for(timeout=5_000)
    worker = profile.contacts.get(order=2).user  # the grid worker is sent to the door
    card.locator("select[name=responder]").select_option(label=worker.display_name)
    card.get_by_role("button", name="派人上门").click()
    page.wait_for_load_state()
    assert (
        f"已派 {worker.display_name} 上门"
        in page.locator(".alarm", has_text=profile.person.name).inner_text()
    )
    card = page.locator(".alarm", has_text=profile.person.name)
    card.locator("select[name=outcome]").select_option(label="送医")
    card.locator("input[name=note]").fill("胸闷，已由 120 送区人民医院")
    card.get_by_label("转事件跟进").check()
    card.get_by_role("button", name="处置完毕").click()
    page.wait_for_load_state()
    alarm = Alarm.objects.get(device__serial="SIM-BAND-1")
    assert alarm.status == AlarmStatus.RESOLVED and alarm.case_number

    open_care_profile(page, profile.person.name)
    page.get_by_role("link", name="居民档案", exact=True).last.click()
    page.wait_for_load_state()
    panel = page.locator("section.panel", has_text="智慧养老")
    assert alarm.case_number in panel.inner_text() and "通知第 2 位联系人" in panel.inner_text()
    screenshot(page, "care-person-file")

    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"longitude": 106.55, "latitude": 29.56})
    open_care_profile(page, profile.person.name)
    visit_form = page.locator("#visits form")
    visit_form.locator("select[name=finding]").select_option(label="情况良好")
    visit_form.get_by_role("button", name="使用当前位置").click()
    visit_form.get_by_text("已定位").wait_for()
    visit_form.get_by_role("button", name="记录走访").click()
    page.wait_for_load_state()
    visit = Visit.objects.get(profile=profile)
    assert (visit.lon, visit.lat) == (106.55, 29.56) and visit.visitor == staff.user
