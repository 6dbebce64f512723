"""From sign-up to confirmed hours: places never oversold, check-in only in its window, at the
venue and once, hours no longer than the activity, each confirmation one record and one deposit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shequtong.core.errors import DomainError
from shequtong.core.models import AuditEntry, Notification
from shequtong.ledger.models import Unit
from shequtong.ledger.selectors import ledger_problems
from shequtong.volunteering.choices import CheckinMethod, SignUpStatus
from shequtong.volunteering.models import ServiceRecord
from shequtong.volunteering.services import (
    activity_close,
    activity_for_code,
    check_in,
    check_out,
    hours_confirm,
    signup,
    signup_cancel,
    signup_select,
    suggested_minutes,
    venue_code,
    volunteer_apply,
    volunteer_rate,
)
from shequtong.volunteering.services.bank import balance
from tests.volunteering.helpers import activity, resident, volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(tree, staff, caplog):
    made = []
    for n in (1, 2):
        user, someone = resident(n, tree.grid_a1a, caplog)
        made.append((user, someone, volunteer(staff, user, someone)))
    return made


def test_only_an_approved_volunteer_signs_up(tree, staff, caplog):
    user, someone = resident(3, tree.grid_a1a, caplog)
    applied = volunteer_apply(actor=user, person=someone, kind="resident")
    with pytest.raises(DomainError, match="审核通过后"):
        signup(actor=user, activity=activity(staff, tree.comm_a1), volunteer=applied)


def test_the_last_place_goes_to_one(tree, staff, two):
    event = activity(staff, tree.comm_a1, places=1)
    (u1, _, v1), (u2, _, v2) = two
    assert signup(actor=u1, activity=event, volunteer=v1).status == SignUpStatus.ACCEPTED
    with pytest.raises(DomainError, match="名额已满（共 1 人）"):
        signup(actor=u2, activity=event, volunteer=v2)
    with pytest.raises(DomainError, match="已报名"):
        signup(actor=u1, activity=event, volunteer=v1)
    # A cancelled place is free again, and the one who cancelled may come back.
    signup_cancel(actor=u1, entry=event.signups.get(volunteer=v1))
    assert signup(actor=u2, activity=event, volunteer=v2).status == SignUpStatus.ACCEPTED


def test_selection_never_accepts_past_the_places(tree, staff, two):
    event = activity(staff, tree.comm_a1, places=1, needs_selection=True)
    (u1, _, v1), (u2, _, v2) = two
    first = signup(actor=u1, activity=event, volunteer=v1)
    second = signup(actor=u2, activity=event, volunteer=v2)
    assert first.status == second.status == SignUpStatus.APPLIED
    signup_select(actor=staff, entry=first, accept=True)
    with pytest.raises(DomainError, match="名额已满"):
        signup_select(actor=staff, entry=second, accept=True)
    signup_select(actor=staff, entry=second, accept=False)
    assert Notification.objects.filter(user=u2, title__contains="未录用").exists()


def test_no_sign_up_to_a_draft_a_closed_or_an_ended_activity(tree, staff, two):
    (user, _, v), _ = two
    with pytest.raises(DomainError, match="不在招募中"):
        signup(actor=user, activity=activity(staff, tree.comm_a1, publish=False), volunteer=v)
    closed = activity_close(actor=staff, activity=activity(staff, tree.comm_a1))
    with pytest.raises(DomainError, match="不在招募中"):
        signup(actor=user, activity=closed, volunteer=v)
    ended = activity(staff, tree.comm_a1, start=timezone.now() - timedelta(hours=3), hours=1)
    with pytest.raises(DomainError, match="已结束"):
        signup(actor=user, activity=ended, volunteer=v)


def test_activity_input_is_checked_field_by_field(tree, staff):
    with pytest.raises(DomainError) as caught:
        activity(staff, tree.comm_a1, hours=25, places=0)
    assert set(caught.value.fields) == {"ends_at", "places"}
    with pytest.raises(DomainError) as caught:
        activity(staff, tree.comm_a1, hours=-1)
    assert caught.value.fields["ends_at"] == ["结束时间须晚于开始时间"]


def test_check_in_by_the_venues_code_then_out(tree, staff, two):
    (user, _, v), _ = two
    event = activity(staff, tree.comm_a1)
    signup(actor=user, activity=event, volunteer=v)
    scanned = activity_for_code(venue_code(event))
    entry = check_in(actor=user, activity=scanned, volunteer=v, method=CheckinMethod.QR)
    assert entry.checked_in_at and entry.checkin_method == "qr"
    with pytest.raises(DomainError, match=r"已于 .* 签到"):
        check_in(actor=user, activity=scanned, volunteer=v, method=CheckinMethod.QR)
    assert check_out(actor=user, activity=event, volunteer=v).checked_out_at
    with pytest.raises(DomainError, match="已签退"):
        check_out(actor=user, activity=event, volunteer=v)


def test_a_stale_or_forged_code_does_not_check_in(tree, staff):
    event = activity(staff, tree.comm_a1)
    with pytest.raises(DomainError, match="已过期"):
        activity_for_code(venue_code(event, at=timezone.now() - timedelta(minutes=3)))
    assert activity_for_code(venue_code(event, at=timezone.now() - timedelta(seconds=61))) == event
    pk, window, mac = venue_code(event).split("-")
    for forged in (f"{pk}-{window}-{'0' * 12}", f"{int(pk) + 1}-{window}-{mac}", "nonsense", ""):
        with pytest.raises(DomainError, match="无法识别"):
            activity_for_code(forged)


def test_check_in_only_in_its_window(tree, staff, two):
    (user, _, v), _ = two
    early = activity(staff, tree.comm_a1, start=timezone.now() + timedelta(hours=1))
    signup(actor=user, activity=early, volunteer=v)
    with pytest.raises(DomainError, match="签到尚未开始"):
        check_in(actor=user, activity=early, volunteer=v, method=CheckinMethod.QR)
    soon = activity(staff, tree.comm_a1, start=timezone.now() + timedelta(minutes=25))
    signup(actor=user, activity=soon, volunteer=v)
    assert check_in(actor=user, activity=soon, volunteer=v, method=CheckinMethod.QR).checked_in_at


def test_no_check_in_without_an_accepted_sign_up(tree, staff, two):
    (user, _, v), _ = two
    event = activity(staff, tree.comm_a1)
    with pytest.raises(DomainError, match="没有该活动的录用报名"):
        check_in(actor=user, activity=event, volunteer=v, method=CheckinMethod.QR)


def test_check_in_by_position_near_the_venue_only(tree, staff, two):
    (user, _, v), _ = two
    event = activity(staff, tree.comm_a1, lon=106.5, lat=29.5)
    signup(actor=user, activity=event, volunteer=v)
    with pytest.raises(DomainError, match=r"约 \d+ 米，须在 300 米内"):
        check_in(
            actor=user,
            activity=event,
            volunteer=v,
            method=CheckinMethod.POSITION,
            lon=106.51,
            lat=29.5,
        )
    with pytest.raises(DomainError, match="未取得您的位置"):
        check_in(actor=user, activity=event, volunteer=v, method=CheckinMethod.POSITION)
    entry = check_in(
        actor=user,
        activity=event,
        volunteer=v,
        method=CheckinMethod.POSITION,
        lon=106.5005,
        lat=29.5,
    )
    assert 40 <= entry.distance_m <= 60


def test_confirmed_hours_make_one_record_one_deposit_and_coins(tree, staff, two):
    (user, someone, v), _ = two
    event = activity(staff, tree.comm_a1, hours=2)
    signup(actor=user, activity=event, volunteer=v)
    entry = check_in(actor=user, activity=event, volunteer=v, method=CheckinMethod.QR)
    assert suggested_minutes(entry) <= 120
    with pytest.raises(DomainError, match="不能超过活动时长 120 分钟"):
        hours_confirm(actor=staff, entry=entry, minutes=121)
    with pytest.raises(DomainError, match="至少 1 分钟"):
        hours_confirm(actor=staff, entry=entry, minutes=0)
    record = hours_confirm(actor=staff, entry=entry, minutes=120, rating=5)
    assert (record.minutes, record.organiser_name, record.place) == (120, "甲一社区", "小广场")
    assert balance(someone, Unit.MINUTES) == 120
    assert balance(someone, Unit.COINS) == 20  # 10 per full hour by default
    with pytest.raises(DomainError, match="已确认"):
        hours_confirm(actor=staff, entry=entry, minutes=60)
    assert ServiceRecord.objects.count() == 1 and ledger_problems() == []
    assert Notification.objects.filter(user=user, title__contains="2 小时").exists()
    assert AuditEntry.objects.filter(action="activity.confirm").count() == 1
    volunteer_rate(actor=user, entry=entry, rating=4, comment="组织有序")
    with pytest.raises(DomainError, match="已评价"):
        volunteer_rate(actor=user, entry=entry, rating=5)


def test_hours_need_a_check_in(tree, staff, two):
    (user, _, v), _ = two
    event = activity(staff, tree.comm_a1)
    entry = signup(actor=user, activity=event, volunteer=v)
    with pytest.raises(DomainError, match="已签到"):
        hours_confirm(actor=staff, entry=entry, minutes=60)


def test_a_community_cannot_confirm_another_communitys_activity(tree, staff, user_with, two):
    from shequtong.core.choices import Role

    (user, _, v), _ = two
    event = activity(staff, tree.comm_a1)
    entry = signup(actor=user, activity=event, volunteer=v)
    check_in(actor=user, activity=event, volunteer=v, method=CheckinMethod.QR)
    with pytest.raises(DomainError, match="无权管理该活动"):
        hours_confirm(actor=user_with(Role.COMMUNITY_STAFF, tree.comm_b1), entry=entry, minutes=60)


def test_crossing_a_star_threshold_is_told_and_a_commendation_recorded(tree, staff, two, settings):
    from shequtong.volunteering.services import volunteer_commend

    settings.SHEQUTONG_STAR_HOURS = (1, 2, 3, 4, 5)
    (user, _, v), _ = two
    event = activity(staff, tree.comm_a1, hours=2)
    entry = signup(actor=user, activity=event, volunteer=v)
    check_in(actor=user, activity=event, volunteer=v, method=CheckinMethod.QR)
    hours_confirm(actor=staff, entry=entry, minutes=120)
    assert Notification.objects.filter(
        user=user, title="累计服务时长达标，您已是2星志愿者"
    ).exists()
    award = volunteer_commend(
        actor=staff, volunteer=v, title="年度优秀志愿者", reason="服务 2 小时"
    )
    assert Notification.objects.filter(user=user, title="您获得嘉许：年度优秀志愿者").exists()
    with pytest.raises(DomainError, match="嘉许名称"):
        volunteer_commend(actor=staff, volunteer=v, title=" ")
    assert v.commendations.get() == award
