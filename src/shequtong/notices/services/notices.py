"""通知公告: posted by community staff (published at once) or by an organisation account
(waiting for the community's decision), read by the residents it is addressed to, each read
recorded once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from shequtong.accounts.selectors import accounts_of
from shequtong.accounts.services import person_of
from shequtong.core.audit import audit_record
from shequtong.core.choices import AreaLevel, Role
from shequtong.core.errors import DomainError
from shequtong.core.models import Area, User, community_path
from shequtong.core.notify import Message, notify
from shequtong.core.policy import roles_allowed
from shequtong.core.scoping import grant_covers, organisations_of
from shequtong.registry.models import Building, Estate, Organization, PersonTag

from .. import selectors
from ..choices import Audience, NoticeStatus
from ..models import Notice, NoticeRead
from .checks import decision_text

BRIEF = "您有一条新的社区通知，请登录社区通查看"


def _office_roles() -> frozenset[str]:
    return roles_allowed(Notice._meta.label_lower, "change") - {Role.ORG_STAFF}


def may_moderate(user: User, notice: Notice) -> bool:
    """The community's office (not an organisation account) decides on an organisation's post."""
    return grant_covers(user, _office_roles(), notice.area_path)


@dataclass(frozen=True)
class Target:
    """Where a notice goes: the area it is placed in and the row naming its audience."""

    area: Area
    estate: Estate | None = None
    building: Building | None = None
    tag: PersonTag | None = None


def _target(
    audience: str,
    area: Area | None,
    estate: Estate | None,
    building: Building | None,
    tag: PersonTag | None,
) -> Target:
    if audience == Audience.COMMUNITY:
        if area is None or area.level != AreaLevel.COMMUNITY:
            raise DomainError.on("area", "请选择要通知的社区")
        return Target(area)
    if audience == Audience.GRID:
        if area is None or area.level != AreaLevel.GRID:
            raise DomainError.on("area", "请选择要通知的网格")
        return Target(area)
    if audience == Audience.ESTATE:
        if estate is None:
            raise DomainError.on("estate", "请选择要通知的小区")
        return Target(estate.area, estate=estate)
    if audience == Audience.BUILDING:
        if building is None:
            raise DomainError.on("building", "请选择要通知的楼栋")
        return Target(building.area, building=building)
    if audience == Audience.TAG:
        if area is None or area.level != AreaLevel.COMMUNITY:
            raise DomainError.on("area", "请选择该人群所在的社区")
        if tag is None:
            raise DomainError.on("tag", "请选择人群标签")
        if tag.sensitive:
            # A notice to 社区矫正 … would tell its unread list who carries the tag.
            raise DomainError.on("tag", "敏感标签不能作为通知对象")
        return Target(area, tag=tag)
    raise DomainError.on("audience", "请选择通知对象：社区、小区、楼栋、网格或人群标签")


def _check_text(title: str, body: str, expires_at: datetime | None) -> None:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = ["请填写标题"]
    elif len(title.strip()) > 200:
        errors["title"] = ["标题不能超过 200 字"]
    if not body.strip():
        errors["body"] = ["请填写正文"]
    elif len(body) > 10000:
        errors["body"] = ["正文不能超过 10000 字"]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = ["有效期须晚于现在"]
    if errors:
        raise DomainError.from_fields(errors)


def _tell_residents(notice: Notice) -> int:
    """Each addressed resident with an account gets an in-app note; what may leave the
    platform (the brief) names nothing."""
    users = list(accounts_of(selectors.audience_of(notice).values("pk")))
    url = reverse("notices:m_notice", args=[notice.pk])
    notify(users, Message(f"社区通知：{notice.title}"[:100], "", url, brief=BRIEF))
    return len(users)


@transaction.atomic
def notice_post(
    *,
    actor: User,
    title: str,
    body: str,
    audience: str,
    area: Area | None = None,
    estate: Estate | None = None,
    building: Building | None = None,
    tag: PersonTag | None = None,
    pinned: bool = False,
    expires_at: datetime | None = None,
    organization: Organization | None = None,
) -> Notice:
    """Staff's notice is published and its residents told at once; an organisation account's
    (`organization`, one it acts for) waits for the community's decision."""
    target = _target(audience, area, estate, building, tag)
    _check_text(title, body, expires_at)
    if grant_covers(actor, _office_roles(), target.area.path):
        organization = None
        status = NoticeStatus.PUBLISHED
    elif (
        organization is not None
        and organization.pk in organisations_of(actor)
        and grant_covers(actor, {Role.ORG_STAFF}, target.area.path)
        and target.area.path.startswith(community_path(organization.area_path))
    ):
        status = NoticeStatus.PENDING
    else:
        raise DomainError.on("audience", "您无权向该范围发布通知", "forbidden")
    notice = Notice(
        area=target.area,
        title=title.strip(),
        body=body.strip(),
        audience=audience,
        estate=target.estate,
        building=target.building,
        tag=target.tag,
        organization=organization,
        status=status,
        pinned=pinned,
        expires_at=expires_at,
        created_by=actor,
        published_at=timezone.now() if status == NoticeStatus.PUBLISHED else None,
    )
    notice.full_clean()
    notice.save()
    if status == NoticeStatus.PUBLISHED:
        told = _tell_residents(notice)
        audit_record(actor=actor, action="notice.post", obj=notice, changes={"told": [None, told]})
    else:
        audit_record(actor=actor, action="notice.submit", obj=notice)
    return notice


@transaction.atomic
def notice_moderate(*, actor: User, notice: Notice, approve: bool, reason: str = "") -> Notice:
    """The community's decision on an organisation's post: published (and its residents told),
    or refused with the reason the organisation reads."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if not may_moderate(actor, notice):
        raise DomainError.on("status", "只有社区工作人员可以审核组织发布的通知", "forbidden")
    if notice.status != NoticeStatus.PENDING:
        raise DomainError.on("status", "该通知已审核")
    reason = decision_text(
        reason, approve=approve, field="reason", missing="请填写未通过的原因", label="原因"
    )
    notice.decided_by = actor
    if approve:
        if notice.expires_at is not None and notice.expires_at <= timezone.now():
            raise DomainError.on("status", "该通知已过有效期，无法发布")
        notice.status = NoticeStatus.PUBLISHED
        notice.published_at = timezone.now()
    else:
        notice.status = NoticeStatus.REJECTED
        notice.reject_reason = reason
    notice.save()
    changes = {"status": [NoticeStatus.PENDING, notice.status]}
    if approve:
        changes["told"] = [None, _tell_residents(notice)]
    audit_record(
        actor=actor,
        action="notice.approve" if approve else "notice.reject",
        obj=notice,
        changes=changes,
    )
    if notice.created_by is not None:
        verdict = "已通过审核并发布" if approve else f"未通过审核：{reason}"
        url = reverse("notices:notice_detail", args=[notice.pk])
        # The reason stays in the platform: the SMS brief says only the verdict.
        brief = "您提交的通知已通过审核" if approve else "您提交的通知未通过审核，请登录查看"
        message = Message(f"您提交的通知{verdict}"[:100], "", url, brief=brief)
        notify([notice.created_by], message)
    return notice


def notice_read(*, actor: User, notice: Notice) -> NoticeRead:
    """The signed-in resident opened the notice: recorded once, however many taps race."""
    person = person_of(actor)
    if person is None:
        raise DomainError.on("notice", "请先完成实名认证")
    if not selectors.notices_for(person).filter(pk=notice.pk).exists():
        raise DomainError.on("notice", "该通知不是发给您的或已过期", "not_found")
    found = NoticeRead.objects.filter(notice=notice, person=person).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            read = NoticeRead.objects.create(
                notice=notice, person=person, user=actor, area=person.area
            )
            audit_record(actor=actor, action="notice.read", obj=notice)
            return read
    except IntegrityError:  # the same resident's other tap got there first
        return NoticeRead.objects.get(notice=notice, person=person)
