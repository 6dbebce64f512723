"""An alarm resolved for follow-up opens a case through a domain event, once; the person file
shows the alarm, how it was handled and the case."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from shequtong.care.alarms import (
    FollowUpNotOpenedError,
    alarm_act,
    follow_up_open,
    follow_ups_pending,
)
from shequtong.care.choices import AlarmStatus, DeviceKind
from shequtong.care.ingest import ingest
from shequtong.care.services import device_register
from shequtong.cases.choices import CaseSource
from shequtong.cases.models import Case
from shequtong.core.errors import DomainError

from .test_alarms import elder, staff  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def _alarm(staff, elder, metric="gas"):  # noqa: F811
    device = device_register(actor=staff, kind=DeviceKind.GAS, serial="GAS-1", profile=elder).device
    return ingest(
        device, [{"at": timezone.now().isoformat(), "metric": metric, "value": 1}]
    ).alarms[0]


def test_a_gas_alarm_resolved_for_follow_up_becomes_a_hazard_case(
    staff,  # noqa: F811
    elder,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    alarm = _alarm(staff, elder)
    with django_capture_on_commit_callbacks(execute=True):
        alarm_act(
            actor=staff,
            alarm=alarm,
            action="resolve",
            outcome="handled",
            note="关闭阀门，通知燃气公司",
            follow_up=True,
        )
    case = Case.objects.get()
    assert case.source == CaseSource.DEVICE and case.category.code == "hazard-gas"
    # Everyone working the case reads it: no name, no staff note (which may hold health
    # details), no door; the alarm's own page, access-checked, has them.
    person = elder.person
    assert case.description == "燃气泄漏告警需要跟进，处置结果：现场处置。详情见关联的告警记录。"
    assert person.name not in case.description and "关闭阀门" not in case.description
    assert case.origin_url == f"/console/care/{elder.pk}/#alarm-{alarm.pk}"
    assert not case.public
    assert case.area_path.startswith(elder.area_path[: len(elder.area_path)])
    alarm.refresh_from_db()
    assert alarm.status == AlarmStatus.RESOLVED and alarm.case_number == case.number
    assert alarm.steps.last().label == f"已转事件 {case.number} 跟进"

    with django_capture_on_commit_callbacks(execute=True):  # asked again: still one case
        follow_up_open(alarm.pk, staff.pk)
    assert Case.objects.count() == 1
    assert alarm.steps.filter(action="case").count() == 1


def test_a_follow_up_the_cases_app_fails_stays_on_the_alarm_and_is_retried(
    staff,  # noqa: F811
    elder,  # noqa: F811
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from shequtong.cases import receivers

    def broken(**_):
        raise RuntimeError("cases app down")

    alarm = _alarm(staff, elder)
    monkeypatch.setattr(receivers, "case_report", lambda **_: broken())
    with django_capture_on_commit_callbacks(execute=True):
        alarm_act(actor=staff, alarm=alarm, action="resolve", outcome="handled", follow_up=True)
    # The task failed, and the worker has it scheduled again.
    (retry,) = settings.HUEY.scheduled()
    assert retry.name.endswith("alarm_follow_up_open") and retry.retries == 19
    with pytest.raises(FollowUpNotOpenedError):
        follow_up_open(alarm.pk, staff.pk)
    alarm.refresh_from_db()
    assert alarm.follow_up_requested_at is not None and alarm.case_number == ""
    assert alarm.steps.filter(action="follow_up").exists()  # visible on the alarm
    assert follow_ups_pending(older_than=timedelta(0)) == [(alarm.pk, staff.pk)]

    monkeypatch.undo()  # the cases app is back: the retry opens the case
    with django_capture_on_commit_callbacks(execute=True):
        follow_up_open(alarm.pk, staff.pk)
    alarm.refresh_from_db()
    assert alarm.case_number == Case.objects.get().number
    assert follow_ups_pending(older_than=timedelta(0)) == []


def test_without_follow_up_no_case_is_opened(staff, elder, django_capture_on_commit_callbacks):  # noqa: F811
    alarm = _alarm(staff, elder, "sos")
    with django_capture_on_commit_callbacks(execute=True):
        alarm_act(actor=staff, alarm=alarm, action="resolve", outcome="false_alarm")
    assert not Case.objects.exists()


def test_recovered_is_the_systems_outcome_not_the_staffs(staff, elder):  # noqa: F811
    with pytest.raises(DomainError, match="请选择处置结果"):
        alarm_act(actor=staff, alarm=_alarm(staff, elder), action="resolve", outcome="recovered")


def test_the_person_file_shows_the_alarm_its_handling_and_the_case(
    client,
    tree,
    staff,  # noqa: F811
    elder,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    alarm = _alarm(staff, elder)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("care:alarm_act", args=[alarm.pk]),
            {"action": "resolve", "outcome": "handled", "note": "已关阀", "follow_up": "1"},
        )
    number = Case.objects.get().number
    page = client.get(reverse("registry:person_detail", args=[elder.person.pk])).content.decode()
    assert "智慧养老" in page and "燃气泄漏" in page and "已关阀" in page
    assert "通知第 1 位联系人：王先生" in page and number in page
