"""The alarm wall in a real browser: the demo elder's SOS is on it; nobody in the chain answers
in time, so the next contact is called; a new SOS appears within the 2-second refresh without
reloading; the grid worker acknowledges and resolves it; the profile shows it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shequtong.care.alarms import escalate
from shequtong.care.choices import AlarmStatus
from shequtong.care.ingest import ingest
from shequtong.care.models import Alarm, Device
from shequtong.core.demo import seed_demo

from .conftest import screenshot
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

    page.goto(f"{live_server.url}/console/care/{first.profile.pk}/")
    assert "已处置" in page.locator("table.data").last.inner_text()
