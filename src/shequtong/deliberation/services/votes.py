"""Writes of votes: create, open (the pre-vote check, then the roll fixed from the registry),
cast by any channel (under a row lock on the voter's roll entry: a named vote counts the
voter's latest ballot, a secret one takes one ballot into the box), close (the tally
published), and the recount that must reproduce it."""

from __future__ import annotations

import random
import secrets
from datetime import datetime
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from shequtong.accounts.services import person_of
from shequtong.core.audit import audit_record
from shequtong.core.choices import AreaLevel
from shequtong.core.errors import DomainError
from shequtong.core.models import Area, User
from shequtong.core.scoping import can, can_in_area
from shequtong.core.uploads import check_document
from shequtong.registry.choices import PersonStatus
from shequtong.registry.models import Dwelling, Estate, Person

from .. import electorates
from ..choices import Channel, Choice, Electorate, OwnerMatter, VoteStatus
from ..models import Ballot, RollEntry, SecretBallot, Vote
from .tallies import tally


def pre_vote_check(estate: Estate | None) -> list[str]:
    """What must be fixed before the estate's owners can vote: a unit without a registered area
    would count as nothing, silently; each is named. Other electorates need no areas."""
    if estate is None:
        return []
    missing = Dwelling.objects.filter(building__estate=estate).filter(
        Q(floor_area__isnull=True) | Q(floor_area__lte=0)
    )
    return [f"{d} 未登记建筑面积" for d in missing.select_related("building__estate")[:200]]


@transaction.atomic
def vote_create(
    *,
    actor: User,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    electorate: str = Electorate.OWNERS,
    estate: Estate | None = None,
    area: Area | None = None,
    matter: str = "",
    secret: bool = False,
    candidates: list[str] | None = None,
    seats: int | None = None,
    description: str = "",
) -> Vote:
    """Owners vote by estate on one of 民法典第278条's matters, always named (the law has them
    sign); the other electorates vote in a community or grid, named or secret, on a motion or,
    given `candidates`, in an election of `seats` of them."""
    if electorate not in Electorate.values:
        raise DomainError.on("electorate", "请选择投票人范围")
    owners = electorate == Electorate.OWNERS
    if owners:
        if estate is None:
            raise DomainError.on("estate", "业主表决须选择小区")
        area = estate.area
    elif area is None or area.level not in (AreaLevel.COMMUNITY, AreaLevel.GRID):
        raise DomainError.on("area", "居民、住户、居民代表或党员的表决须选择社区或网格")
    if not can_in_area(actor, "change", Vote, area.path):
        raise DomainError.on("area", f"您无权在{area.name}发起表决", "forbidden")
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = ["请填写表决事项"]
    if owners and matter not in OwnerMatter.values:
        errors["matter"] = ["请选择事项类别"]
    if owners and secret:
        errors["secret"] = ["业主共同决定须由业主签名表决，不能无记名"]
    if closes_at <= opens_at:
        errors["closes_at"] = ["截止时间须晚于开始时间"]
    names = [c.strip() for c in candidates or [] if c.strip()]
    if names:
        errors.update(_check_election(names, seats, owners))
    if errors:
        raise DomainError.from_fields(errors)
    vote = Vote.objects.create(
        candidates=names,
        seats=seats if names else None,
        area=area,
        electorate=electorate,
        estate=estate if owners else None,
        secret=secret,
        title=title.strip()[:200],
        matter=matter if owners else "",
        description=description.strip(),
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=actor,
    )
    audit_record(actor=actor, action="vote.create", obj=vote)
    return vote


MAX_CANDIDATES = 30


def _check_election(names: list[str], seats: int | None, owners: bool) -> dict[str, list[str]]:
    if owners:
        return {"candidates": ["业主表决不设候选人；选举业主委员会请按事项类别发起表决"]}
    if len(names) > MAX_CANDIDATES:
        return {"candidates": [f"候选人最多 {MAX_CANDIDATES} 名"]}
    if any(len(n) > 32 for n in names):
        return {"candidates": ["候选人姓名不能超过 32 字"]}
    if len(set(names)) != len(names):
        return {"candidates": ["候选人姓名重复，请区分（如加注楼栋）"]}
    if seats is None or not 1 <= seats <= len(names):
        return {"seats": [f"应选人数须在 1 到 {len(names)} 之间"]}
    return {}


def _owners_roll(vote: Vote) -> list[RollEntry]:
    """Each owner once with the area of all their units; the developer's unsold units (no
    owner registered) as one owner."""
    owned = (
        Dwelling.objects.filter(building__estate=vote.estate)
        .values("owner_id")
        .annotate(area=Sum("floor_area"), units=Count("pk"))
    )
    return [
        RollEntry(
            person_id=row["owner_id"],
            developer=row["owner_id"] is None,
            unit_area=row["area"],
            units=row["units"],
        )
        for row in owned
    ]


def _roll(vote: Vote) -> list[RollEntry]:
    if vote.electorate == Electorate.OWNERS:
        return _owners_roll(vote)
    if vote.electorate == Electorate.HOUSEHOLDS:
        ids = electorates.households(vote.area).values_list("pk", flat=True)
        return [RollEntry(household_id=pk) for pk in ids]
    people = electorates.people_of(vote.electorate, vote.area)
    return [RollEntry(person_id=pk) for pk in people.values_list("pk", flat=True).distinct()]


@transaction.atomic
def vote_open(*, actor: User, vote: Vote) -> Vote:
    """Fix the roll from the registry as it stands today: later moves change nothing."""
    vote = (
        Vote.objects.select_for_update(of=("self",))
        .select_related("estate", "area")
        .get(pk=vote.pk)
    )
    if not can(actor, "change", vote):
        raise DomainError.on("status", "您无权开启该表决", "forbidden")
    if vote.status != VoteStatus.DRAFT:
        raise DomainError.on("status", "该表决已开启")
    problems = pre_vote_check(vote.estate)
    if problems:
        more = f"等 {len(problems)} 处" if len(problems) > 5 else ""
        message = "开启前请补全房屋面积：" + "；".join(problems[:5]) + more
        raise DomainError("invalid", message, {"estate": problems})
    entries = _roll(vote)
    if not entries:
        empty = {
            Electorate.OWNERS: "该小区没有登记房屋，无法表决",
            Electorate.HOUSEHOLDS: "该区域没有登记住户，无法表决",
            Electorate.REPRESENTATIVES: "该区域没有登记居民代表（标签「居民代表」），无法表决",
            Electorate.PARTY: "该区域没有登记正式党员，无法表决",
        }
        raise DomainError.on("area", empty.get(vote.electorate, "该区域没有成年居民，无法表决"))
    for entry in entries:
        entry.vote, entry.area_id, entry.area_path = vote, vote.area_id, vote.area_path
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


def _checked_picks(vote: Vote, picks: list[Any]) -> list[int]:
    """Distinct candidates, no more than the seats; none at all is a valid ballot (弃权)."""
    try:
        chosen = sorted({int(p) for p in picks})
    except (TypeError, ValueError):
        raise DomainError.on("picks", "所选候选人无效，请重新选择") from None
    if any(not 0 <= p < len(vote.candidates) for p in chosen):
        raise DomainError.on("picks", "所选候选人不在候选人名单中")
    if len(chosen) > (vote.seats or 0):
        raise DomainError.on("picks", f"应选 {vote.seats} 人，最多选 {vote.seats} 名候选人")
    return chosen


def _entry_of(vote: Vote, person: Person | None) -> RollEntry | None:
    """The roll entry a resident casts for: their own, or their household's when households
    vote (any adult member casts the household's one vote)."""
    if person is None or person.status != PersonStatus.ACTIVE:
        return None
    if vote.electorate != Electorate.HOUSEHOLDS:
        return RollEntry.objects.filter(vote=vote, person=person).first()
    if person.household_id is None or not electorates.is_adult(person):
        return None
    return RollEntry.objects.filter(vote=vote, household_id=person.household_id).first()


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
    picks: list[int] | None = None,
) -> Ballot | SecretBallot | None:
    """Online by the voter themself (`entry` found from their 实名 account); on paper or by
    proxy keyed in by staff, with the signed ballot (or sign-in sheet) or the written
    authorisation attached. In an election `picks` are the chosen candidates' positions.

    A secret vote keyed in by staff only marks the voter as having taken a paper ballot (None
    is returned): the ballot itself goes into the box apart, through `paper_ballot_count`, so
    no request ever carries both a voter and a choice."""
    marking = vote.secret and channel != Channel.ONLINE
    if marking:
        choice, picks = "", []
    elif vote.candidates:
        choice, picks = "", _checked_picks(vote, picks or [])
    elif choice not in Choice.values:
        raise DomainError.on("choice", "请选择同意、不同意或弃权")
    else:
        picks = []
    if channel not in Channel.values:
        raise DomainError.on("channel", "未知的投票方式")
    if channel == Channel.ONLINE:
        entry = _entry_of(vote, person_of(actor))
        if entry is None:
            who = "业主" if vote.electorate == Electorate.OWNERS else "投票人"
            raise DomainError.on("choice", f"您不在本次表决的{who}名册中")
    else:
        if not can(actor, "change", vote):
            raise DomainError.on("channel", "只有社区工作人员可以录入纸质票和委托票", "forbidden")
        if entry is None or entry.vote_id != vote.pk:
            raise DomainError.on("entry", "请选择名册中的投票人")
        if document is None:
            if channel == Channel.PROXY:
                word = "书面授权委托书"
            else:
                word = "领票签到表" if vote.secret else "投票人签名的纸质表决票"
            raise DomainError.on("document", f"请上传{word}的扫描件")
        check_document(document, field="document", word="扫描件")
        if channel == Channel.PROXY and not proxy_name.strip():
            raise DomainError.on("proxy_name", "委托投票须填写受托人姓名")
    if vote.secret:
        # The vote's row before the voter's, in the order vote_close takes them: the box and
        # the roll move together.
        Vote.objects.select_for_update().filter(pk=vote.pk).exists()
    # The voter's row first: two channels at once for one voter are served one after the other.
    entry = RollEntry.objects.select_for_update().get(pk=entry.pk)
    vote = Vote.objects.get(pk=vote.pk)
    now = timezone.now()
    _check_window(vote, now)
    if vote.secret:
        return _secret_cast(actor, vote, entry, choice, picks, channel, document, proxy_name)
    entry.channel, entry.voted_at = channel, now
    entry.save(update_fields=["channel", "voted_at", "updated_at"])
    Ballot.objects.filter(entry=entry, current=True).update(current=False)
    cast = Ballot(
        vote=vote,
        entry=entry,
        choice=choice,
        picks=picks,
        channel=channel,
        proxy_name=proxy_name.strip()[:32],
        cast_by=actor,
        receipt=_receipt(),
        area_id=vote.area_id,
        area_path=vote.area_path,
    )
    if document is not None:
        cast.document.save(getattr(document, "name", "ballot.pdf"), document, save=False)
    cast.save()
    changes = {
        "owner": [None, entry.pk],
        "choice": [None, choice or picks],
        "channel": [None, channel],
    }
    audit_record(actor=actor, action="vote.ballot", obj=vote, changes=changes)
    return cast


def _check_window(vote: Vote, now: datetime) -> None:
    if vote.status != VoteStatus.OPEN or now >= vote.closes_at:
        raise DomainError.on("choice", "表决已截止")
    if now < vote.opens_at:
        raise DomainError.on(
            "choice", f"表决尚未开始，{timezone.localtime(vote.opens_at):%m-%d %H:%M} 开始"
        )


def _secret_cast(
    actor: User,
    vote: Vote,
    entry: RollEntry,
    choice: str,
    picks: list[int],
    channel: str,
    document: IO[bytes] | Any | None,
    proxy_name: str,
) -> SecretBallot | None:
    """The roll learns that (and on which day) the voter voted, never the hour: the box's rows
    carry no time, so nothing pairs a row of the roll with a row of the box."""
    if entry.voted_at is not None:
        raise DomainError.on(
            "choice",
            f"已通过{entry.get_channel_display()}投票；无记名投票一经投出不能更改",
        )
    day = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    if document is not None:
        entry.document.save(getattr(document, "name", "sheet.pdf"), document, save=False)
    RollEntry.objects.filter(pk=entry.pk).update(
        channel=channel,
        voted_at=day,
        updated_at=day,
        document=entry.document.name or "",
        proxy_name=proxy_name.strip()[:32],
    )
    audit_record(
        actor=actor,
        action="vote.ballot",
        obj=vote,
        changes={"voter": [None, entry.pk], "channel": [None, channel]},
    )
    if channel != Channel.ONLINE:
        return None
    return SecretBallot.objects.create(vote=vote, choice=choice, picks=picks, receipt=_receipt())


@transaction.atomic
def paper_ballot_count(
    *, actor: User, vote: Vote, choice: str = "", picks: list[Any] | None = None
) -> SecretBallot:
    """A secret vote's paper ballot taken from the box and keyed in without its voter; the box
    never holds more ballots than the roll has voters."""
    vote = Vote.objects.select_for_update().get(pk=vote.pk)
    if not can(actor, "change", vote):
        raise DomainError.on("choice", "只有社区工作人员可以录入纸质票", "forbidden")
    if not vote.secret:
        raise DomainError.on("choice", "记名表决的纸质票请在名册中逐人录入")
    if vote.status != VoteStatus.OPEN:
        raise DomainError.on("choice", "表决已结束，不能再录入纸质票")
    if vote.candidates:
        choice, chosen = "", _checked_picks(vote, picks or [])
    elif choice not in Choice.values:
        raise DomainError.on("choice", "请选择同意、不同意或弃权")
    else:
        chosen = []
    voters = vote.roll.exclude(voted_at=None).count()
    if vote.secret_ballots.count() >= voters:
        raise DomainError.on(
            "choice", f"票箱已有 {voters} 张票，与已投票人数相等，不能再录入；请先登记领票人"
        )
    ballot = SecretBallot.objects.create(vote=vote, choice=choice, picks=chosen, receipt=_receipt())
    audit_record(actor=actor, action="vote.paper_ballot", obj=vote)
    return ballot


def _shuffle_box(vote: Vote) -> None:
    """Rewrite the box in a random order under new keys: the order rows were stored in (a
    rowid, a heap position) would otherwise follow the order voters cast."""
    rows = list(vote.secret_ballots.values_list("choice", "picks", "receipt"))
    random.SystemRandom().shuffle(rows)
    vote.secret_ballots.all().delete()
    SecretBallot.objects.bulk_create(
        SecretBallot(vote=vote, choice=c, picks=p, receipt=r) for c, p, r in rows
    )


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
    # Every voter's row: a ballot that passed its deadline check a moment ago commits before
    # the count, or waits and finds the vote closed — none lands after the published result.
    list(RollEntry.objects.select_for_update().filter(vote=vote).values_list("pk", flat=True))
    if vote.secret:
        _shuffle_box(vote)
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
