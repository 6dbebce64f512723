"""The care pages: a profile from the person file, consent, contacts, a device with its token
shown once, the health notes revealed only with the grant (and audited)."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from shequtong.care.models import CareProfile, Device
from shequtong.core.choices import Role
from shequtong.core.models import AuditEntry
from shequtong.registry.models import Person
from shequtong.registry.services import PersonData, apply_person_data
from tests.registry.factories import id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(tree):
    person = Person(area=tree.grid_a1a, area_path=tree.grid_a1a.path)
    apply_person_data(person, PersonData(name="李爷爷", id_number=id_number(5)), None)
    person.save()
    return person


def test_from_the_person_file_to_a_bound_device(client, tree, person, user_with):
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    client.force_login(staff)
    file = client.get(reverse("registry:person_detail", args=[person.pk])).content.decode()
    assert "建立照护档案" in file
    made = client.post(
        f"{reverse('care:profile_new')}?person={person.pk}",
        {"living": "alone", "care_level": "partial"},
    )
    profile = CareProfile.objects.get(person=person)
    assert made["Location"] == reverse("care:profile_detail", args=[profile.pk])
    assert profile.thresholds["spo2_min"] == 92

    change = reverse("care:profile_change", args=[profile.pk])
    page = client.get(made["Location"]).content.decode()
    assert "未登记监测同意" in page and 'value="device"' not in page  # no device before consent
    client.post(change, {"what": "consent", "by": "李爷爷本人", "scope": "一键呼叫"})
    client.post(
        change,
        {
            "what": "contact",
            "kind": "family",
            "name": "李女士",
            "phone": "13900001111",
            "ack_minutes": 3,
        },
    )
    bound = client.post(
        change, {"what": "device", "kind": "sos_button", "serial": "SOS-9"}, follow=True
    )
    token = re.search(r"dev_[A-Za-z0-9_-]+", bound.content.decode()).group(0)
    assert Device.objects.get(serial="SOS-9").profile == profile
    assert token not in client.get(made["Location"]).content.decode()  # shown once
    now = timezone.now().isoformat()
    sent = client.post(
        "/api/v1/care/ingest",
        json.dumps(
            [
                {"at": now, "metric": "battery", "value": 15},
                {"at": now, "metric": "heart_rate", "value": 76},
            ]
        ),
        content_type="application/json",
        HTTP_X_DEVICE_TOKEN=token,
    )
    assert sent.status_code == 200 and sent.json()["accepted"] == 2
    detail = client.get(made["Location"]).content.decode()
    assert "心率 76" in detail and '<span class="badge badge-warn">15%</span>' in detail
    device = Device.objects.get(serial="SOS-9")
    client.post(
        reverse("care:profile_change", args=[profile.pk]), {"what": "unbind", "device": device.pk}
    )
    device.refresh_from_db()
    assert device.profile is None
    listing = client.get(reverse("care:profile_list")).content.decode()
    assert "李爷爷" in listing and "已同意" in listing


def test_health_notes_are_revealed_with_the_grant_and_audited(client, tree, person, user_with):
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    worker = user_with(Role.GRID_WORKER, tree.grid_a1a)
    client.force_login(staff)
    client.post(
        f"{reverse('care:profile_new')}?person={person.pk}",
        {"living": "alone", "care_level": "self_care"},
    )
    profile = CareProfile.objects.get()
    client.post(
        reverse("care:profile_change", args=[profile.pk]), {"what": "notes", "notes": "高血压"}
    )
    assert (
        "高血压"
        not in client.get(reverse("care:profile_detail", args=[profile.pk])).content.decode()
    )
    shown = client.post(reverse("care:profile_reveal", args=[profile.pk])).content.decode()
    assert "高血压" in shown
    assert AuditEntry.objects.filter(action="pii.reveal", actor=staff).exists()

    client.force_login(worker)
    page = client.get(reverse("care:profile_detail", args=[profile.pk])).content.decode()
    assert "高血压" not in page and f"care/{profile.pk}/reveal" not in page
    assert client.post(reverse("care:profile_reveal", args=[profile.pk])).status_code == 403


def test_thresholds_from_the_profile_page_with_errors_named(client, tree, person, user_with):
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    client.force_login(staff)
    client.post(
        f"{reverse('care:profile_new')}?person={person.pk}",
        {"living": "alone", "care_level": "self_care"},
    )
    profile = CareProfile.objects.get()
    change = reverse("care:profile_change", args=[profile.pk])
    form = {"what": "thresholds", "heart_low": "50", "heart_high": "115", "spo2_min": "92"}
    bad = client.post(change, {**form, "idle_hours": "八"})
    assert bad.status_code == 400 and "无活动时长应为整数" in bad.content.decode()
    client.post(change, {**form, "idle_hours": "8", "safe_radius_m": ""})
    profile.refresh_from_db()
    assert profile.thresholds == {"heart_rate": [50, 115], "spo2_min": 92, "idle_hours": 8}
    page = client.get(reverse("care:profile_detail", args=[profile.pk])).content.decode()
    assert "心率 50–115" in page and "未设安全区域" in page
