"""The demo's elders under care: consent, contacts, devices, and one SOS on the wall."""

from __future__ import annotations

import pytest

from shequtong.care.choices import AlarmKind
from shequtong.care.models import Alarm, CareProfile, Device
from shequtong.core.demo import seed_demo

pytestmark = pytest.mark.django_db


def test_the_demo_has_elders_under_care_and_an_sos_to_answer():
    seed_demo()
    profiles = CareProfile.objects.all()
    assert profiles.count() >= 6
    assert all(p.consented and p.contacts.count() == 2 for p in profiles)
    assert Device.objects.filter(profile__in=profiles).count() == 2 * profiles.count()
    (alarm,) = Alarm.objects.all()
    assert alarm.kind == AlarmKind.SOS and alarm.chain_position == 1
