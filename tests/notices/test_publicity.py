"""公示: opened for a number of days (by the console or another app through the service),
commented on by the residents living under it while it runs, each comment answered; closed
after the period with its own message. Residents never see another commenter's name."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shequtong.core.choices import Role
from shequtong.core.errors import DomainError
from shequtong.core.models import AuditEntry, Notification
from shequtong.notices.models import Publicity, PublicityComment
from shequtong.notices.services import publicity_answer, publicity_comment, publicity_open

pytestmark = pytest.mark.django_db


def opened(staff, area, **kw) -> Publicity:
    kw.setdefault("title", "2026年度低保评议结果公示")
    kw.setdefault("body", "经居民代表会议评议，拟新增低保 2 户。")
    kw.setdefault("days", 7)
    return publicity_open(actor=staff, area=area, **kw)


def test_a_publicity_runs_for_its_days_and_names_its_source(staff, tree):
    before = timezone.now()
    publicity = opened(
        staff,
        tree.comm_a1,
        source_label="议事协商：加装电梯",
        source_url="/console/deliberation/topics/1/",
    )
    assert before <= publicity.starts_at <= timezone.now()
    assert publicity.ends_at - publicity.starts_at == timedelta(days=7)
    assert publicity.source_label == "议事协商：加装电梯"
    assert AuditEntry.objects.filter(action="publicity.open", object_id=str(publicity.pk)).exists()


def test_bad_input_names_the_field(staff, tree, user_with):
    for days in (0, 91, "7", True):
        with pytest.raises(DomainError) as err:
            opened(staff, tree.comm_a1, days=days)
        assert err.value.fields == {"days": ["公示天数应为 1 至 90 之间的整数"]}
    with pytest.raises(DomainError) as err:
        opened(staff, tree.comm_a1, title="", body=" ")
    assert err.value.fields == {"title": ["请填写公示标题"], "body": ["请填写公示内容"]}
    with pytest.raises(DomainError) as err:
        opened(staff, tree.comm_a1, source_url="javascript:alert(1)")
    assert "source_url" in err.value.fields
    with pytest.raises(DomainError) as err:
        opened(user_with(Role.COMMUNITY_STAFF, tree.comm_b1), tree.comm_a1)
    assert err.value.code == "forbidden"
    assert not Publicity.objects.exists()


def test_residents_comment_while_it_runs_and_staff_answer(staff, place, tree):
    publicity = opened(staff, tree.comm_a1)
    comment = publicity_comment(
        actor=place.user("张三"), publicity=publicity, text="建议公示申请人的家庭收入核查情况"
    )
    assert comment.person == place.person("张三") and comment.area == publicity.area
    with pytest.raises(DomainError) as err:
        publicity_comment(actor=place.user("李四"), publicity=publicity, text="  ")
    assert err.value.fields == {"text": ["请填写意见内容"]}
    with pytest.raises(DomainError) as err:
        publicity_comment(actor=place.user("李四"), publicity=publicity, text="字" * 1001)
    assert err.value.fields == {"text": ["意见不能超过 1000 字"]}
    answered = publicity_answer(actor=staff, comment=comment, text="已补充核查说明，见附件。")
    assert answered.answer == "已补充核查说明，见附件。" and answered.answered_by == staff
    assert Notification.objects.filter(user=place.user("张三"), title__contains="已有答复").exists()
    with pytest.raises(DomainError) as err:
        publicity_answer(actor=staff, comment=comment, text="")
    assert err.value.fields == {"answer": ["请填写答复内容"]}
    worker = place.user("李四")
    with pytest.raises(DomainError) as err:
        publicity_answer(actor=worker, comment=comment, text="我来答")
    assert err.value.code == "forbidden"


def test_only_residents_living_under_it_comment(staff, place, tree):
    grid_only = opened(staff, tree.grid_a1b)
    with pytest.raises(DomainError) as err:
        publicity_comment(actor=place.user("张三"), publicity=grid_only, text="意见")
    assert err.value.code == "forbidden"
    publicity_comment(actor=place.user("赵六"), publicity=grid_only, text="同意")
    with pytest.raises(DomainError) as err:
        publicity_comment(actor=staff, publicity=grid_only, text="同意")
    assert err.value.fields == {"text": ["请先完成实名认证再提意见"]}


def test_after_the_period_no_more_comments(staff, place, tree):
    publicity = opened(staff, tree.comm_a1, days=5)
    end = timezone.now() - timedelta(minutes=1)
    Publicity.objects.filter(pk=publicity.pk).update(starts_at=end - timedelta(days=5), ends_at=end)
    publicity.refresh_from_db()
    with pytest.raises(DomainError) as err:
        publicity_comment(actor=place.user("张三"), publicity=publicity, text="迟到的意见")
    shown = timezone.localtime(end).strftime("%Y-%m-%d %H:%M")
    assert err.value.fields == {"text": [f"公示期已于 {shown} 结束，不再接受意见"]}
    assert not PublicityComment.objects.exists()


def test_the_pages_hide_other_commenters_and_refuse_closed_comments(staff, place, tree):
    publicity = opened(staff, tree.comm_a1)
    publicity_comment(
        actor=place.user("张三"),
        publicity=publicity,
        text="我是张三，住1栋101，电话13800001111，建议延长公示",
    )
    phone = Client()
    phone.force_login(place.user("李四"))
    assert f"/m/publicity/{publicity.pk}/" in phone.get("/m/publicity/").content.decode()
    page = phone.get(f"/m/publicity/{publicity.pk}/").content.decode()
    assert "张三" not in page and "13800001111" not in page and "101" not in page
    assert "张*" in page and "建议延长公示" in page
    phone.post(f"/m/publicity/{publicity.pk}/", {"text": "同意公示结果"})
    assert PublicityComment.objects.filter(person=place.person("李四")).exists()
    mine = phone.get(f"/m/publicity/{publicity.pk}/").content.decode()
    assert "同意公示结果" in mine and "<strong>我</strong>" in mine
    # The console shows names and the answer form; answering works.
    desk = Client()
    desk.force_login(staff)
    detail = desk.get(f"/console/publicity/{publicity.pk}/").content.decode()
    assert "张三" in detail and "提交答复" in detail
    comment = PublicityComment.objects.get(person=place.person("张三"))
    desk.post(
        f"/console/publicity/{publicity.pk}/comments/{comment.pk}/answer/", {"answer": "已延长"}
    )
    comment.refresh_from_db()
    assert comment.answer == "已延长"
    bad = desk.post(f"/console/publicity/{publicity.pk}/comments/{comment.pk}/answer/", {})
    assert bad.status_code == 400 and "请填写答复内容" in bad.content.decode()
    # Closed: the form is gone and a post is a Chinese refusal.
    Publicity.objects.filter(pk=publicity.pk).update(
        starts_at=timezone.now() - timedelta(days=7), ends_at=timezone.now() - timedelta(seconds=1)
    )
    closed = phone.get(f"/m/publicity/{publicity.pk}/").content.decode()
    assert "公示期已结束，不再接受意见" in closed and 'id="comment-form"' not in closed
    refused = phone.post(f"/m/publicity/{publicity.pk}/", {"text": "再提一条"})
    assert refused.status_code == 400 and "不再接受意见" in refused.content.decode()


def test_publicity_from_the_console_and_out_of_scope(staff, tree, user_with, place):
    desk = Client()
    desk.force_login(staff)
    response = desk.post(
        "/console/publicity/",
        {"area": tree.comm_a1.pk, "title": "公示", "body": "内容", "days": "abc"},
    )
    assert response.status_code == 400 and "公示天数应为整数" in response.content.decode()
    desk.post(
        "/console/publicity/", {"area": tree.comm_a1.pk, "title": "公示", "body": "内容", "days": 5}
    )
    publicity = Publicity.objects.get()
    assert "公示" in desk.get("/console/publicity/").content.decode()
    other = Client()
    other.force_login(user_with(Role.COMMUNITY_STAFF, tree.comm_b1))
    assert other.get(f"/console/publicity/{publicity.pk}/").status_code == 404
    far = Client()
    far.force_login(place.user("张三"))
    assert far.get("/m/publicity/99999/").status_code == 404
