"""A resident's topic through 四议两公开, as its users do it: the resident proposes it on the
phone; the community, on a phone too, accepts it, records the party organisation's proposal,
holds the 两委 meeting with a co-opted 人大代表 signing in, the party meeting and the residents'
representatives' meeting (counts checked by the law's rules), and publishes the resolution and
then the result; the resident reads both 公示 and the finished topic."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shequtong.core.demo import seed_demo
from shequtong.deliberation.models import Meeting, Topic

from .conftest import screenshot
from .test_phone import PHONE, WIDTH
from .test_roles import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _hold(page, live_server, topic: Topic, kind: str, title: str, record: dict[str, str]) -> None:
    """Call a meeting from the topic page, record it, and complete the current step with it."""
    page.goto(f"{live_server.url}/console/deliberation/topics/{topic.pk}/")
    form = page.locator("#meeting-form")
    form.get_by_label("会议类型").select_option(kind)
    form.get_by_label("会议名称").fill(title)
    form.get_by_label("会议时间").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("地点").fill("杨家坪社区党群服务中心")
    form.get_by_role("button", name="召开会议").click()
    page.wait_for_url("**/console/deliberation/meetings/*/")
    if kind == "committees":
        invite = page.locator("#invite-form")
        invite.locator("[name=name]").fill("李人大")
        invite.locator("[name=role]").select_option("npc")
        invite.get_by_role("button", name="邀请").click()
        page.locator("#invitees").get_by_role("button", name="签到").click()
        page.locator("#invitees").get_by_text("已签到").wait_for()
        assert page.evaluate(WIDTH) <= 390
        screenshot(page, "topic-meeting-phone")
    recording = page.locator("#record-form")
    for name, value in record.items():
        recording.locator(f"[name={name}]").fill(value)
    recording.get_by_role("button", name="记录会议").click()
    page.locator(".toast").get_by_text("会议已记录").wait_for()
    meeting = Meeting.objects.filter(topic=topic).latest("pk")
    page.goto(f"{live_server.url}/console/deliberation/topics/{topic.pk}/")
    step = page.locator("#step-form")
    step.get_by_label("会议").select_option(str(meeting.pk))
    step.get_by_role("button", name="完成本步").click()
    page.locator(".toast").get_by_text("已完成").wait_for()


def test_a_resident_topic_through_four_deliberations_and_two_publications(new_page, live_server):
    seed_demo()
    _, phone = new_page(**PHONE)
    sign_in(phone, live_server, "resident_01", landing="/m/")
    phone.get_by_role("link", name="议事协商 提出议题 · 跟踪进展").click()
    form = phone.locator("#m-topic-form")
    form.get_by_label("议题").fill("楼栋之间增设无障碍坡道")
    form.get_by_label("内容和理由").fill("坐轮椅的老人出门要绕很远，台阶处需要坡道。")
    form.get_by_label("涉及范围").select_option("community")
    form.get_by_role("button", name="提交").click()
    phone.get_by_text("议题已提交").wait_for()
    assert phone.evaluate(WIDTH) <= 390
    topic = Topic.objects.get(title="楼栋之间增设无障碍坡道")

    _, staff = new_page(**PHONE)  # a community worker in the field, on a phone
    sign_in(staff, live_server, "community_yangjiaping_01")
    staff.goto(f"{live_server.url}/console/deliberation/topics/")
    staff.get_by_role("link", name="楼栋之间增设无障碍坡道").click()
    accept = staff.locator("#accept")
    accept.get_by_label("议事规程").select_option(label="四议两公开（第1版）")
    accept.get_by_role("button", name="受理并开始议事").click()
    staff.get_by_text("已受理，按「四议两公开」议事").wait_for()
    step = staff.locator("#step-form")
    step.get_by_label("办理情况").fill("社区党委提议：在 3 处台阶旁增设无障碍坡道")
    step.get_by_role("button", name="完成本步").click()
    staff.get_by_text("「党组织提议」已完成").wait_for()
    assert staff.evaluate(WIDTH) <= 390
    screenshot(staff, "topic-console-phone")

    _hold(staff, live_server, topic, "committees", "两委联席会议", {"minutes": "同意提交党员大会"})
    _hold(
        staff,
        live_server,
        topic,
        "party",
        "社区党员大会",
        {"minutes": "审议", "due": "45", "present": "30", "agree": "23"},
    )
    _hold(
        staff,
        live_server,
        topic,
        "representatives",
        "居民代表会议",
        {
            "minutes": "表决",
            "resolution": "在 3 处台阶旁增设无障碍坡道，由社区基金列支。",
            "due": "30",
            "present": "20",
            "agree": "15",
        },
    )
    staff.locator("#step-form").get_by_role("button", name="完成本步").click()  # 决议公开
    staff.get_by_text("「决议公开」已完成").wait_for()
    step = staff.locator("#step-form")
    step.get_by_label("实施结果").fill("3 处无障碍坡道已建成。")
    step.get_by_role("button", name="完成本步").click()
    staff.get_by_text("「实施结果公开」已完成").wait_for()
    topic.refresh_from_db()
    assert topic.status == "done"

    phone.goto(f"{live_server.url}/m/topics/{topic.pk}/")
    assert "已办结" in phone.content() and "增设无障碍坡道，由社区基金列支" in phone.content()
    assert phone.evaluate(WIDTH) <= 390
    screenshot(phone, "topic-phone-done")
    phone.goto(f"{live_server.url}/m/publicity/")
    listed = phone.locator("main").inner_text()
    assert "决议公开：楼栋之间增设无障碍坡道" in listed
    assert "实施结果公开：楼栋之间增设无障碍坡道" in listed
