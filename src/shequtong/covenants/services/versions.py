"""A covenant and its versions: created for a community or an estate, a version drafted from
the text in force (or from nothing), edited while drafting, put out for comments until a day
(optionally with a 公示), submitted once every comment is answered, adopted by the decision the
law asks for, published to the residents, and a 居民公约 filed with the government.

Every change of a version locks its row; drafting and adopting lock the covenant's row, so two
staff at once number versions one after the other and leave one version in force."""

from __future__ import annotations

from datetime import date, timedelta
from typing import IO, Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Model
from django.urls import reverse
from django.utils import timezone

from shequtong.core.audit import audit_record
from shequtong.core.choices import AreaLevel
from shequtong.core.errors import DomainError
from shequtong.core.models import Area, User
from shequtong.core.scoping import can, can_in_area
from shequtong.core.uploads import check_document
from shequtong.deliberation.choices import MeetingKind, OwnerMatter, VoteStatus
from shequtong.deliberation.models import Meeting, Vote
from shequtong.notices.services import notice_post, publicity_open
from shequtong.registry.models import Estate

from ..choices import ADOPTED_STATUSES, OPEN_STATUSES, CovenantKind, VersionStatus
from ..models import MAX_TEXT, Covenant, CovenantVersion

MAX_CONSULT_DAYS = 90
ADOPTING_MEETINGS = (MeetingKind.RESIDENTS, MeetingKind.REPRESENTATIVES)


def locked(model: type[Model], pk: int) -> Any:
    """The row, locked until the transaction ends (FOR NO KEY UPDATE where the database has it:
    rows pointing at it may still be inserted)."""
    no_key = connection.features.has_select_for_no_key_update
    return model._default_manager.select_for_update(no_key=no_key).get(pk=pk)


def may_change(actor: User, obj: Model, what: str, field: str = "version") -> None:
    if not can(actor, "change", obj):
        raise DomainError.on(field, f"您无权{what}", "forbidden")


def _day(value: date) -> str:
    return value.strftime("%Y-%m-%d")


def _status_word(version: CovenantVersion) -> str:
    return f"第{version.number}版现为「{version.get_status_display()}」"


@transaction.atomic
def covenant_create(
    *,
    actor: User,
    kind: str,
    title: str,
    area: Area | None = None,
    estate: Estate | None = None,
) -> Covenant:
    """A 居民公约 of a community, or a 小区公约 of an estate (placed in the estate's community)."""
    if kind == CovenantKind.RESIDENTS:
        if area is None or area.level != AreaLevel.COMMUNITY:
            raise DomainError.on("area", "请选择居民公约所属的社区")
        place, field, estate, taken = area, "area", None, "该社区已有居民公约"
    elif kind == CovenantKind.ESTATE:
        if estate is None:
            raise DomainError.on("estate", "请选择小区公约所属的小区")
        place, field, taken = estate.area, "estate", "该小区已有小区公约"
    else:
        raise DomainError.on("kind", "请选择公约类型：居民公约或小区公约")
    if not can_in_area(actor, "change", Covenant, place.path):
        raise DomainError.on(field, "您无权为该社区或小区制定公约", "forbidden")
    title = title.strip()
    if not title:
        raise DomainError.on("title", "请填写公约名称")
    if len(title) > 100:
        raise DomainError.on("title", "公约名称不能超过 100 字")
    same = Covenant.objects.filter(kind=kind)
    same = same.filter(estate=estate) if estate else same.filter(area=place)
    existing = same.first()
    if existing is not None:
        raise DomainError.on(field, f"{taken}「{existing}」，请在该公约下起草新版本")
    covenant = Covenant(kind=kind, title=title, area=place, estate=estate, created_by=actor)
    covenant.full_clean()
    try:
        with transaction.atomic():
            covenant.save()
    except IntegrityError:  # the same place's covenant created twice at once
        raise DomainError.on(field, "该社区或小区的公约刚刚已由他人创建，请刷新后查看") from None
    audit_record(actor=actor, action="covenant.create", obj=covenant)
    return covenant


def current_of(covenant: Covenant) -> CovenantVersion | None:
    return covenant.versions.filter(status=VersionStatus.ADOPTED).first()


@transaction.atomic
def version_draft(*, actor: User, covenant: Covenant, blank: bool = False) -> CovenantVersion:
    """The next version, from the text in force or (`blank`) from nothing; one version is
    worked on at a time."""
    covenant = locked(Covenant, covenant.pk)
    may_change(actor, covenant, "起草该公约", "covenant")
    working = covenant.versions.filter(status__in=OPEN_STATUSES).first()
    if working is not None:
        raise DomainError.on("covenant", f"{_status_word(working)}，请先完成或撤回该版本")
    current = None if blank else current_of(covenant)
    if not blank and current is None:
        raise DomainError.on("covenant", "该公约还没有现行版本，请选择从空白起草")
    number = (covenant.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = CovenantVersion(
        covenant=covenant,
        area_id=covenant.area_id,
        number=number,
        text=current.text if current else "",
        based_on=current,
        created_by=actor,
    )
    version.full_clean()
    version.save()
    audit_record(
        actor=actor,
        action="covenant.draft",
        obj=version,
        changes={"number": [None, number], "based_on": [None, current.number if current else None]},
    )
    return version


def clean_text(text: str) -> str:
    """A textarea posts CRLF; the text is kept with LF, trailing spaces off each line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


@transaction.atomic
def version_edit(
    *, actor: User, version: CovenantVersion, text: str, note: str = ""
) -> CovenantVersion:
    version = locked(CovenantVersion, version.pk)
    may_change(actor, version, "修改该公约草案")
    if version.status != VersionStatus.DRAFTING:
        raise DomainError.on("text", f"只有起草中的版本可以修改，{_status_word(version)}")
    text, note = clean_text(text), note.strip()
    errors: dict[str, list[str]] = {}
    if len(text) > MAX_TEXT:
        errors["text"] = [f"公约正文不能超过 {MAX_TEXT} 字（现为 {len(text)} 字）"]
    if len(note) > 500:
        errors["note"] = ["修订说明不能超过 500 字"]
    if errors:
        raise DomainError.from_fields(errors)
    before = len(version.text)
    version.text, version.note = text, note
    version.save(update_fields=["text", "note", "updated_at"])
    audit_record(
        actor=actor, action="covenant.edit", obj=version, changes={"length": [before, len(text)]}
    )
    return version


def _kind_word(covenant: Covenant) -> str:
    return CovenantKind(covenant.kind).label


@transaction.atomic
def version_consult(
    *, actor: User, version: CovenantVersion, until: date | None, publicity: bool = False
) -> CovenantVersion:
    """Open for comments through `until` (inclusive); with `publicity`, the draft also goes up
    as a 公示 of the community for as many days."""
    version = locked(CovenantVersion, version.pk)
    may_change(actor, version, "为该公约征求意见")
    if version.status != VersionStatus.DRAFTING:
        raise DomainError.on("until", f"只有起草中的版本可以征求意见，{_status_word(version)}")
    if not version.text.strip():
        raise DomainError.on("text", "公约正文为空，请先起草正文再征求意见")
    today = timezone.localdate()
    if until is None:
        raise DomainError.on("until", "请填写征求意见截止日期")
    if until <= today:
        raise DomainError.on("until", "征求意见截止日期须晚于今天")
    if until > today + timedelta(days=MAX_CONSULT_DAYS):
        raise DomainError.on("until", f"征求意见期不能超过 {MAX_CONSULT_DAYS} 天")
    covenant = Covenant.objects.select_related("area").get(pk=version.covenant_id)
    if publicity:
        version.publicity = publicity_open(
            actor=actor,
            area=covenant.area,
            title=f"{covenant.title}（第{version.number}版草案）征求意见"[:200],
            body=version.text,
            days=(until - today).days,
            source_label=_kind_word(covenant),
            source_url=reverse("covenants:m_version", args=[version.pk]),
        )
    version.status = VersionStatus.CONSULTING
    version.consult_until = until
    version.save(update_fields=["status", "consult_until", "publicity", "updated_at"])
    audit_record(
        actor=actor,
        action="covenant.consult",
        obj=version,
        changes={
            "until": [None, _day(until)],
            "publicity": [None, version.publicity_id],
        },
    )
    return version


@transaction.atomic
def version_submit(*, actor: User, version: CovenantVersion) -> CovenantVersion:
    """After the consultation's last day, with every comment answered: ready for the decision."""
    version = locked(CovenantVersion, version.pk)
    may_change(actor, version, "提请表决该公约")
    if version.status != VersionStatus.CONSULTING:
        raise DomainError.on("status", f"只有征求意见中的版本可以提请表决，{_status_word(version)}")
    assert version.consult_until is not None  # the database holds it for a consulting version
    if timezone.localdate() <= version.consult_until:
        until = _day(version.consult_until)
        raise DomainError.on("status", f"征求意见截止日期（{until}）未过，不能提前提请表决")
    unanswered = version.comments.filter(answered_at__isnull=True).count()
    if unanswered:
        raise DomainError.on(
            "status", f"还有 {unanswered} 条居民意见未答复，请逐条答复后再提请表决"
        )
    version.status = VersionStatus.ADOPTING
    version.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="covenant.submit",
        obj=version,
        changes={"status": [VersionStatus.CONSULTING, VersionStatus.ADOPTING]},
    )
    return version


def _used(version: CovenantVersion, **decision: Any) -> None:
    other = CovenantVersion.objects.filter(**decision).exclude(pk=version.pk).first()
    if other is not None:
        field = next(iter(decision)).removeprefix("adopted_by_")
        raise DomainError.on(
            field, f"该{'会议' if field == 'meeting' else '表决'}已用于通过{other}"
        )


def _check_meeting(version: CovenantVersion, covenant: Covenant, meeting: Meeting | None) -> date:
    """A held 居民会议 or 居民代表会议 of the covenant's community, after the draft, passed."""
    if meeting is None:
        raise DomainError.on("meeting", "请选择通过本公约的居民会议或居民代表会议")
    named = f"「{meeting.title}」"
    if meeting.kind not in ADOPTING_MEETINGS:
        kind = MeetingKind(meeting.kind).label
        raise DomainError.on(
            "meeting", f"{named}是{kind}，居民公约须由居民会议或居民代表会议讨论通过"
        )
    if meeting.area_id != covenant.area_id:
        raise DomainError.on("meeting", f"{named}不是{covenant.area.name}的会议")
    if not meeting.held:
        raise DomainError.on("meeting", f"{named}尚未记录会议结果")
    if not (meeting.outcome or {}).get("passed"):
        raise DomainError.on("meeting", f"{named}的表决未获通过（到会或同意人数未达法定要求）")
    _used(version, adopted_by_meeting=meeting)
    if meeting.starts_at < version.created_at:
        raise DomainError.on(
            "meeting", f"{named}召开于第{version.number}版起草之前，不能作为其通过依据"
        )
    return timezone.localdate(meeting.starts_at)


def _check_vote(version: CovenantVersion, covenant: Covenant, vote: Vote | None) -> date:
    """A closed owners' vote of the covenant's estate on 管理规约, after the draft, passed."""
    if vote is None:
        raise DomainError.on("vote", "请选择通过本规约的业主表决")
    named = f"「{vote.title}」"
    if vote.estate_id != covenant.estate_id:
        raise DomainError.on("vote", f"{named}不是{covenant.estate.name}的业主表决")
    if vote.matter != OwnerMatter.RULES:
        raise DomainError.on("vote", f"{named}的事项不是「{OwnerMatter.RULES.label}」")
    if vote.status != VoteStatus.CLOSED:
        raise DomainError.on("vote", f"{named}尚未结束，结果公布后才能登记通过")
    if not (vote.result or {}).get("passed"):
        raise DomainError.on("vote", f"{named}未获通过（未达到民法典第二百七十八条规定的比例）")
    _used(version, adopted_by_vote=vote)
    if vote.opens_at < version.created_at:
        raise DomainError.on(
            "vote", f"{named}发起于第{version.number}版起草之前，不能作为其通过依据"
        )
    return timezone.localdate(vote.closes_at)


@transaction.atomic
def version_adopt(
    *,
    actor: User,
    version: CovenantVersion,
    meeting: Meeting | None = None,
    vote: Vote | None = None,
) -> CovenantVersion:
    """Adopted by the decision the law asks for: a 居民公约 by a passed 居民会议 or 居民代表会议
    of its community, a 小区公约 by a passed owners' vote of its estate on 管理规约. The version
    in force before it is superseded."""
    covenant = locked(Covenant, version.covenant_id)
    version = locked(CovenantVersion, version.pk)
    may_change(actor, version, "登记该公约通过")
    if version.status != VersionStatus.ADOPTING:
        hint = (
            "，请先在征求意见截止后提请表决" if version.status == VersionStatus.CONSULTING else ""
        )
        raise DomainError.on(
            "status", f"只有待表决通过的版本可以登记通过，{_status_word(version)}{hint}"
        )
    covenant = Covenant.objects.select_related("area", "estate").get(pk=covenant.pk)
    if covenant.kind == CovenantKind.RESIDENTS:
        if vote is not None:
            raise DomainError.on(
                "vote", "居民公约须由居民会议或居民代表会议通过，不能以业主表决通过"
            )
        adopted_on = _check_meeting(version, covenant, meeting)
    else:
        if meeting is not None:
            raise DomainError.on("meeting", "小区公约（管理规约）须由业主共同决定，请选择业主表决")
        adopted_on = _check_vote(version, covenant, vote)
    before = current_of(covenant)
    if before is not None:
        before.status = VersionStatus.SUPERSEDED
        before.save(update_fields=["status", "updated_at"])
    version.status = VersionStatus.ADOPTED
    version.adopted_on = adopted_on
    version.adopted_by_meeting = meeting
    version.adopted_by_vote = vote
    version.save()
    decided = f"meeting:{meeting.pk}" if meeting else f"vote:{vote.pk}"  # type: ignore[union-attr]
    audit_record(
        actor=actor,
        action="covenant.adopt",
        obj=version,
        changes={
            "by": [None, decided],
            "adopted_on": [None, _day(adopted_on)],
            "superseded": [None, before.number if before else None],
        },
    )
    return version


def _decided_by(version: CovenantVersion) -> str:
    if version.adopted_by_meeting_id:
        return MeetingKind(version.adopted_by_meeting.kind).label  # type: ignore[union-attr]
    return "业主共同决定"


@transaction.atomic
def version_publish(*, actor: User, version: CovenantVersion) -> CovenantVersion:
    """Residents read the version in force on /m/; a notice tells the community (a 居民公约) or
    the estate (a 小区公约)."""
    version = locked(CovenantVersion, version.pk)
    may_change(actor, version, "公布该公约")
    if version.status == VersionStatus.SUPERSEDED:
        raise DomainError.on("status", f"第{version.number}版已被新版本取代，不再公布")
    if version.status != VersionStatus.ADOPTED:
        raise DomainError.on("status", f"只有已通过的版本可以公布，{_status_word(version)}")
    if version.published_at is not None:
        moment = timezone.localtime(version.published_at).strftime("%Y-%m-%d %H:%M")
        raise DomainError.on("status", f"第{version.number}版已于 {moment} 公布")
    covenant = Covenant.objects.select_related("area", "estate").get(pk=version.covenant_id)
    assert version.adopted_on is not None  # the database holds it for an adopted version
    body = (
        f"《{covenant.title}》（第{version.number}版）已于 {_day(version.adopted_on)} "
        f"经{_decided_by(version)}通过，现予公布，请共同遵守。全文请在社区通「公约」中查看。"
    )
    place = (
        {"audience": "estate", "estate": covenant.estate}
        if covenant.kind == CovenantKind.ESTATE
        else {"audience": "community", "area": covenant.area}
    )
    version.notice = notice_post(
        actor=actor, title=f"关于公布《{covenant.title}》的通知"[:200], body=body, **place
    )
    version.published_at = timezone.now()
    version.save(update_fields=["notice", "published_at", "updated_at"])
    audit_record(
        actor=actor,
        action="covenant.publish",
        obj=version,
        changes={"notice": [None, version.notice_id]},
    )
    return version


@transaction.atomic
def version_file(
    *,
    actor: User,
    version: CovenantVersion,
    filed_on: date | None,
    filed_with: str,
    receipt: IO[bytes] | Any | None = None,
) -> CovenantVersion:
    """备案: a 居民公约 is reported to the government of the 不设区的市 or 市辖区 (or its 派出机关,
    the street office) once adopted; the day, the office and optionally the receipt's scan."""
    version = locked(CovenantVersion, version.pk)
    may_change(actor, version, "为该公约备案")
    covenant = Covenant.objects.get(pk=version.covenant_id)
    if covenant.kind != CovenantKind.RESIDENTS:
        raise DomainError.on("filed_on", "只有居民公约需要报政府备案")
    if version.status not in ADOPTED_STATUSES:
        raise DomainError.on("filed_on", f"公约通过后才能备案，{_status_word(version)}")
    if version.filed_on is not None:
        raise DomainError.on("filed_on", f"第{version.number}版已于 {_day(version.filed_on)} 备案")
    filed_with = filed_with.strip()
    errors: dict[str, list[str]] = {}
    if filed_on is None:
        errors["filed_on"] = ["请填写备案日期"]
    elif filed_on > timezone.localdate():
        errors["filed_on"] = ["备案日期不能晚于今天"]
    elif version.adopted_on and filed_on < version.adopted_on:
        errors["filed_on"] = [f"备案日期不能早于通过日期（{_day(version.adopted_on)}）"]
    if not filed_with:
        errors["filed_with"] = ["请填写备案机关（区、不设区的市人民政府或街道办事处）"]
    elif len(filed_with) > 100:
        errors["filed_with"] = ["备案机关不能超过 100 字"]
    if errors:
        raise DomainError.from_fields(errors)
    if receipt is not None:
        name, _ = check_document(receipt, field="receipt", word="备案回执")
        version.filing_receipt.save(name, receipt, save=False)
    version.filed_on, version.filed_with = filed_on, filed_with
    version.save()
    audit_record(
        actor=actor,
        action="covenant.file",
        obj=version,
        changes={"filed_on": [None, _day(filed_on)], "filed_with": [None, filed_with]},  # type: ignore[arg-type]
    )
    return version


@transaction.atomic
def version_withdraw(*, actor: User, version: CovenantVersion, reason: str) -> CovenantVersion:
    """A version not adopted is set aside, with the reason; the next can then be drafted."""
    version = locked(CovenantVersion, version.pk)
    may_change(actor, version, "撤回该公约版本")
    if version.status not in OPEN_STATUSES:
        raise DomainError.on("reason", f"只有尚未通过的版本可以撤回，{_status_word(version)}")
    reason = reason.strip()
    if not reason:
        raise DomainError.on("reason", "请填写撤回原因")
    if len(reason) > 200:
        raise DomainError.on("reason", "撤回原因不能超过 200 字")
    before = version.status
    version.status = VersionStatus.WITHDRAWN
    version.withdraw_reason = reason
    version.save(update_fields=["status", "withdraw_reason", "updated_at"])
    audit_record(
        actor=actor,
        action="covenant.withdraw",
        obj=version,
        changes={"status": [before, VersionStatus.WITHDRAWN]},
    )
    return version
