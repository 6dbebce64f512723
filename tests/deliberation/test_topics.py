"""Topics end to end at the service level: a resident's proposal run through 四议两公开 step by
step (no step skipped, each with what it needs: minutes, a party meeting and a residents'
meeting that pass by the law's counts, the two 公示), procedures copied and versioned, the
resolution carried out as a case and its progress reported to everyone who took part."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shequtong.cases.models import Case, case_pk
from shequtong.cases.services import case_act
from shequtong.core.calendar import add_working_days
from shequtong.core.choices import Role
from shequtong.core.errors import DomainError
from shequtong.core.models import AuditEntry, Notification
from shequtong.deliberation import services
from shequtong.deliberation.choices import TopicStatus
from shequtong.deliberation.models import Procedure, Topic, TopicUpdate
from shequtong.notices.models import Publicity
from shequtong.registry.models import PersonTag, PersonTagAssignment
from tests.volunteering.helpers import person, resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tree, user_with):
    return user_with(Role.COMMUNITY_STAFF, tree.comm_a1)


@pytest.fixture
def proposal(tree, caplog):
    user, _ = resident(1, tree.grid_a1a, caplog)
    topic = services.resident_topic_propose(
        actor=user,
        title="加装电动车充电桩",
        description="小区电动车多，楼道飞线充电有火灾隐患。",
        level="community",
    )
    return user, topic


def _accept(staff, topic, key="four_deliberations"):
    procedure = services.procedure_for(community=topic.area, key=key)
    return services.topic_accept(actor=staff, topic=topic, procedure=procedure)


def _called(staff, topic, kind, due=None):
    """A meeting of `kind` called for the topic, not yet held."""
    return services.meeting_create(
        actor=staff,
        topic=topic,
        kind=kind,
        title=f"{kind} 会议",
        starts_at=timezone.now(),
        place="社区会议室",
        due=due,
    )


def _meeting(staff, topic, kind, **counts):
    meeting = _called(staff, topic, kind, due=counts.pop("due", None))
    return services.meeting_record(actor=staff, meeting=meeting, **counts)


def test_a_resident_proposal_runs_through_four_deliberations_two_publications(
    tree, staff, proposal
):
    user, topic = proposal
    assert topic.area == tree.comm_a1 and topic.status == TopicStatus.PROPOSED
    topic = _accept(staff, topic)
    steps = list(topic.steps.all())
    assert [s.name for s in steps] == [
        "党组织提议",
        "两委商议",
        "党员大会审议",
        "居民会议或居民代表会议决议",
        "决议公开",
        "实施结果公开",
    ]
    assert steps[0].due_on == add_working_days(timezone.localdate(), 3)
    assert steps[1].opened_at is None

    services.step_complete(actor=staff, topic=topic, index=0, note="党委提议在3个小区试点")
    committee = _meeting(staff, topic, "committees", minutes="两委一致同意提交党员大会")
    services.step_complete(actor=staff, topic=topic, index=1, meeting=committee)
    party = _meeting(staff, topic, "party", minutes="审议", due=9, present=6, agree=5)
    services.step_complete(actor=staff, topic=topic, index=2, meeting=party)
    residents = _meeting(
        staff,
        topic,
        "representatives",
        minutes="居民代表会议表决",
        resolution="在三个小区各建一处集中充电点，费用由维修资金以外的社区基金承担。",
        due=30,
        present=20,
        agree=11,
        disagree=5,
        abstain=4,
    )
    services.step_complete(actor=staff, topic=topic, index=3, meeting=residents)
    topic.refresh_from_db()
    assert topic.resolution.startswith("在三个小区各建一处集中充电点")

    services.step_complete(actor=staff, topic=topic, index=4)
    services.step_complete(actor=staff, topic=topic, index=5, note="三处充电点已建成投用")
    topic.refresh_from_db()
    assert topic.status == TopicStatus.DONE
    published = list(Publicity.objects.filter(area=topic.area).order_by("pk"))
    assert [p.title for p in published] == [
        "决议公开：加装电动车充电桩",
        "实施结果公开：加装电动车充电桩",
    ]
    assert topic.resolution in published[0].body
    assert published[1].body == "三处充电点已建成投用"
    assert all(s.done_at and s.done_by == staff for s in topic.steps.all())
    told = Notification.objects.filter(user=user).values_list("title", flat=True)
    assert "议题进展：实施结果公开已完成" in told


def test_a_step_cannot_be_skipped_nor_done_twice(staff, proposal):
    _, topic = proposal
    topic = _accept(staff, topic)
    with pytest.raises(DomainError, match="请先完成第1步「党组织提议」，议事步骤不能跳过"):
        services.step_complete(actor=staff, topic=topic, index=2, note="越级")
    services.step_complete(actor=staff, topic=topic, index=0, note="提议")
    with pytest.raises(DomainError, match="第1步已完成"):
        services.step_complete(actor=staff, topic=topic, index=0, note="再次")


def test_a_meeting_step_needs_a_held_meeting_of_its_kind_that_passed(staff, proposal):
    _, topic = proposal
    topic = _accept(staff, topic)
    services.step_complete(actor=staff, topic=topic, index=0, note="提议")
    with pytest.raises(DomainError, match="「两委商议」须选择本议题召开的会议"):
        services.step_complete(actor=staff, topic=topic, index=1)
    committee = _meeting(staff, topic, "committees", minutes="同意")
    services.step_complete(actor=staff, topic=topic, index=1, meeting=committee)
    with pytest.raises(DomainError, match="「党员大会审议」须由党员大会完成"):
        services.step_complete(actor=staff, topic=topic, index=2, meeting=committee)
    # Exactly 2/3 present passes attendance; 4 of 9 due agreeing is not more than half.
    short = _meeting(staff, topic, "party", minutes="审议", due=9, present=6, agree=4)
    refused = re.escape("党员大会未通过：同意（占应到党员） 44.44%，未达过半数")
    with pytest.raises(DomainError, match=refused):
        services.step_complete(actor=staff, topic=topic, index=2, meeting=short)
    thin = _meeting(staff, topic, "party", minutes="审议", due=9, present=5, agree=5)
    with pytest.raises(DomainError, match=re.escape("到会党员 55.56%，未达2/3以上")):
        services.step_complete(actor=staff, topic=topic, index=2, meeting=thin)
    unheld = _called(staff, topic, "party")
    with pytest.raises(DomainError, match="请先记录会议纪要和表决结果"):
        services.step_complete(actor=staff, topic=topic, index=2, meeting=unheld)
    topic.refresh_from_db()
    assert topic.step_index == 2


def test_meeting_counts_must_add_up(staff, proposal):
    _, topic = proposal
    topic = _accept(staff, topic)
    meeting = _called(staff, topic, "residents", due=100)
    with pytest.raises(DomainError, match="同意、不同意、弃权合计 61 人，多于实到人数 60 人"):
        services.meeting_record(
            actor=staff,
            meeting=meeting,
            minutes="纪要",
            resolution="决议",
            present=60,
            agree=40,
            disagree=20,
            abstain=1,
        )
    with pytest.raises(DomainError, match="实到人数（101）不能多于应到人数（100）"):
        services.meeting_record(
            actor=staff, meeting=meeting, minutes="纪要", resolution="决议", present=101, agree=1
        )
    with pytest.raises(DomainError, match="请填写会议决议"):
        services.meeting_record(actor=staff, meeting=meeting, minutes="纪要", present=60, agree=40)
    # 居民会议: more than half attend; exactly half is not enough.
    held = services.meeting_record(
        actor=staff, meeting=meeting, minutes="纪要", resolution="决议", present=50, agree=40
    )
    assert held.outcome["passed"] is False
    assert held.outcome["failed"] == ["到会居民（或户代表） 50.00%，未达过半数"]


def test_who_is_due_comes_from_the_registry(tree, staff, proposal):
    _, topic = proposal
    topic = _accept(staff, topic)
    members = [person(20 + n, tree.grid_a1a, political_status="01") for n in range(3)]
    person(30, tree.grid_a1a, political_status="02")  # 预备党员: no vote
    rep = PersonTag.objects.get(code="resident_rep")
    for someone in members[:2]:
        PersonTagAssignment.objects.create(
            person=someone, tag=rep, started_on=timezone.localdate(), area=someone.area
        )
    meeting = _called(staff, topic, "party")
    assert meeting.due == 3
    reps = _called(staff, topic, "representatives")
    assert reps.due == 2


def test_invitees_sign_in_once_and_present_defaults_to_those_signed_in(staff, proposal):
    _, topic = proposal
    topic = _accept(staff, topic)
    meeting = _called(staff, topic, "party", due=3)
    guests = [
        services.invitee_add(actor=staff, meeting=meeting, name=name, role=role)
        for name, role in (("张代表", "party_rep"), ("李委员", "cppcc"), ("王党员", "member"))
    ]
    first = services.invitee_sign_in(actor=staff, meeting=meeting, invitee=guests[0])
    again = services.invitee_sign_in(actor=staff, meeting=meeting, invitee=guests[0])
    assert again.signed_in_at == first.signed_in_at
    services.invitee_sign_in(actor=staff, meeting=meeting, invitee=guests[1])
    held = services.meeting_record(actor=staff, meeting=meeting, minutes="纪要", agree=2)
    assert held.present == 2 and held.outcome["passed"] is True  # 2 of 3 is exactly 2/3
    with pytest.raises(DomainError, match="会议已记录结果，不能再签到"):
        services.invitee_sign_in(actor=staff, meeting=meeting, invitee=guests[2])


def test_a_running_topic_keeps_the_version_it_started_on(staff, proposal, tree, caplog):
    _, topic = proposal
    topic = _accept(staff, topic, key="one_matter")
    v1 = topic.procedure
    steps = [dict(s) for s in v1.steps]
    steps[1]["days"] = 15
    steps.append({"name": "回访评议", "kind": "record", "actor": "社区居委会", "days": 10})
    v2 = services.procedure_adapt(actor=staff, procedure=v1, name="一事一议（本社区）", steps=steps)
    assert (v2.version, v2.lineage, v2.current) == (2, "one_matter", True)
    v1.refresh_from_db()
    assert not v1.current
    assert services.procedure_for(community=tree.comm_a1, key="one_matter") == v2
    assert topic.steps.count() == 5 and topic.steps.get(index=1).days == 10
    with pytest.raises(DomainError, match="该版本已被修订"):
        services.procedure_adapt(actor=staff, procedure=v1, name="", steps=steps)
    bad = [{"name": "无类型", "kind": "", "days": "0"}]
    with pytest.raises(
        DomainError, match="第1步「无类型」：请选择步骤类型；第1步「无类型」：时限须为"
    ):
        services.procedure_adapt(actor=staff, procedure=v2, name="", steps=bad)
    own = services.procedure_copy(actor=staff, procedure=v2, name="老旧小区改造议事")
    assert own.lineage.startswith("own-") and own.steps == v2.steps
    later = resident(2, tree.grid_a1a, caplog)[0]
    second = services.resident_topic_propose(
        actor=later, title="增设休闲座椅", description="老人多", level="community"
    )
    assert _accept(staff, second, key="one_matter").steps.count() == 6


def test_shipped_templates_are_copied_once_per_community(tree):
    first = services.procedures_of(tree.comm_a1)
    again = services.procedures_of(tree.comm_a1)
    assert [p.pk for p in first] == [p.pk for p in again]
    assert [p.name for p in first] == ["四议两公开", "一事一议", "集中民意", "业主共同决定"]
    assert Procedure.objects.filter(area=tree.comm_a2).count() == 0


def test_the_resolution_becomes_a_case_and_its_resolution_reaches_participants(
    tree, staff, proposal, django_capture_on_commit_callbacks, caplog
):
    user, topic = proposal
    topic = _accept(staff, topic, key="one_matter")
    services.step_complete(actor=staff, topic=topic, index=0, note="议题说明")
    council = _called(staff, topic, "council")
    guest_user, guest = resident(5, tree.grid_a1a, caplog)
    services.invitee_add(actor=staff, meeting=council, name="", role="resident", person=guest)
    council = services.meeting_record(actor=staff, meeting=council, minutes="协商")
    services.step_complete(actor=staff, topic=topic, index=1, meeting=council)
    vote = _meeting(
        staff,
        topic,
        "residents",
        minutes="表决",
        resolution="修缮小广场地面",
        due=10,
        present=6,
        agree=4,
    )
    services.step_complete(actor=staff, topic=topic, index=2, meeting=vote)
    with django_capture_on_commit_callbacks(execute=True):
        services.resolution_to_case(actor=staff, topic=topic, category_code="city-misc")
    topic.refresh_from_db()
    case = Case.objects.get(pk=case_pk(topic.case_number))
    assert case.source == "deliberation" and "修缮小广场地面" in case.description
    with pytest.raises(DomainError, match=f"已转为事件 {case.number}"):
        services.resolution_to_case(actor=staff, topic=topic, category_code="city-misc")
    with django_capture_on_commit_callbacks(execute=True):
        case = case_act(actor=staff, case=case, action="assign", level="community", assignee=staff)
        case = case_act(actor=staff, case=case, action="start")
        case_act(actor=staff, case=case, action="resolve", note="已修缮")
    texts = list(TopicUpdate.objects.filter(topic=topic).values_list("text", flat=True))
    assert f"决议落实进展：事件 {case.number} 已办结" in texts
    for someone in (user, guest_user):
        assert Notification.objects.filter(user=someone, title__startswith="议题进展").exists()


def test_declining_and_ending_need_a_reason_and_tell_the_proposer(staff, proposal):
    user, topic = proposal
    with pytest.raises(DomainError, match="请说明不予受理的理由"):
        services.topic_decline(actor=staff, topic=topic, reason=" ")
    services.topic_decline(actor=staff, topic=topic, reason="属于物业合同事项，请向业委会反映")
    assert Notification.objects.filter(user=user, title="您提出的议题未予受理").exists()
    with pytest.raises(DomainError, match="该议题已受理或已处理"):
        _accept(staff, Topic.objects.get(pk=topic.pk))


def test_owners_decision_needs_an_estate_topic_and_a_passed_vote(tree, staff, proposal):
    _, topic = proposal
    with pytest.raises(DomainError, match="业主共同决定须是小区或楼栋议题"):
        _accept(staff, topic, key="owners_decision")


def test_a_resident_without_a_home_on_record_proposes_only_for_the_community(tree, caplog):
    user, _ = resident(7, tree.grid_a1a, caplog)
    with pytest.raises(DomainError, match="档案中没有您的现住房屋，只能提出社区议题"):
        services.resident_topic_propose(
            actor=user, title="楼道灯", description="坏了", level="building"
        )


def test_a_document_must_be_a_scan_or_word_file(staff, proposal):
    _, topic = proposal
    topic = _accept(staff, topic)
    exe = SimpleUploadedFile("提议书.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(DomainError, match="材料须为 PDF、JPG、PNG 或 Word 文件"):
        services.step_complete(actor=staff, topic=topic, index=0, note="提议", document=exe)


def test_a_step_past_its_deadline_is_recorded_as_late(staff, proposal):
    _, topic = proposal
    topic = _accept(staff, topic)
    topic.steps.filter(index=0).update(due_on=timezone.localdate() - timedelta(days=1))
    services.step_complete(actor=staff, topic=topic, index=0, note="迟到的提议")
    entry = AuditEntry.objects.filter(action="topic.step").latest("pk")
    assert entry.changes["late"] == [None, True]


def test_a_step_past_its_deadline_is_put_before_the_community_staff_once(
    tree, staff, proposal, user_with
):
    _, topic = proposal
    topic = _accept(staff, topic)
    first = topic.steps.get(index=0)
    other = user_with(Role.COMMUNITY_STAFF, tree.comm_a2)
    assert services.steps_overdue_sweep(today=first.due_on) == 0  # due today is not late
    later = first.due_on + timedelta(days=1)
    assert services.steps_overdue_sweep(today=later) == 1
    told = Notification.objects.get(user=staff, title__startswith="议事步骤逾期")
    assert told.body == f"第1步「党组织提议」应于 {first.due_on:%Y-%m-%d} 前完成"
    assert told.url == f"/console/deliberation/topics/{topic.pk}/"
    assert not Notification.objects.filter(user=other, title__startswith="议事步骤逾期").exists()
    assert services.steps_overdue_sweep(today=later) == 0  # told once


def test_a_meeting_cannot_count_fewer_due_than_the_registry_nor_be_rewritten_once_used(
    tree, staff, proposal
):
    _, topic = proposal
    topic = _accept(staff, topic)
    for n in range(3):
        person(50 + n, tree.grid_a1a, political_status="01")
    meeting = _called(staff, topic, "party")
    with pytest.raises(DomainError, match="应到人数不能少于档案登记的 3 人"):
        services.meeting_record(
            actor=staff, meeting=meeting, minutes="审议", due=2, present=2, agree=2
        )
    discussed = _meeting(staff, topic, "committees", minutes="两委商议")
    services.step_complete(actor=staff, topic=topic, index=0, note="党组织提议")
    services.step_complete(actor=staff, topic=topic, index=1, meeting=discussed)
    with pytest.raises(DomainError, match="本次会议的记录已用于完成「两委商议」，不能再修改"):
        services.meeting_record(actor=staff, meeting=discussed, minutes="改写的纪要")
