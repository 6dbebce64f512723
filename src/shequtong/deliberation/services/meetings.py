"""Meetings of a topic: called with the registry's count of who is due, invitees (co-opted
党代表, 人大代表, 政协委员 and organisations among them), sign-in, minutes, files, and the counts
the law's rule of the meeting's kind is applied to."""

from __future__ import annotations

from datetime import datetime
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from shequtong.core.audit import audit_record
from shequtong.core.errors import DomainError
from shequtong.core.models import User
from shequtong.core.scoping import can
from shequtong.core.uploads import DOCUMENTS, check_document
from shequtong.registry.models import Person

from ..choices import InviteeRole, MeetingKind, TopicStatus
from ..electorates import due_for
from ..models import Invitee, Meeting, MeetingFile, Topic, TopicStep
from ..rules import Outcome, party_meeting, residents_meeting


def _changeable(actor: User, obj: Topic | Meeting, what: str) -> None:
    if not can(actor, "change", obj):
        raise DomainError.on("meeting", f"您无权{what}", "forbidden")


@transaction.atomic
def meeting_create(
    *,
    actor: User,
    topic: Topic,
    kind: str,
    title: str,
    starts_at: datetime,
    place: str,
    due: int | None = None,
) -> Meeting:
    """`due` defaults to the registry's count for the kinds the law counts (party members,
    adult residents, representatives) in the topic's community."""
    _changeable(actor, topic, "为该议题召开会议")
    if topic.status != TopicStatus.RUNNING:
        raise DomainError.on("topic", "只有议事中的议题可以召开会议")
    errors: dict[str, list[str]] = {}
    if kind not in MeetingKind.values:
        errors["kind"] = ["请选择会议类型"]
    if not title.strip():
        errors["title"] = ["请填写会议名称"]
    if not place.strip():
        errors["place"] = ["请填写会议地点"]
    if errors:
        raise DomainError.from_fields(errors)
    if due is None:
        due = due_for(kind, topic.area)
    meeting = Meeting.objects.create(
        area=topic.area,
        topic=topic,
        kind=kind,
        title=title.strip()[:120],
        starts_at=starts_at,
        place=place.strip()[:120],
        due=due,
        created_by=actor,
    )
    audit_record(actor=actor, action="meeting.create", obj=meeting)
    return meeting


def _held(meeting: Meeting) -> bool:
    """Read afresh: the caller's copy may predate the record."""
    return Meeting.objects.filter(pk=meeting.pk, held=True).exists()


def invitee_add(
    *,
    actor: User,
    meeting: Meeting,
    name: str,
    role: str,
    person: Person | None = None,
    user: User | None = None,
) -> Invitee:
    _changeable(actor, meeting, "修改该会议")
    if role not in InviteeRole.values:
        raise DomainError.on("role", "请选择参会身份")
    name = (person.name if person else name).strip()
    if not name:
        raise DomainError.on("name", "请填写参会人员姓名或单位")
    if _held(meeting):
        raise DomainError.on("name", "会议已记录结果，不能再添加参会人员")
    return Invitee.objects.create(
        meeting=meeting, area=meeting.area, name=name[:64], role=role, person=person, user=user
    )


def invitee_sign_in(*, actor: User, meeting: Meeting, invitee: Invitee) -> Invitee:
    """Signing in twice keeps the first time."""
    _changeable(actor, meeting, "为该会议签到")
    if invitee.meeting_id != meeting.pk:
        raise DomainError.on("invitee", "该人员不在本次会议的邀请名单中")
    if _held(meeting):
        raise DomainError.on("invitee", "会议已记录结果，不能再签到")
    Invitee.objects.filter(pk=invitee.pk, signed_in_at__isnull=True).update(
        signed_in_at=timezone.now()
    )
    invitee.refresh_from_db()
    return invitee


def outcome_of(meeting: Meeting) -> Outcome | None:
    """The rule of the meeting's kind on its counts, or None where the law sets no quorum
    (两委会议, 议事会: consultation, recorded in the minutes)."""
    if meeting.due is None or meeting.present is None or meeting.agree is None:
        return None
    if meeting.kind == MeetingKind.PARTY:
        return party_meeting(due=meeting.due, present=meeting.present, agree=meeting.agree)
    if meeting.kind in (MeetingKind.RESIDENTS, MeetingKind.REPRESENTATIVES):
        return residents_meeting(
            due=meeting.due,
            present=meeting.present,
            agree=meeting.agree,
            representatives=meeting.kind == MeetingKind.REPRESENTATIVES,
        )
    return None


def _outcome_json(outcome: Outcome) -> dict[str, Any]:
    return {
        "passed": outcome.passed,
        "failed": outcome.failed,
        "measures": [
            {
                "label": m.label,
                "part": str(m.part),
                "whole": str(m.whole),
                "percent": m.percent,
                "rule": m.rule,
                "met": m.met,
            }
            for m in outcome.measures
        ],
    }


@transaction.atomic
def meeting_record(
    *,
    actor: User,
    meeting: Meeting,
    minutes: str,
    resolution: str = "",
    due: int | None = None,
    present: int | None = None,
    agree: int | None = None,
    disagree: int | None = None,
    abstain: int | None = None,
) -> Meeting:
    """The meeting as held. Present defaults to those signed in; the counts must add up."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _changeable(actor, meeting, "记录该会议")
    used = TopicStep.objects.filter(meeting=meeting, done_at__isnull=False).first()
    if used is not None:
        raise DomainError.on("minutes", f"本次会议的记录已用于完成「{used.name}」，不能再修改")
    counted = meeting.kind in (
        MeetingKind.PARTY,
        MeetingKind.RESIDENTS,
        MeetingKind.REPRESENTATIVES,
    )
    due = meeting.due if due is None else due
    if present is None:
        present = meeting.invitees.filter(signed_in_at__isnull=False).count() if counted else None
    errors: dict[str, list[str]] = {}
    if not minutes.strip():
        errors["minutes"] = ["请填写会议纪要"]
    if counted:
        registered = due_for(meeting.kind, meeting.area) or 0
        if not due:
            errors["due"] = ["请填写应到人数"]
        elif due < registered:
            # The law counts those due: fewer than the registry holds would lower the bar.
            errors["due"] = [f"应到人数不能少于档案登记的 {registered} 人；档案有误请先更正档案"]
        elif present is not None and present > due:
            errors["present"] = [f"实到人数（{present}）不能多于应到人数（{due}）"]
        if agree is None:
            errors["agree"] = ["请填写同意人数"]
        elif present is not None:
            cast = agree + (disagree or 0) + (abstain or 0)
            if cast > present:
                errors["agree"] = [f"同意、不同意、弃权合计 {cast} 人，多于实到人数 {present} 人"]
        if meeting.kind != MeetingKind.PARTY and not resolution.strip():
            errors["resolution"] = ["请填写会议决议"]
    if errors:
        raise DomainError.from_fields(errors)
    meeting.minutes = minutes.strip()
    meeting.resolution = resolution.strip()
    meeting.due, meeting.present = due, present
    meeting.agree, meeting.disagree, meeting.abstain = agree, disagree, abstain
    outcome = outcome_of(meeting)
    meeting.outcome = _outcome_json(outcome) if outcome else None
    meeting.held = True
    meeting.save()
    audit_record(
        actor=actor,
        action="meeting.record",
        obj=meeting,
        changes={
            "counts": [None, [due, present, agree, disagree, abstain]],
            "passed": [None, outcome.passed if outcome else None],
        },
    )
    return meeting


def meeting_file_add(*, actor: User, meeting: Meeting, upload: IO[bytes] | Any) -> MeetingFile:
    _changeable(actor, meeting, "为该会议上传附件")
    name, _ = check_document(upload, field="file", word="附件", types=DOCUMENTS)
    attached = MeetingFile(meeting=meeting, area=meeting.area, name=name[-120:])
    attached.file.save(name, upload, save=False)
    attached.save()
    return attached
