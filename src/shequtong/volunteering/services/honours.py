"""红黑榜 and 文明家庭: nomination, 道德评议 (a majority of those present), 公示 with objections
answered, publication, expiry by rule. A black-list entry cannot be publicised without its
deliberation record (the database refuses it too)."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shequtong.core.audit import audit_record
from shequtong.core.errors import DomainError
from shequtong.core.models import Area, User, community_path
from shequtong.core.scoping import can, can_in_area
from shequtong.registry.models import Household, Person

from ..choices import HonourKind, HonourStatus
from ..models import Honour, Objection


def _mine(actor: User, honour: Honour) -> Honour:
    honour = Honour.objects.select_for_update().get(pk=honour.pk)
    if not can(actor, "change", honour):
        raise DomainError.on("status", "您无权办理该社区的红黑榜", "forbidden")
    return honour


@transaction.atomic
def honour_nominate(
    *,
    actor: User,
    community: Area,
    kind: str,
    title: str,
    reason: str,
    person: Person | None = None,
    household: Household | None = None,
) -> Honour:
    if not can_in_area(actor, "change", Honour, community.path):
        raise DomainError.on("kind", "您无权在该社区提名", "forbidden")
    errors: dict[str, list[str]] = {}
    if kind not in HonourKind.values:
        errors["kind"] = ["请选择榜单"]
    if (person is None) == (household is None):
        errors["person"] = ["请选择一位居民或一户家庭"]
    elif kind == HonourKind.FAMILY and household is None:
        errors["household"] = ["文明家庭须选择一户家庭"]
    subject = person or household
    if subject is not None and community_path(subject.area_path) != community.path:
        errors["person"] = ["只能提名本社区的居民或家庭"]
    if not title.strip():
        errors["title"] = ["请填写事由"]
    if not reason.strip():
        errors["reason"] = ["请填写事迹或情况"]
    if errors:
        raise DomainError.from_fields(errors)
    honour = Honour.objects.create(
        area=community,
        kind=kind,
        person=person,
        household=household,
        title=title.strip()[:100],
        reason=reason.strip(),
        nominated_by=actor,
    )
    audit_record(actor=actor, action="honour.nominate", obj=honour)
    return honour


@transaction.atomic
def honour_deliberate(
    *, actor: User, honour: Honour, held_on: date, record: str, votes_for: int, votes_total: int
) -> Honour:
    """道德评议: passed by more than half of those present; otherwise withdrawn, the record kept."""
    honour = _mine(actor, honour)
    if honour.status != HonourStatus.NOMINATED:
        raise DomainError.on("status", "该提名已评议")
    errors: dict[str, list[str]] = {}
    if not record.strip():
        errors["deliberation"] = ["请填写评议记录（参会人员、意见、结论）"]
    if not 1 <= votes_total <= 1000:
        errors["votes_total"] = ["参会人数须为 1 至 1000"]
    elif not 0 <= votes_for <= votes_total:
        errors["votes_for"] = ["赞成票不能超过参会人数"]
    if held_on > timezone.localdate():
        errors["deliberated_on"] = ["评议日期不能晚于今天"]
    if errors:
        raise DomainError.from_fields(errors)
    honour.deliberated_on = held_on
    honour.deliberation = record.strip()
    honour.votes_for = votes_for
    honour.votes_total = votes_total
    honour.status = (
        HonourStatus.DELIBERATED if votes_for * 2 > votes_total else HonourStatus.WITHDRAWN
    )
    honour.save()
    audit_record(
        actor=actor,
        action="honour.deliberate",
        obj=honour,
        changes={"status": [None, honour.status]},
    )
    return honour


@transaction.atomic
def honour_publicise(*, actor: User, honour: Honour) -> Honour:
    honour = _mine(actor, honour)
    if honour.status != HonourStatus.DELIBERATED:
        raise DomainError.on("status", "评议通过后才能公示")
    today = timezone.localdate()
    honour.notice_from = today
    honour.notice_until = today + timedelta(days=settings.SHEQUTONG_HONOUR_NOTICE_DAYS)
    honour.status = HonourStatus.PUBLICISED
    honour.save()
    audit_record(actor=actor, action="honour.publicise", obj=honour)
    return honour


@transaction.atomic
def honour_object(*, actor: User, honour: Honour, text: str) -> Objection:
    """A resident of the community objects during 公示."""
    from shequtong.accounts.services import person_of

    honour = Honour.objects.select_for_update().get(pk=honour.pk)
    me = person_of(actor)
    if me is None or community_path(me.area_path) != honour.area_path:
        raise DomainError.on("text", "只有本社区实名居民可以提出异议", "forbidden")
    today = timezone.localdate()
    if (
        honour.status != HonourStatus.PUBLICISED
        or not honour.notice_until
        or today > honour.notice_until
    ):
        raise DomainError.on("text", "该条目不在公示期内")
    if not text.strip():
        raise DomainError.on("text", "请写明异议内容")
    objection = Objection.objects.create(
        honour=honour, area=honour.area, text=text.strip()[:500], raised_by=actor
    )
    audit_record(actor=actor, action="honour.object", obj=honour)
    return objection


@transaction.atomic
def objection_answer(*, actor: User, objection: Objection, upheld: bool, answer: str) -> Objection:
    """An upheld objection withdraws the entry; either way the objector's question is answered."""
    honour = _mine(actor, objection.honour)
    if objection.upheld is not None:
        raise DomainError.on("answer", "该异议已处理")
    if not answer.strip():
        raise DomainError.on("answer", "请填写处理意见")
    objection.upheld = upheld
    objection.answer = answer.strip()[:500]
    objection.answered_by = actor
    objection.save()
    if upheld:
        honour.status = HonourStatus.WITHDRAWN
        honour.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor, action="honour.answer", obj=honour, changes={"upheld": [None, upheld]}
    )
    return objection


@transaction.atomic
def honour_publish(*, actor: User, honour: Honour) -> Honour:
    """After the 公示 period, every objection answered: on the list until it expires."""
    honour = _mine(actor, honour)
    today = timezone.localdate()
    if honour.status != HonourStatus.PUBLICISED:
        raise DomainError.on("status", "公示后才能发布")
    if today <= honour.notice_until:
        raise DomainError.on("status", f"公示期至 {honour.notice_until:%Y-%m-%d}，期满后方可发布")
    if honour.objections.filter(upheld__isnull=True).exists():
        raise DomainError.on("status", "还有未处理的异议")
    honour.status = HonourStatus.PUBLISHED
    honour.published_on = today
    honour.expires_on = today + timedelta(days=settings.SHEQUTONG_HONOUR_VALID_DAYS[honour.kind])
    honour.save()
    audit_record(actor=actor, action="honour.publish", obj=honour)
    return honour
