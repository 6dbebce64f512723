"""Writes of owners' votes: create, open (the pre-vote check, then the roll fixed), cast by
any channel (the owner's latest ballot counts, under a row lock on their roll entry), close
(the tally published), and the recount that must reproduce it."""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import IO, Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from shequtong.accounts.services import person_of
from shequtong.core.audit import audit_record
from shequtong.core.errors import DomainError
from shequtong.core.models import User
from shequtong.core.scoping import can, can_in_area
from shequtong.core.uploads import check_document
from shequtong.registry.models import Dwelling, Estate

from ..choices import SPECIAL_MATTERS, Channel, Choice, OwnerMatter, VoteStatus
from ..models import Ballot, RollEntry, Vote
from ..rules import owners_decision


def pre_vote_check(estate: Estate) -> list[str]:
    """What must be fixed before the estate can vote: a unit without a registered area would
    count as nothing, silently; each is named."""
    missing = Dwelling.objects.filter(building__estate=estate).filter(
        Q(floor_area__isnull=True) | Q(floor_area__lte=0)
    )
    return [f"{d} 未登记建筑面积" for d in missing.select_related("building__estate")[:200]]


@transaction.atomic
def vote_create(
    *,
    actor: User,
    estate: Estate,
    title: str,
    matter: str,
    opens_at: datetime,
    closes_at: datetime,
    description: str = "",
) -> Vote:
    if not can_in_area(actor, "change", Vote, estate.area_path):
        raise DomainError.on("estate", "您无权为该小区发起表决", "forbidden")
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = ["请填写表决事项"]
    if matter not in OwnerMatter.values:
        errors["matter"] = ["请选择事项类别"]
    if closes_at <= opens_at:
        errors["closes_at"] = ["截止时间须晚于开始时间"]
    if errors:
        raise DomainError.from_fields(errors)
    vote = Vote.objects.create(
        area=estate.area,
        estate=estate,
        title=title.strip()[:200],
        matter=matter,
        description=description.strip(),
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=actor,
    )
    audit_record(actor=actor, action="vote.create", obj=vote)
    return vote


@transaction.atomic
def vote_open(*, actor: User, vote: Vote) -> Vote:
    """Fix the roll: each owner once with the area of all their units; the developer's unsold
    units (no owner registered) as one owner."""
    vote = Vote.objects.select_for_update().select_related("estate").get(pk=vote.pk)
    if not can(actor, "change", vote):
        raise DomainError.on("status", "您无权开启该表决", "forbidden")
    if vote.status != VoteStatus.DRAFT:
        raise DomainError.on("status", "该表决已开启")
    problems = pre_vote_check(vote.estate)
    if problems:
        more = f"等 {len(problems)} 处" if len(problems) > 5 else ""
        message = "开启前请补全房屋面积：" + "；".join(problems[:5]) + more
        raise DomainError("invalid", message, {"estate": problems})
    owned = (
        Dwelling.objects.filter(building__estate=vote.estate)
        .values("owner_id")
        .annotate(area=Sum("floor_area"), units=Count("pk"))
    )
    entries = [
        RollEntry(
            vote=vote,
            person_id=row["owner_id"],
            developer=row["owner_id"] is None,
            unit_area=row["area"],
            units=row["units"],
            area_id=vote.area_id,
            area_path=vote.area_path,
        )
        for row in owned
    ]
    if not entries:
        raise DomainError.on("estate", "该小区没有登记房屋，无法表决")
    RollEntry.objects.bulk_create(entries)
    vote.total_area = sum((e.unit_area for e in entries), Decimal(0))
    vote.total_owners = len(entries)
    vote.status = VoteStatus.OPEN
    vote.save()
    audit_record(
        actor=actor,
        action="vote.open",
        obj=vote,
        changes={"owners": [None, vote.total_owners], "area": [None, str(vote.total_area)]},
    )
    return vote


def _receipt() -> str:
    return secrets.token_hex(6).upper()


@transaction.atomic
def ballot_cast(
    *,
    actor: User,
    vote: Vote,
    choice: str,
    channel: str = Channel.ONLINE,
    entry: RollEntry | None = None,
    document: IO[bytes] | Any | None = None,
    proxy_name: str = "",
) -> Ballot:
    """Online by the owner themself (`entry` found from their 实名 account); on paper or by
    proxy keyed in by staff, with the signed ballot or the written authorisation attached."""
    if choice not in Choice.values:
        raise DomainError.on("choice", "请选择同意、不同意或弃权")
    if channel not in Channel.values:
        raise DomainError.on("channel", "未知的投票方式")
    if channel == Channel.ONLINE:
        me = person_of(actor)
        entry = RollEntry.objects.filter(vote=vote, person=me).first() if me else None
        if entry is None:
            raise DomainError.on("choice", "您不在本次表决的业主名册中")
    else:
        if not can(actor, "change", vote):
            raise DomainError.on("channel", "只有社区工作人员可以录入纸质票和委托票", "forbidden")
        if entry is None or entry.vote_id != vote.pk:
            raise DomainError.on("entry", "请选择名册中的业主")
        if document is None:
            word = "业主签名的纸质表决票" if channel == Channel.PAPER else "书面授权委托书"
            raise DomainError.on("document", f"请上传{word}的扫描件")
        check_document(document, field="document", word="扫描件")
        if channel == Channel.PROXY and not proxy_name.strip():
            raise DomainError.on("proxy_name", "委托投票须填写受托人姓名")
    # The owner's row first: two channels at once for one owner are served one after the other.
    entry = RollEntry.objects.select_for_update().get(pk=entry.pk)
    vote = Vote.objects.get(pk=vote.pk)
    now = timezone.now()
    if vote.status != VoteStatus.OPEN or now >= vote.closes_at:
        raise DomainError.on("choice", "表决已截止")
    if now < vote.opens_at:
        raise DomainError.on(
            "choice", f"表决尚未开始，{timezone.localtime(vote.opens_at):%m-%d %H:%M} 开始"
        )
    Ballot.objects.filter(entry=entry, current=True).update(current=False)
    ballot = Ballot(
        vote=vote,
        entry=entry,
        choice=choice,
        channel=channel,
        proxy_name=proxy_name.strip()[:32],
        cast_by=actor,
        receipt=_receipt(),
        area_id=vote.area_id,
        area_path=vote.area_path,
    )
    if document is not None:
        ballot.document.save(getattr(document, "name", "ballot.pdf"), document, save=False)
    ballot.save()
    audit_record(
        actor=actor,
        action="vote.ballot",
        obj=vote,
        changes={"owner": [None, entry.pk], "choice": [None, choice], "channel": [None, channel]},
    )
    return ballot


def _shown(value: Fraction | int) -> str:
    """A count as itself, an area in m² to the hundredth (areas are registered to 0.01 m²)."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return f"{Decimal(value.numerator) / Decimal(value.denominator):.2f}"


def tally(vote: Vote) -> dict[str, Any]:
    """The four fractions from the counted ballots, against the thresholds of the matter."""
    counted = Ballot.objects.filter(vote=vote, current=True).select_related("entry")
    voted_area = Fraction(0)
    agree_area = Fraction(0)
    voted = agree = 0
    for ballot in counted:
        area = Fraction(ballot.entry.unit_area)
        voted += 1
        voted_area += area
        if ballot.choice == Choice.AGREE:
            agree += 1
            agree_area += area
    outcome = owners_decision(
        total_area=Fraction(vote.total_area or 0),
        total_owners=vote.total_owners or 0,
        voted_area=voted_area,
        voted_owners=voted,
        agree_area=agree_area,
        agree_owners=agree,
        special=vote.matter in SPECIAL_MATTERS,
    )
    return {
        "passed": outcome.passed,
        "failed": outcome.failed,
        "measures": [
            {
                "label": m.label,
                "part": _shown(m.part),
                "whole": _shown(m.whole),
                "unit": "m²" if "面积" in m.label else "人",
                "percent": m.percent,
                "rule": m.rule,
                "met": m.met,
            }
            for m in outcome.measures
        ],
        "ballots": voted,
        "by_channel": dict(
            counted.values_list("channel").annotate(n=Count("pk")).order_by("channel")
        ),
    }


@transaction.atomic
def vote_close(*, actor: User, vote: Vote) -> Vote:
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    if not can(actor, "change", vote):
        raise DomainError.on("status", "您无权结束该表决", "forbidden")
    if vote.status != VoteStatus.OPEN:
        raise DomainError.on("status", "只有投票中的表决可以结束")
    if timezone.now() < vote.closes_at:
        until = timezone.localtime(vote.closes_at).strftime("%Y-%m-%d %H:%M")
        raise DomainError.on("status", f"表决截止时间（{until}）未到，不能提前结束")
    vote.result = tally(vote)
    vote.status = VoteStatus.CLOSED
    vote.save(update_fields=["result", "status", "updated_at"])
    audit_record(
        actor=actor,
        action="vote.close",
        obj=vote,
        changes={"passed": [None, vote.result["passed"]]},
    )
    return vote


def recount(vote: Vote) -> bool:
    """Whether the stored ballots reproduce the published result."""
    return vote.result == tally(vote)
