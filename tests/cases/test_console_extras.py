"""Saved case-list views, the per-area counts with the on-time rate, and the inbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shequtong.cases.models import Case, SavedView
from shequtong.cases.selectors import area_counts
from shequtong.cases.services import case_act, case_report
from shequtong.core.choices import Role
from shequtong.core.models import Notification

from .factories import report

pytestmark = pytest.mark.django_db


def test_a_saved_view_keeps_the_filters_and_is_the_users_own(client, tree, grid_worker, user_with):
    client.force_login(grid_worker)
    client.post(
        reverse("cases:saved_view_save"),
        {"name": "我的超期", "query": "status=open&deadline=overdue&page=3"},
    )
    view = SavedView.objects.get(user=grid_worker)
    assert view.query == "status=open&deadline=overdue"  # the page is not a filter
    listing = client.get(reverse("cases:case_list")).content.decode()
    assert "我的超期" in listing and "?status=open&amp;deadline=overdue" in listing

    other = user_with(Role.GRID_WORKER, tree.grid_a1b)
    client.force_login(other)
    assert "我的超期" not in client.get(reverse("cases:case_list")).content.decode()
    client.post(reverse("cases:saved_view_delete", args=[view.pk]))
    assert SavedView.objects.filter(pk=view.pk).exists()  # not theirs to delete
    client.force_login(grid_worker)
    client.post(reverse("cases:saved_view_delete", args=[view.pk]))
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_area_counts_and_the_on_time_rate(client, tree, grid_worker, user_with):
    resident = user_with(Role.RESIDENT, tree.comm_a1)
    on_time = case_report(actor=resident, report=report(code="city-garbage"))
    late = case_report(actor=resident, report=report(code="city-garbage"))
    case_report(actor=resident, report=report(code="city-garbage"))  # still open
    for case in (on_time, late):
        case = case_act(actor=grid_worker, case=case, action="start")
        case_act(actor=grid_worker, case=case, action="resolve", note="已清运")
    Case.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=1))
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    client.force_login(staff)
    page = client.get(reverse("cases:case_stats")).content.decode()
    assert tree.grid_a1a.name in page and "50%" in page  # one of two finished on time


def test_an_open_case_past_its_deadline_counts_as_late(client, tree, grid_worker, user_with):
    """统计 once showed 100 % on time while three overdue cases were open."""
    resident = user_with(Role.RESIDENT, tree.comm_a1)
    done = case_report(actor=resident, report=report(code="city-garbage"))
    done = case_act(actor=grid_worker, case=done, action="start")
    case_act(actor=grid_worker, case=done, action="resolve", note="已清运")
    overdue = [case_report(actor=resident, report=report(code="city-garbage")) for _ in range(3)]
    Case.objects.filter(pk__in=[c.pk for c in overdue]).update(
        due_at=timezone.now() - timedelta(hours=1)
    )
    case_report(actor=resident, report=report(code="city-garbage"))  # open, not yet due
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    (row,) = [r for r in area_counts(user=staff, areas=[tree.comm_a1]) if r.area == tree.comm_a1]
    assert (row.total, row.open, row.overdue, row.closed, row.on_time) == (5, 4, 3, 1, 1)
    assert row.on_time_rate == 0.25  # one on time of one finished and three late
    client.force_login(staff)
    page = client.get(reverse("cases:case_stats")).content.decode()
    assert "25%" in page and "100%" not in page

    # The range is of the reporting date: tomorrow holds nothing; a reversed range is named.
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert (
        area_counts(
            user=staff, areas=[tree.comm_a1], since=timezone.localdate() + timedelta(days=1)
        )[0].total
        == 0
    )
    ranged = client.get(reverse("cases:case_stats"), {"since": tomorrow})
    assert ranged.context["total"].total == 0
    wrong = client.get(reverse("cases:case_stats"), {"since": tomorrow, "until": "2020-01-01"})
    assert "截止日期不能早于起始日期" in wrong.content.decode()


def test_the_inbox_counts_lists_and_marks_read(client, tree, grid_worker, user_with):
    resident = user_with(Role.RESIDENT, tree.comm_a1)
    case_report(actor=resident, report=report())
    client.force_login(grid_worker)
    home = client.get(reverse("web:home")).content.decode()
    assert "通知，未读 1 条" in home
    inbox = client.get(reverse("web:notifications")).content.decode()
    assert "新事件" in inbox and "新</span>" in inbox
    assert not Notification.objects.filter(user=grid_worker, read_at__isnull=True).exists()
    assert "通知，未读 0 条" in client.get(reverse("web:home")).content.decode()


def test_the_resident_sees_new_messages_on_the_portal(client, tree, grid_worker, user_with):
    resident = user_with(Role.RESIDENT, tree.comm_a1)
    case = case_report(actor=resident, report=report(code="city-garbage"))
    case = case_act(actor=grid_worker, case=case, action="start")
    case_act(actor=grid_worker, case=case, action="resolve", note="已清运")
    client.force_login(resident)
    portal = client.get(reverse("web:resident_home")).content.decode()
    assert "新消息" in portal and "已办结" in portal
    client.post(reverse("web:notifications_read"), {"next": "/m/"})
    assert "新消息" not in client.get(reverse("web:resident_home")).content.decode()
