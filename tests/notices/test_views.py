"""The notice pages: staff post from the console and read the unread list; a resident reads on
/m/; nobody reaches what is not theirs, and bad input is a Chinese refusal, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from shequtong.core.choices import Role
from shequtong.notices.models import Notice, NoticeRead
from shequtong.notices.services import notice_post
from tests.notices.test_notices import org_account  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_post_a_building_notice_and_follow_who_has_read(staff, place):
    desk = client_for(staff)
    assert desk.get("/console/notices/new/").status_code == 200
    response = desk.post(
        "/console/notices/new/",
        {
            "title": "电梯年检",
            "body": "1栋电梯12月8日上午年检，暂停使用。",
            "audience": "building",
            "building": place.b1.pk,
            "expires_at": "",
        },
    )
    notice = Notice.objects.get()
    assert response.status_code == 302 and response.url == f"/console/notices/{notice.pk}/"
    phone = client_for(place.user("张三"))
    listing = phone.get("/m/notices/").content.decode()
    assert "电梯年检" in listing and "未读" in listing
    assert phone.get(f"/m/notices/{notice.pk}/").status_code == 200
    assert phone.get(f"/m/notices/{notice.pk}/").status_code == 200
    assert NoticeRead.objects.filter(notice=notice).count() == 1
    assert "未读" not in phone.get("/m/notices/").content.decode().split("电梯年检")[0][-60:]
    page = desk.get(f"/console/notices/{notice.pk}/").content.decode()
    assert "已读 1 / 3 人" in page
    unread = page.split('id="unread"')[1]
    assert "李四" in unread and "王五" in unread and "张三" not in unread
    assert "无，需上门告知" in unread  # 王五 has no account
    assert "102" in unread  # the door, for the grid worker's visit


def test_the_unread_list_pages(staff, place, tree, caplog):
    from tests.notices.conftest import door, dweller

    for n in range(55):
        dweller(
            100 + n,
            door(place.b2, f"{3 + n // 10}{n % 10:02d}"),
            caplog,
            name=f"住户{n:02d}",
            account=False,
        )
    notice = notice_post(
        actor=staff, title="通知", body="内容", audience="building", building=place.b2
    )
    desk = client_for(staff)
    first = desk.get(f"/console/notices/{notice.pk}/").content.decode()
    assert "共 56 条，第 1/2 页" in first
    second = desk.get(f"/console/notices/{notice.pk}/?page=2").content.decode()
    assert "第 2/2 页" in second


def test_a_resident_cannot_open_a_notice_not_addressed_to_them(staff, place, tree):
    notice = notice_post(
        actor=staff, title="一栋", body="x", audience="building", building=place.b1
    )
    phone = client_for(place.user("赵六"))
    assert phone.get(f"/m/notices/{notice.pk}/").status_code == 404
    assert phone.get("/m/notices/abc/").status_code == 404
    assert not NoticeRead.objects.exists()
    # The resident never reaches the console's unread list.
    assert phone.get(f"/console/notices/{notice.pk}/").status_code == 403


def test_staff_elsewhere_get_404_and_bad_input_is_a_chinese_refusal(staff, place, tree, user_with):
    notice = notice_post(
        actor=staff, title="一栋", body="x", audience="building", building=place.b1
    )
    outsider = client_for(user_with(Role.COMMUNITY_STAFF, tree.comm_b1))
    assert outsider.get(f"/console/notices/{notice.pk}/").status_code == 404
    desk = client_for(staff)
    bad = desk.post(
        "/console/notices/new/",
        {"title": "x", "body": "y", "audience": "building", "building": "abc"},
    )
    assert bad.status_code == 400
    assert "所选楼栋不存在或不在您的范围内" in bad.content.decode()
    foreign = user_with(Role.COMMUNITY_STAFF, tree.comm_b1)
    other = client_for(foreign).post(
        "/console/notices/new/",
        {"title": "x", "body": "y", "audience": "building", "building": place.b1.pk},
    )
    assert other.status_code == 400 and "不在您的范围内" in other.content.decode()
    late = desk.post(
        "/console/notices/new/",
        {
            "title": "x",
            "body": "y",
            "audience": "community",
            "area": tree.comm_a1.pk,
            "expires_at": "2026-13-40T99:00",
        },
    )
    assert late.status_code == 400 and "有效期格式不对" in late.content.decode()
    assert (
        desk.post(f"/console/notices/{notice.pk}/moderate/", {"decision": "approve"}).status_code
        == 400
    )
    assert Notice.objects.count() == 1


def test_the_moderation_queue(staff, place, org_account):  # noqa: F811
    org_desk = client_for(org_account)
    org_desk.post(
        "/console/notices/new/",
        {
            "title": "义诊活动",
            "body": "周六上午社区广场义诊",
            "audience": "estate",
            "estate": place.estate.pk,
            "organization": org_account.org.pk,
        },
    )
    notice = Notice.objects.get()
    assert notice.status == "pending"
    desk = client_for(staff)
    assert "义诊活动" in desk.get("/console/notices/queue/").content.decode()
    refused = desk.post(f"/console/notices/{notice.pk}/moderate/", {"decision": "reject"})
    assert refused.status_code == 400 and "请填写未通过的原因" in refused.content.decode()
    desk.post(f"/console/notices/{notice.pk}/moderate/", {"decision": "approve"})
    notice.refresh_from_db()
    assert notice.status == "published"
    assert "义诊活动" not in desk.get("/console/notices/queue/").content.decode()
    assert "义诊活动" in client_for(place.user("赵六")).get("/m/notices/").content.decode()


def test_a_resident_without_a_claim_is_sent_to_claim(db, tree):
    from shequtong.core.models import User

    user = User.objects.create(username="nobody-yet")
    response = client_for(user).get("/m/notices/")
    assert response.status_code == 302 and "/m/me/claim/" in response.url
