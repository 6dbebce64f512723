"""公示: a document on display for a number of days, residents' comments while it runs, the
staff's answer to each. Other apps (deliberation's decisions) open theirs through
`publicity_open`, naming themselves in `source_label` and `source_url`."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from shequtong.accounts.services import person_of
from shequtong.core.audit import audit_record
from shequtong.core.errors import DomainError
from shequtong.core.models import Area, User
from shequtong.core.notify import Message, notify
from shequtong.core.scoping import can, can_in_area
from shequtong.registry.choices import PersonStatus

from ..models import Publicity, PublicityComment

MAX_DAYS = 90
MAX_COMMENT = 1000
MAX_ANSWER = 2000


def _local(moment: object) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")  # type: ignore[arg-type]


@transaction.atomic
def publicity_open(
    *,
    actor: User,
    area: Area,
    title: str,
    body: str,
    days: int,
    source_label: str = "",
    source_url: str = "",
) -> Publicity:
    """On display from now for `days` days to the residents living under `area`."""
    if not can_in_area(actor, "change", Publicity, area.path):
        raise DomainError.on("area", "您无权在该区域发布公示", "forbidden")
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = ["请填写公示标题"]
    elif len(title.strip()) > 200:
        errors["title"] = ["公示标题不能超过 200 字"]
    if not body.strip():
        errors["body"] = ["请填写公示内容"]
    elif len(body) > 20000:
        errors["body"] = ["公示内容不能超过 20000 字"]
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        errors["days"] = [f"公示天数应为 1 至 {MAX_DAYS} 之间的整数"]
    if len(source_label) > 100:
        errors["source_label"] = ["来源不能超过 100 字"]
    if source_url and (not source_url.startswith("/") or source_url.startswith("//")):
        errors["source_url"] = ["来源链接须为本平台内的地址（以 / 开头）"]
    elif len(source_url) > 200:
        errors["source_url"] = ["来源链接不能超过 200 字符"]
    if errors:
        raise DomainError.from_fields(errors)
    now = timezone.now()
    publicity = Publicity(
        area=area,
        title=title.strip(),
        body=body.strip(),
        starts_at=now,
        ends_at=now + timedelta(days=days),
        source_label=source_label.strip(),
        source_url=source_url,
        created_by=actor,
    )
    publicity.full_clean()
    publicity.save()
    audit_record(
        actor=actor, action="publicity.open", obj=publicity, changes={"days": [None, days]}
    )
    return publicity


@transaction.atomic
def publicity_comment(*, actor: User, publicity: Publicity, text: str) -> PublicityComment:
    """A resident living under the publicity's area comments while it is on display."""
    person = person_of(actor)
    if person is None:
        raise DomainError.on("text", "请先完成实名认证再提意见")
    if person.status != PersonStatus.ACTIVE or not person.area_path.startswith(publicity.area_path):
        raise DomainError.on("text", "您不在本公示的范围内", "forbidden")
    now = timezone.now()
    if now < publicity.starts_at:
        raise DomainError.on("text", f"公示尚未开始，{_local(publicity.starts_at)} 起可提意见")
    if now >= publicity.ends_at:
        raise DomainError.on("text", f"公示期已于 {_local(publicity.ends_at)} 结束，不再接受意见")
    text = text.strip()
    if not text:
        raise DomainError.on("text", "请填写意见内容")
    if len(text) > MAX_COMMENT:
        raise DomainError.on("text", f"意见不能超过 {MAX_COMMENT} 字")
    comment = PublicityComment(
        publicity=publicity,
        person=person,
        author=actor,
        text=text,
        area=publicity.area,
    )
    comment.full_clean()
    comment.save()
    audit_record(actor=actor, action="publicity.comment", obj=publicity)
    return comment


@transaction.atomic
def publicity_answer(*, actor: User, comment: PublicityComment, text: str) -> PublicityComment:
    """The staff's answer; answering again replaces it. The resident is told in the inbox."""
    comment = (
        PublicityComment.objects.select_for_update(of=("self",))
        .select_related("publicity", "area")
        .get(pk=comment.pk)
    )
    if not can(actor, "change", comment):
        raise DomainError.on("answer", "您无权答复该意见", "forbidden")
    text = text.strip()
    if not text:
        raise DomainError.on("answer", "请填写答复内容")
    if len(text) > MAX_ANSWER:
        raise DomainError.on("answer", f"答复不能超过 {MAX_ANSWER} 字")
    before = comment.answer
    comment.answer = text
    comment.answered_by = actor
    comment.answered_at = timezone.now()
    comment.save(update_fields=["answer", "answered_by", "answered_at", "updated_at"])
    audit_record(
        actor=actor,
        action="publicity.answer",
        obj=comment.publicity,
        changes={"comment": [None, comment.pk], "answered_before": [None, bool(before)]},
    )
    if comment.author is not None:
        url = reverse("notices:m_publicity_detail", args=[comment.publicity_id])
        notify([comment.author], Message.plain("您对公示提出的意见已有答复", "", url))
    return comment
