"""Topics from proposal to the published result: proposed (by a resident on /m/ or by staff
from cases, a grid, the 两委, an owners' committee or the 议事目录), accepted onto a procedure
whose steps are copied onto the topic, each step completed in order with what its kind needs,
the resolution sent on as a case, and progress reported to everyone who took part."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import IO, Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from shequtong.accounts.selectors import accounts_of
from shequtong.accounts.services import person_of
from shequtong.core.audit import audit_record
from shequtong.core.calendar import add_working_days
from shequtong.core.errors import DomainError
from shequtong.core.events import publish
from shequtong.core.models import Area, User, community_path
from shequtong.core.notify import Message, notify
from shequtong.core.scoping import can, can_in_area
from shequtong.core.uploads import DOCUMENTS, check_document
from shequtong.notices.services import publicity_open
from shequtong.registry.models import Building, Estate
from shequtong.surveys.choices import SurveyStatus
from shequtong.surveys.models import Survey
from shequtong.surveys.selectors import Support, support_of

from ..choices import (
    Electorate,
    MeetingKind,
    StepKind,
    TopicLevel,
    TopicSource,
    TopicStatus,
    VoteStatus,
)
from ..events import ORIGIN, resolution_adopted
from ..models import Invitee, Meeting, Procedure, Topic, TopicStep, TopicUpdate, Vote

PUBLICITY_DAYS = 7
# The kinds of meeting each step accepts.
MEETINGS_OF_STEP = {
    StepKind.DISCUSS: frozenset(MeetingKind.values),
    StepKind.PARTY_REVIEW: frozenset({MeetingKind.PARTY}),
    StepKind.RESOLVE: frozenset({MeetingKind.RESIDENTS, MeetingKind.REPRESENTATIVES}),
}


def _clean_text(title: str, description: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = ["请填写议题"]
    if len(title.strip()) > 120:
        errors["title"] = ["议题不能超过 120 字"]
    if not description.strip():
        errors["description"] = ["请说明议题的内容和理由"]
    return errors


@transaction.atomic
def topic_propose(
    *,
    actor: User,
    title: str,
    description: str,
    source: str,
    level: str,
    area: Area,
    estate: Estate | None = None,
    building: Building | None = None,
    cases: Iterable[Any] = (),
) -> Topic:
    """Staff's proposal; `area` is the community, or the grid of a grid topic."""
    if not can_in_area(actor, "change", Topic, area.path):
        raise DomainError.on("area", "您无权在该区域提出议题", "forbidden")
    errors = _clean_text(title, description)
    if source not in TopicSource.values:
        errors["source"] = ["请选择议题来源"]
    if level not in TopicLevel.values:
        errors["level"] = ["请选择议题层级"]
    elif level == TopicLevel.ESTATE and estate is None:
        errors["estate"] = ["小区议题须选择小区"]
    elif level == TopicLevel.BUILDING and building is None:
        errors["building"] = ["楼栋议题须选择楼栋"]
    if errors:
        raise DomainError.from_fields(errors)
    topic = Topic.objects.create(
        area=area,
        title=title.strip(),
        description=description.strip(),
        source=source,
        level=level,
        estate=estate or (building.estate if building else None),
        building=building,
        proposer=actor,
    )
    topic.cases.set(list(cases))
    audit_record(actor=actor, action="topic.propose", obj=topic)
    return topic


@transaction.atomic
def resident_topic_propose(*, actor: User, title: str, description: str, level: str) -> Topic:
    """A resident's proposal (居民提议) about their community, estate or building: where is
    read from the registry, not typed in."""
    me = person_of(actor)
    if me is None:
        raise DomainError.on("title", "请先完成实名认证再提出议题", "forbidden")
    errors = _clean_text(title, description)
    dwelling = me.dwelling
    building = dwelling.building if dwelling else None
    if level == TopicLevel.COMMUNITY:
        area = Area.objects.get(path=community_path(me.area_path))
    elif level in (TopicLevel.ESTATE, TopicLevel.BUILDING) and building is not None:
        area = building.estate.area if level == TopicLevel.ESTATE else building.area
    elif level in (TopicLevel.ESTATE, TopicLevel.BUILDING):
        errors["level"] = ["档案中没有您的现住房屋，只能提出社区议题"]
    else:
        errors["level"] = ["请选择议题涉及的范围"]
    if errors:
        raise DomainError.from_fields(errors)
    topic = Topic.objects.create(
        area=area,
        title=title.strip(),
        description=description.strip(),
        source=TopicSource.RESIDENT,
        level=level,
        estate=building.estate if building and level != TopicLevel.COMMUNITY else None,
        building=building if level == TopicLevel.BUILDING else None,
        proposer=actor,
    )
    audit_record(actor=actor, action="topic.propose", obj=topic)
    return topic


def _locked(actor: User, topic: Topic, what: str) -> Topic:
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    if not can(actor, "change", topic):
        raise DomainError.on("topic", f"您无权{what}", "forbidden")
    return topic


def _open_step(step: TopicStep, now: Any) -> None:
    step.opened_at = now
    step.due_on = add_working_days(timezone.localdate(now), step.days)
    step.save(update_fields=["opened_at", "due_on", "updated_at"])


@transaction.atomic
def topic_accept(*, actor: User, topic: Topic, procedure: Procedure) -> Topic:
    """Put the topic on a procedure: its steps are copied, the first opens with its deadline."""
    topic = _locked(actor, topic, "受理该议题")
    if topic.status != TopicStatus.PROPOSED:
        raise DomainError.on("topic", "该议题已受理或已处理")
    if not topic.area_path.startswith(procedure.area_path):
        raise DomainError.on("procedure", "请选择本社区的议事规程")
    owners = any(step["kind"] == StepKind.OWNERS_VOTE for step in procedure.steps)
    if owners and topic.estate_id is None:
        raise DomainError.on("procedure", "业主共同决定须是小区或楼栋议题")
    steps = TopicStep.objects.bulk_create(
        TopicStep(
            topic=topic,
            area_id=topic.area_id,
            area_path=topic.area_path,
            index=n,
            name=spec["name"],
            kind=spec["kind"],
            actor=spec["actor"],
            needs=spec.get("needs", ""),
            days=spec["days"],
        )
        for n, spec in enumerate(procedure.steps)
    )
    _open_step(steps[0], timezone.now())
    topic.procedure = procedure
    topic.status = TopicStatus.RUNNING
    topic.step_index = 0
    topic.save(update_fields=["procedure", "status", "step_index", "updated_at"])
    audit_record(
        actor=actor,
        action="topic.accept",
        obj=topic,
        changes={"procedure": [None, str(procedure)]},
    )
    _tell(topic, f"您提出的议题已受理，按「{procedure.name}」议事", actor)
    return topic


def _close(
    actor: User, topic: Topic, reason: str, *, was: str, to: str, what: str, told: str
) -> Topic:
    """Decline a proposal or end a running topic: either needs its reason, which the
    proposer and everyone who took part are told."""
    topic = _locked(actor, topic, "处理该议题")
    if topic.status != was:
        raise DomainError.on("topic", f"只有{TopicStatus(was).label}的议题可以{what}")
    if not reason.strip():
        raise DomainError.on("reason", f"请说明{what}的理由")
    topic.status = to
    topic.outcome_note = reason.strip()[:500]
    topic.save(update_fields=["status", "outcome_note", "updated_at"])
    audit_record(
        actor=actor, action=f"topic.{'decline' if to == TopicStatus.DECLINED else 'end'}", obj=topic
    )
    _tell(topic, told, actor, body=topic.outcome_note)
    return topic


@transaction.atomic
def topic_decline(*, actor: User, topic: Topic, reason: str) -> Topic:
    return _close(
        actor,
        topic,
        reason,
        was=TopicStatus.PROPOSED,
        to=TopicStatus.DECLINED,
        what="不予受理",
        told="您提出的议题未予受理",
    )


@transaction.atomic
def topic_end(*, actor: User, topic: Topic, reason: str) -> Topic:
    """Stop a running topic (a vote failed, the matter went away), with the reason."""
    return _close(
        actor,
        topic,
        reason,
        was=TopicStatus.RUNNING,
        to=TopicStatus.ENDED,
        what="终止",
        told="议题已终止",
    )


def _check_meeting(step: TopicStep, topic: Topic, meeting: Meeting | None) -> None:
    if meeting is None or meeting.topic_id != topic.pk:
        raise DomainError.on("meeting", f"「{step.name}」须选择本议题召开的会议")
    if meeting.kind not in MEETINGS_OF_STEP[step.kind]:
        kinds = "、".join(MeetingKind(k).label for k in sorted(MEETINGS_OF_STEP[step.kind]))
        raise DomainError.on("meeting", f"「{step.name}」须由{kinds}完成")
    if not meeting.held:
        raise DomainError.on("meeting", "请先记录会议纪要和表决结果")
    if step.kind != StepKind.DISCUSS and not (meeting.outcome or {}).get("passed"):
        failed = "；".join((meeting.outcome or {}).get("failed") or ["未记录表决结果"])
        raise DomainError.on("meeting", f"{meeting.get_kind_display()}未通过：{failed}")


def _check_vote(topic: Topic, vote: Vote | None) -> None:
    if (
        vote is None
        or vote.electorate != Electorate.OWNERS
        or vote.estate_id is None
        or vote.estate_id != topic.estate_id
    ):
        raise DomainError.on("vote", "请选择本小区的业主表决")
    if vote.status != VoteStatus.CLOSED:
        raise DomainError.on("vote", "业主表决尚未结束")
    if not (vote.result or {}).get("passed"):
        raise DomainError.on("vote", "业主表决未通过：" + "；".join(vote.result["failed"]))


def _covers(survey: Survey, topic: Topic) -> bool:
    """Whether the survey asked every household the topic concerns: the topic's building,
    its estate, its grid or its whole community — a survey of one building cannot stand for
    an estate, nor one estate for the community."""
    if survey.building_id:
        return survey.building_id == topic.building_id
    if survey.estate_id:
        return survey.estate_id == topic.estate_id
    return topic.area_path.startswith(survey.area_path)


def _check_survey(topic: Topic, survey: Survey | None) -> Support:
    community = community_path(topic.area_path)
    if survey is None or not survey.area_path.startswith(community):
        raise DomainError.on("survey", "请选择本社区的入户问卷")
    if not _covers(survey, topic):
        raise DomainError.on(
            "survey", "所选问卷的范围小于或不同于本议题涉及的范围，请选择覆盖全部相关住户的问卷"
        )
    if survey.status != SurveyStatus.CLOSED:
        raise DomainError.on("survey", "问卷尚未结束，请结束后再继续")
    support = support_of(survey)
    if not support.passed:
        raise DomainError.on(
            "survey",
            f"同意的住户 {support.agreeing}/{support.households} 户（{float(support.share):.2%}），"
            "未达60%以上，不能继续；可终止议题或重新征求意见",
        )
    return support


@transaction.atomic
def step_complete(
    *,
    actor: User,
    topic: Topic,
    index: int,
    note: str = "",
    document: IO[bytes] | Any | None = None,
    meeting: Meeting | None = None,
    vote: Vote | None = None,
    survey: Survey | None = None,
) -> TopicStep:
    """Complete the topic's current step with what its kind needs; the next one opens. A
    step cannot be skipped, nor one done twice."""
    topic = _locked(actor, topic, "办理该议题")
    if topic.status != TopicStatus.RUNNING:
        raise DomainError.on("topic", f"议题{topic.get_status_display()}，不能继续办理")
    steps = list(topic.steps.select_for_update().order_by("index"))
    current = steps[topic.step_index]
    if index != topic.step_index:
        if index < topic.step_index:
            raise DomainError.on("step", f"第{index + 1}步已完成")
        raise DomainError.on(
            "step", f"请先完成第{current.index + 1}步「{current.name}」，议事步骤不能跳过"
        )
    if document is not None:
        check_document(document, field="document", word="材料", types=DOCUMENTS)
    kind = current.kind
    if kind in (StepKind.PROPOSE, StepKind.RECORD) and not note.strip():
        raise DomainError.on("note", f"请填写「{current.name}」的办理情况")
    if kind in MEETINGS_OF_STEP:
        _check_meeting(current, topic, meeting)
        current.meeting = meeting
    if kind == StepKind.RESOLVE and meeting is not None:
        topic.resolution = meeting.resolution
    if kind == StepKind.OWNERS_VOTE:
        _check_vote(topic, vote)
        current.vote = vote
        topic.resolution = f"{vote.title}：业主共同决定通过"  # type: ignore[union-attr]
    if kind == StepKind.SURVEY:
        support = _check_survey(topic, survey)
        current.survey = survey
        topic.resolution = (
            f"{survey.title}：{support.agreeing}/{support.households} 户同意"  # type: ignore[union-attr]
            f"（{float(support.share):.2%}），达到60%以上"
        )
    if kind == StepKind.PUBLISH:
        current.publicity = _publish(actor, topic, current, note)
    now = timezone.now()
    current.note = note.strip()
    current.done_at, current.done_by = now, actor
    if document is not None:
        current.document.save(getattr(document, "name", "材料.pdf"), document, save=False)
    current.save()
    last = topic.step_index == len(steps) - 1
    if last:
        topic.status = TopicStatus.DONE
    else:
        topic.step_index += 1
        _open_step(steps[topic.step_index], now)
    topic.save(update_fields=["status", "step_index", "resolution", "updated_at"])
    audit_record(
        actor=actor,
        action="topic.step",
        obj=topic,
        changes={
            "step": [None, current.name],
            "late": [None, timezone.localdate(now) > _due(current)],
        },
    )
    if kind in (StepKind.RESOLVE, StepKind.OWNERS_VOTE, StepKind.SURVEY, StepKind.PUBLISH) or last:
        _tell(topic, f"议题进展：{current.name}已完成", actor)
    return current


def _due(step: TopicStep) -> date:
    return step.due_on or timezone.localdate()


def _publish(actor: User, topic: Topic, step: TopicStep, note: str) -> Any:
    """决议公开 shows the resolution; 实施结果公开 the result the staff write (`note`)."""
    first = not topic.steps.filter(kind=StepKind.PUBLISH, done_at__isnull=False).exists()
    if first:
        if not topic.resolution:
            raise DomainError.on("note", "议题尚未形成决议，不能公开决议")
        body = topic.resolution + (f"\n\n{note.strip()}" if note.strip() else "")
    else:
        if not note.strip():
            raise DomainError.on("note", "请填写实施结果")
        body = note.strip()
    return publicity_open(
        actor=actor,
        area=topic.area,
        title=f"{step.name}：{topic.title}"[:120],
        body=body,
        days=PUBLICITY_DAYS,
        source_label=f"议题：{topic.title}"[:100],
        source_url=reverse("deliberation:m_topic", args=[topic.pk]),
    )


@transaction.atomic
def resolution_to_case(*, actor: User, topic: Topic, category_code: str) -> Topic:
    """An adopted resolution is carried out as a case (the cases app opens it on the event
    and its number comes back); its progress reaches the topic's participants."""
    topic = _locked(actor, topic, "转办该议题")
    if not topic.resolution:
        raise DomainError.on("category", "议题尚未形成决议，不能转办")
    if topic.case_number:
        raise DomainError.on("category", f"已转为事件 {topic.case_number}")
    publish(
        resolution_adopted,
        origin=f"{ORIGIN}:{topic.pk}",
        category_code=category_code,
        summary=f"议题「{topic.title}」的决议：{topic.resolution}"[:2000],
        area_id=topic.area_id,
        url=reverse("deliberation:topic_detail", args=[topic.pk]),
        actor_id=actor.pk,
    )
    audit_record(actor=actor, action="topic.to_case", obj=topic)
    return topic


def topic_case_link(*, topic_id: int, case_number: str) -> None:
    Topic.objects.filter(pk=topic_id, case_number="").update(case_number=case_number)
    topic = Topic.objects.filter(pk=topic_id).first()
    if topic:
        _record_update(topic, f"决议已转为事件 {case_number} 办理", None)


def topic_case_progress(*, case_number: str, label: str) -> None:
    """The case carrying a resolution moved (办结): tell everyone who took part."""
    for topic in Topic.objects.filter(case_number=case_number):
        _record_update(topic, f"决议落实进展：事件 {case_number} {label}", None)


@transaction.atomic
def topic_update(*, actor: User, topic: Topic, text: str) -> TopicUpdate:
    """Staff report progress (协商成果反馈) to everyone who took part."""
    if not can(actor, "change", topic):
        raise DomainError.on("text", "您无权发布该议题的进展", "forbidden")
    if not text.strip():
        raise DomainError.on("text", "请填写进展情况")
    return _record_update(topic, text.strip()[:1000], actor)


def _record_update(topic: Topic, text: str, actor: User | None) -> TopicUpdate:
    update = TopicUpdate.objects.create(topic=topic, area=topic.area, text=text, created_by=actor)
    _tell(topic, f"议题进展：{topic.title}"[:60], actor, body=text)
    return update


def participants(topic: Topic) -> list[User]:
    """The proposer and every invitee of its meetings who has an account."""
    invitees = Invitee.objects.filter(meeting__topic=topic)
    users = set(invitees.exclude(user=None).values_list("user_id", flat=True))
    persons = invitees.exclude(person=None).values_list("person_id", flat=True)
    users |= set(accounts_of(persons).values_list("pk", flat=True))
    if topic.proposer_id:
        users.add(topic.proposer_id)
    return list(User.objects.filter(pk__in=users, is_active=True))


def _tell(topic: Topic, title: str, actor: User | None, body: str = "") -> None:
    told = [u for u in participants(topic) if u != actor]
    if told:
        url = reverse("deliberation:m_topic", args=[topic.pk])
        notify(told, Message(title, body, url, brief="您参与的议题有新进展"))
