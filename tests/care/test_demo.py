"""The demo's elders under care: consent, contacts, devices, and one SOS on the wall."""

from __future__ import annotations

import pytest

from shequtong.care.choices import AlarmKind, CareOrderStatus
from shequtong.care.models import Alarm, CareOrder, CareProfile, Device, Visit, VisitPlan
from shequtong.care.selectors import visits_due
from shequtong.core.choices import Role
from shequtong.core.demo import seed_demo
from shequtong.core.models import RoleGrant

pytestmark = pytest.mark.django_db


def test_the_demo_has_elders_under_care_an_sos_to_answer_visits_due_and_orders():
    seed_demo()
    profiles = CareProfile.objects.all()
    assert profiles.count() >= 6
    assert all(p.consented and p.contacts.count() == 2 for p in profiles)
    assert Device.objects.filter(profile__in=profiles).count() == 2 * profiles.count()
    (alarm,) = Alarm.objects.all()
    assert alarm.kind == AlarmKind.SOS and alarm.chain_position == 1
    assert all("heart_rate" in d.last_state for d in Device.objects.filter(kind="wearable"))
    assert VisitPlan.objects.count() >= 3 and Visit.objects.exists()
    staff = RoleGrant.objects.filter(role=Role.DISTRICT_ADMIN).first().user
    due = visits_due(user=staff)
    assert any(row.overdue_days > 0 for row in due)  # the overdue list has work on it
    assert CareOrder.objects.filter(status=CareOrderStatus.RATED).exists()
    assert CareOrder.objects.filter(status=CareOrderStatus.REQUESTED).exists()
