"""Becoming a volunteer: a resident applies on /m/ (or the community registers one), the
community approves."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shequtong.core.audit import audit_record
from shequtong.core.errors import DomainError
from shequtong.core.models import User
from shequtong.core.notify import Message, notify
from shequtong.core.scoping import can_in_area
from shequtong.registry.models import Organization, Person

from ..choices import VolunteerKind, VolunteerStatus
from ..models import Commendation, Volunteer


@transaction.atomic
def volunteer_apply(
    *, actor: User, person: Person, kind: str, skills: str = "", availability: str = ""
) -> Volunteer:
    if kind not in VolunteerKind.values:
        raise DomainError.on("kind", "请选择志愿者类别")
    volunteer = Volunteer.objects.select_for_update().filter(person=person).first()
    if volunteer and volunteer.status in (VolunteerStatus.APPLIED, VolunteerStatus.ACTIVE):
        raise DomainError.on(
            "kind",
            "您已提交过志愿者注册"
            if volunteer.status == VolunteerStatus.APPLIED
            else "您已是注册志愿者",
        )
    volunteer = volunteer or Volunteer(person=person)
    volunteer.area = person.area
    volunteer.kind = kind
    volunteer.skills = skills.strip()[:200]
    volunteer.availability = availability.strip()[:100]
    volunteer.status = VolunteerStatus.APPLIED
    volunteer.applied_by = actor
    volunteer.note = ""
    volunteer.save()
    audit_record(actor=actor, action="volunteer.apply", obj=volunteer)
    return volunteer


@transaction.atomic
def volunteer_decide(
    *, actor: User, volunteer: Volunteer, approve: bool, note: str = ""
) -> Volunteer:
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if not can_in_area(actor, "change", Volunteer, volunteer.area_path):
        raise DomainError.on("status", "您无权审核该社区的志愿者", "forbidden")
    if volunteer.status != VolunteerStatus.APPLIED:
        raise DomainError.on("status", "该申请已审核")
    if not approve and not note.strip():
        raise DomainError.on("note", "请填写不通过的原因，申请人会看到")
    volunteer.status = VolunteerStatus.ACTIVE if approve else VolunteerStatus.REJECTED
    volunteer.note = note.strip()[:200]
    volunteer.decided_by = actor
    volunteer.decided_at = timezone.now()
    volunteer.save()
    audit_record(
        actor=actor, action="volunteer.approve" if approve else "volunteer.reject", obj=volunteer
    )
    return volunteer


@transaction.atomic
def volunteer_commend(
    *, actor: User, volunteer: Volunteer, title: str, reason: str = ""
) -> Commendation:
    """嘉许 (志愿者星级认定和嘉许制度): recorded, and told to the volunteer."""
    if not can_in_area(actor, "change", Volunteer, volunteer.area_path):
        raise DomainError.on("title", "您无权嘉许该社区的志愿者", "forbidden")
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise DomainError.on("title", "只能嘉许已注册的志愿者")
    if not title.strip():
        raise DomainError.on("title", "请填写嘉许名称，如：年度优秀志愿者")
    award = Commendation.objects.create(
        volunteer=volunteer,
        area=volunteer.area,
        title=title.strip()[:100],
        reason=reason.strip()[:300],
        awarded_on=timezone.localdate(),
        awarded_by=actor,
    )
    audit_record(actor=actor, action="volunteer.commend", obj=award)
    notify([volunteer.applied_by], Message.plain(f"您获得嘉许：{award.title}", url="/m/volunteer/"))
    return award


@transaction.atomic
def volunteer_join_team(*, actor: User, volunteer: Volunteer, team: Organization) -> None:
    if not can_in_area(actor, "change", Volunteer, team.area_path):
        raise DomainError.on("team", "您无权管理该队伍", "forbidden")
    volunteer.teams.add(team)
    audit_record(
        actor=actor,
        action="volunteer.join_team",
        obj=volunteer,
        changes={"team": [None, team.name]},
    )
