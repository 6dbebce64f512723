"""The topic pages: a resident proposes on /m/ and follows it; staff accept it, hold and record
a meeting with invitees and sign-in, complete steps (a skipped one is refused in Chinese, not
a 500), adapt a procedure; another community sees nothing; a form saved untouched keeps its
values."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from shequtong.core.choices import Role
from shequtong.deliberation.models import Invitee, Meeting, Procedure, Topic
from tests.volunteering.helpers import resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(tree, user_with):
    client = Client()
    client.force_login(user_with(Role.COMMUNITY_STAFF, tree.comm_a1))
    return client


@pytest.fixture
def proposer(tree, caplog):
    user, _ = resident(1, tree.grid_a1a, caplog)
    client = Client()
    client.force_login(user)
    return client


def _propose(proposer) -> Topic:
    response = proposer.post(
        "/m/topics/",
        {"title": "楼下增设休闲座椅", "description": "老人散步没有地方歇脚", "level": "community"},
    )
    topic = Topic.objects.get()
    assert response.url == f"/m/topics/{topic.pk}/"
    return topic


def test_a_resident_proposes_and_staff_run_the_first_steps(staff_client, proposer, tree):
    topic = _propose(proposer)
    assert "待受理" in proposer.get(f"/m/topics/{topic.pk}/").content.decode()
    page = staff_client.get(f"/console/deliberation/topics/{topic.pk}/").content.decode()
    assert "四议两公开" in page and "受理并开始议事" in page
    four = Procedure.objects.get(area=tree.comm_a1, lineage="four_deliberations")
    action = f"/console/deliberation/topics/{topic.pk}/action/"
    staff_client.post(action, {"action": "accept", "procedure": four.pk})
    topic.refresh_from_db()
    assert topic.status == "running"
    skipped = staff_client.post(action, {"action": "step", "index": "1", "note": "越级"})
    assert skipped.status_code == 400
    assert "请先完成第1步「党组织提议」，议事步骤不能跳过" in skipped.content.decode()
    bad = staff_client.post(action, {"action": "step", "index": "x"})
    assert bad.status_code == 400 and "步骤应为整数" in bad.content.decode()
    staff_client.post(
        action,
        {
            "action": "step",
            "index": "0",
            "note": "党组织提议",
            "document": SimpleUploadedFile(
                "提议书.pdf", b"%PDF-1.4", content_type="application/pdf"
            ),
        },
    )
    assert topic.steps.get(index=0).document.name.startswith("topics/")
    when = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = staff_client.post(
        action,
        {
            "action": "meeting",
            "kind": "committees",
            "title": "两委联席会议",
            "starts_at": when,
            "place": "社区会议室",
        },
    )
    meeting = Meeting.objects.get()
    assert response.url == f"/console/deliberation/meetings/{meeting.pk}/"
    meeting_action = f"/console/deliberation/meetings/{meeting.pk}/action/"
    staff_client.post(meeting_action, {"action": "invite", "name": "王人大", "role": "npc"})
    guest = Invitee.objects.get()
    staff_client.post(meeting_action, {"action": "sign_in", "invitee": guest.pk})
    staff_client.post(meeting_action, {"action": "record", "minutes": "一致同意提交党员大会"})
    page = staff_client.get(f"/console/deliberation/meetings/{meeting.pk}/").content.decode()
    assert "已签到" in page and "人大代表" in page and "一致同意提交党员大会" in page
    staff_client.post(action, {"action": "step", "index": "1", "meeting": meeting.pk})
    topic.refresh_from_db()
    assert topic.step_index == 2
    mobile = proposer.get(f"/m/topics/{topic.pk}/").content.decode()
    assert "两委商议" in mobile and "议事中" in mobile
    assert "一致同意提交党员大会" not in mobile  # notes and minutes stay in the console


def test_a_meeting_record_saved_untouched_keeps_its_values(staff_client, proposer, tree):
    topic = _propose(proposer)
    staff_client.get(f"/console/deliberation/topics/{topic.pk}/")
    procedure = Procedure.objects.get(area=tree.comm_a1, lineage="one_matter")
    action = f"/console/deliberation/topics/{topic.pk}/action/"
    staff_client.post(action, {"action": "accept", "procedure": procedure.pk})
    when = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    staff_client.post(
        action,
        {
            "action": "meeting",
            "kind": "residents",
            "title": "居民会议",
            "starts_at": when,
            "place": "广场",
            "due": "40",
        },
    )
    meeting = Meeting.objects.get()
    meeting_action = f"/console/deliberation/meetings/{meeting.pk}/action/"
    staff_client.post(
        meeting_action,
        {
            "action": "record",
            "minutes": "纪要",
            "resolution": "同意增设",
            "due": "40",
            "present": "25",
            "agree": "20",
            "disagree": "3",
            "abstain": "2",
        },
    )
    before = Meeting.objects.values().get(pk=meeting.pk)
    page = staff_client.get(f"/console/deliberation/meetings/{meeting.pk}/").content.decode()
    assert 'name="present" value="25"' in page and "同意（占到会）" in page
    staff_client.post(
        meeting_action,
        {
            "action": "record",
            "minutes": "纪要",
            "resolution": "同意增设",
            "due": "40",
            "present": "25",
            "agree": "20",
            "disagree": "3",
            "abstain": "2",
        },
    )
    after = Meeting.objects.values().get(pk=meeting.pk)
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"
    }


def test_a_procedure_is_adapted_into_a_new_version(staff_client, tree):
    staff_client.get("/console/deliberation/procedures/")
    v1 = Procedure.objects.get(area=tree.comm_a1, lineage="one_matter")
    form = {"action": "adapt", "name": "一事一议（本社区）"}
    for n, step in enumerate(v1.steps):
        for key in ("name", "kind", "actor", "needs", "days"):
            form[f"step-{n}-{key}"] = str(step[key])
    form["step-1-days"] = "12"
    form["step-4-name"] = ""  # dropped
    response = staff_client.post(f"/console/deliberation/procedures/{v1.pk}/", form)
    v2 = Procedure.objects.get(area=tree.comm_a1, lineage="one_matter", current=True)
    assert response.url == f"/console/deliberation/procedures/{v2.pk}/"
    assert v2.version == 2 and len(v2.steps) == 4 and v2.steps[1]["days"] == 12
    form["step-0-days"] = "abc"
    refused = staff_client.post(f"/console/deliberation/procedures/{v2.pk}/", form)
    assert refused.status_code == 400 and "时限须为 1–120 个工作日" in refused.content.decode()


def test_another_community_sees_nothing(proposer, user_with, tree):
    topic = _propose(proposer)
    other = Client()
    other.force_login(user_with(Role.COMMUNITY_STAFF, tree.comm_a2))
    assert other.get(f"/console/deliberation/topics/{topic.pk}/").status_code == 404
    assert (
        other.post(
            f"/console/deliberation/topics/{topic.pk}/action/", {"action": "decline", "reason": "x"}
        ).status_code
        == 404
    )
    assert "楼下增设休闲座椅" not in other.get("/console/deliberation/topics/").content.decode()


def test_a_pending_proposal_is_the_proposers_alone(proposer, tree, caplog):
    topic = _propose(proposer)
    user, _ = resident(2, tree.grid_a1a, caplog)
    neighbour = Client()
    neighbour.force_login(user)
    assert neighbour.get(f"/m/topics/{topic.pk}/").status_code == 404
    assert "楼下增设休闲座椅" not in neighbour.get("/m/topics/").content.decode()


def test_an_empty_proposal_is_refused_naming_the_field(proposer):
    response = proposer.post("/m/topics/", {"title": "", "description": "", "level": "community"})
    assert response.status_code == 400
    assert "议题" in response.content.decode()
    assert not Topic.objects.exists()


def test_a_neighbour_reads_a_proposal_without_its_door_phone_or_name(
    staff_client, proposer, tree, caplog
):
    proposer.post(
        "/m/topics/",
        {
            "title": "楼道灯坏了",
            "description": "我是居民001，住5栋2单元302，电话13812345678，楼道灯坏了一个月",
            "level": "community",
        },
    )
    topic = Topic.objects.get()
    four = Procedure.objects.filter(area=tree.comm_a1, lineage="four_deliberations")
    staff_client.get(f"/console/deliberation/topics/{topic.pk}/")  # the templates are copied
    staff_client.post(
        f"/console/deliberation/topics/{topic.pk}/action/",
        {"action": "accept", "procedure": four.get(current=True).pk},
    )
    neighbour, _ = resident(2, tree.grid_a1a, caplog)
    other = Client()
    other.force_login(neighbour)
    seen = other.get(f"/m/topics/{topic.pk}/").content.decode()
    assert "楼道灯坏了一个月" in seen
    assert "302" not in seen and "13812345678" not in seen and "居民001" not in seen
    own = proposer.get(f"/m/topics/{topic.pk}/").content.decode()
    assert "5栋2单元302" in own
