"""Residents' comments on a version under consultation, and the staff's answer to each: what
became of it (采纳, 部分采纳, 不予采纳) and why, told to the resident
(健全协商成果采纳、落实和反馈制度)."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from shequtong.accounts.services import person_of
from shequtong.core.audit import audit_record
from shequtong.core.errors import DomainError
from shequtong.core.models import User
from shequtong.core.notify import Message, notify

from .. import selectors
from ..choices import CovenantKind, Disposition, VersionStatus
from ..models import MAX_ANSWER, MAX_COMMENT, CovenantComment, CovenantVersion
from .versions import locked, may_change

MAX_CLAUSE = 999


@transaction.atomic
def comment_add(
    *, actor: User, version: CovenantVersion, text: str, clause: int | None = None
) -> CovenantComment:
    """A resident of the covenant's community (居民公约) or estate (小区公约) comments while the
    version is open for comments, through its last day. The version's row is locked, so a
    comment cannot slip in while the staff submit it as all answered."""
    person = person_of(actor)
    if person is None:
        raise DomainError.on("text", "请先完成实名认证再提意见")
    version = locked(CovenantVersion, version.pk)
    covenant = version.covenant
    if not selectors.lives_under(person, covenant):
        where = "小区" if covenant.kind == CovenantKind.ESTATE else "社区"
        raise DomainError.on("text", f"您不是本{where}居民，不能对本公约提意见", "forbidden")
    if version.status != VersionStatus.CONSULTING:
        raise DomainError.on("text", "本版本目前不在征求意见期，不能提意见")
    assert version.consult_until is not None  # the database holds it for a consulting version
    if timezone.localdate() > version.consult_until:
        until = version.consult_until.strftime("%Y-%m-%d")
        raise DomainError.on("text", f"征求意见已于 {until} 截止，不再接受意见")
    text = text.strip()
    errors: dict[str, list[str]] = {}
    if not text:
        errors["text"] = ["请填写意见内容"]
    elif len(text) > MAX_COMMENT:
        errors["text"] = [f"意见不能超过 {MAX_COMMENT} 字（现为 {len(text)} 字）"]
    if clause is not None and not 1 <= clause <= MAX_CLAUSE:
        errors["clause"] = [f"条款序号应为 1 至 {MAX_CLAUSE} 之间的整数"]
    if errors:
        raise DomainError.from_fields(errors)
    comment = CovenantComment(
        version=version, person=person, author=actor, clause=clause, text=text, area=version.area
    )
    comment.full_clean()
    comment.save()
    audit_record(
        actor=actor, action="covenant.comment", obj=version, changes={"clause": [None, clause]}
    )
    return comment


@transaction.atomic
def comment_answer(
    *, actor: User, comment: CovenantComment, disposition: str, answer: str
) -> CovenantComment:
    """Answering again replaces the answer; the resident is told in the inbox."""
    comment = locked(CovenantComment, comment.pk)
    may_change(actor, comment, "答复该意见", "answer")
    answer = answer.strip()
    errors: dict[str, list[str]] = {}
    if disposition not in Disposition.values:
        errors["disposition"] = ["请选择采纳情况：采纳、部分采纳或不予采纳"]
    if not answer:
        errors["answer"] = ["请填写答复及理由"]
    elif len(answer) > MAX_ANSWER:
        errors["answer"] = [f"答复不能超过 {MAX_ANSWER} 字"]
    if errors:
        raise DomainError.from_fields(errors)
    before = comment.disposition
    comment.disposition = disposition
    comment.answer = answer
    comment.answered_by = actor
    comment.answered_at = timezone.now()
    comment.save(
        update_fields=["disposition", "answer", "answered_by", "answered_at", "updated_at"]
    )
    audit_record(
        actor=actor,
        action="covenant.answer",
        obj=comment.version,
        changes={"comment": [None, comment.pk], "disposition": [before or None, disposition]},
    )
    if comment.author is not None:
        url = reverse("covenants:m_version", args=[comment.version_id])
        notify([comment.author], Message.plain("您对公约提出的意见已有答复", "", url))
    return comment
