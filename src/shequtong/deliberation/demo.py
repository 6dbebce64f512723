"""Demo owners' votes in one estate of 杨家坪社区: the demo registry records neither the units'
areas nor their owners, so this estate gets both (two units left unsold, the developer's), and
`resident_01` owns a unit there. One vote on using the maintenance fund is open, with online,
paper and proxy ballots; one on raising the fund is closed, its result published. A secret
election of the community's adult residents (居民小组长, two candidates for one seat) is open, a
few paper ballots in the box.

Topics in the same community: resident_01's proposal waiting to be accepted, one halfway
through 四议两公开 (proposed, discussed, reviewed by the party meeting), and one 一事一议
carried through to both publications."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from shequtong.accounts.models import ResidentClaim
from shequtong.core.choices import AreaLevel, Role
from shequtong.core.models import Area, RoleGrant, User
from shequtong.registry.models import Dwelling, Estate, Person

from .models import RollEntry, Vote
from .services import (
    ballot_cast,
    meeting_create,
    meeting_record,
    paper_ballot_count,
    procedure_for,
    resident_topic_propose,
    step_complete,
    topic_accept,
    topic_propose,
    vote_close,
    vote_create,
    vote_open,
)

AREAS = (Decimal("89.50"), Decimal("112.30"), Decimal("76.80"), Decimal("135.00"))


def _signed(name: str) -> ContentFile:
    return ContentFile(b"%PDF-1.4\n% demo: a signed paper ballot\n", name=name)


def seed_votes(district: Area, scale: int) -> None:
    community = Area.objects.filter(
        path__startswith=district.path, level=AreaLevel.COMMUNITY, name="杨家坪社区"
    ).first()
    staff = RoleGrant.objects.filter(role=Role.COMMUNITY_STAFF, area=community).first()
    estate = Estate.objects.filter(area=community).order_by("pk").first()
    if staff is None or estate is None or Vote.objects.filter(estate=estate).exists():
        return
    staff = staff.user
    units = list(Dwelling.objects.filter(building__estate=estate).order_by("pk"))
    people = list(
        Person.objects.filter(area_path__startswith=community.path, status="active")
        .exclude(claims__isnull=False)
        .order_by("pk")[: len(units)]
    )
    claim = ResidentClaim.objects.filter(user__username="resident_01", status="confirmed").first()
    if claim is not None:
        people.insert(0, claim.person)
    for n, unit in enumerate(units):
        owner = people[n] if n < len(units) - 2 and n < len(people) else None  # 2 unsold
        Dwelling.objects.filter(pk=unit.pk).update(floor_area=AREAS[n % len(AREAS)], owner=owner)
    now = timezone.now()
    past = vote_create(
        actor=staff,
        estate=estate,
        title="筹集维修资金（每平方米 30 元）",
        matter="raise_fund",
        opens_at=now - timedelta(days=40),
        closes_at=now + timedelta(minutes=5),
    )
    past = vote_open(actor=staff, vote=past)
    entries = list(RollEntry.objects.filter(vote=past).order_by("pk"))
    for n, entry in enumerate(entries[: len(entries) * 3 // 4]):
        choice = "agree" if n % 3 else "disagree"
        ballot_cast(
            actor=staff,
            vote=past,
            entry=entry,
            choice=choice,
            channel="paper",
            document=_signed(f"纸质票{n}.pdf"),
        )
    Vote.objects.filter(pk=past.pk).update(closes_at=now - timedelta(days=10))  # it ran its course
    vote_close(actor=staff, vote=past)
    current = vote_create(
        actor=staff,
        estate=estate,
        title="使用维修资金更换 1 栋电梯",
        matter="use_fund",
        description="报价 36 万元，由维修资金列支。",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=14),
    )
    current = vote_open(actor=staff, vote=current)
    entries = list(RollEntry.objects.filter(vote=current, developer=False).order_by("pk"))[
        1:
    ]  # resident_01 votes in the tour
    for n, entry in enumerate(entries[: len(entries) // 2]):
        channel = "proxy" if n % 4 == 0 else "paper"
        ballot_cast(
            actor=staff,
            vote=current,
            entry=entry,
            choice="agree" if n % 5 else "disagree",
            channel=channel,
            document=_signed("授权委托书.pdf" if channel == "proxy" else "纸质票.pdf"),
            proxy_name="业主家属" if channel == "proxy" else "",
        )
    _seed_secret_ballot(staff, community, now)


def _seed_secret_ballot(staff: User, community: Area, now: Any) -> None:
    election = vote_create(
        actor=staff,
        area=community,
        electorate="residents",
        secret=True,
        title="第三居民小组组长选举",
        candidates=["张桂兰", "李建国"],
        seats=1,
        description="无记名投票：系统不保存投票人与选择的对应关系，投出后不能更改。",
        opens_at=now - timedelta(hours=2),
        closes_at=now + timedelta(days=3),
    )
    election = vote_open(actor=staff, vote=election)
    claimed = ResidentClaim.objects.filter(status="confirmed").values_list("person_id", flat=True)
    keyed = RollEntry.objects.filter(vote=election).exclude(person_id__in=claimed).order_by("pk")
    for n, entry in enumerate(keyed[:6]):
        ballot_cast(
            actor=staff,
            vote=election,
            entry=entry,
            choice="",
            channel="paper",
            document=_signed("领票签到表.pdf"),
        )
        paper_ballot_count(actor=staff, vote=election, picks=[1] if n == 4 else [0])


def _meeting(staff: User, topic: Any, kind: str, title: str, **record: Any) -> Any:
    held = meeting_create(
        actor=staff,
        topic=topic,
        kind=kind,
        title=title,
        starts_at=timezone.now() - timedelta(days=3),
        place="杨家坪社区党群服务中心",
        due=record.pop("due", None),
    )
    return meeting_record(actor=staff, meeting=held, **record)


def seed_topics(district: Area, scale: int) -> None:
    community = Area.objects.filter(
        path__startswith=district.path, level=AreaLevel.COMMUNITY, name="杨家坪社区"
    ).first()
    grant = RoleGrant.objects.filter(role=Role.COMMUNITY_STAFF, area=community).first()
    if grant is None or community is None:
        return
    staff = grant.user
    resident = User.objects.filter(username="resident_01").first()
    if resident is not None and resident_is_claimed(resident):
        resident_topic_propose(
            actor=resident,
            title="加装电动车集中充电桩",
            description="小区电动车越来越多，楼道里飞线充电有火灾隐患，建议在小区空地建集中充电点。",
            level="community",
        )
    halfway = topic_propose(
        actor=staff,
        title="老旧小区加装电梯意向征集",
        description="3 个老旧小区 12 栋楼有加装电梯需求，拟按四议两公开推进。",
        source="committees",
        level="community",
        area=community,
    )
    halfway = topic_accept(
        actor=staff,
        topic=halfway,
        procedure=procedure_for(community=community, key="four_deliberations"),
    )
    step_complete(actor=staff, topic=halfway, index=0, note="社区党委提议启动加装电梯意向征集")
    committees = _meeting(
        staff, halfway, "committees", "两委联席会议", minutes="同意提交党员大会审议"
    )
    step_complete(actor=staff, topic=halfway, index=1, meeting=committees)
    party = _meeting(
        staff, halfway, "party", "社区党员大会", minutes="审议通过", due=45, present=38, agree=35
    )
    step_complete(actor=staff, topic=halfway, index=2, meeting=party)
    done = topic_propose(
        actor=staff,
        title="社区小广场夜间照明",
        description="小广场晚上没有照明，老人跳广场舞不安全。",
        source="grid",
        level="community",
        area=community,
    )
    done = topic_accept(
        actor=staff, topic=done, procedure=procedure_for(community=community, key="one_matter")
    )
    step_complete(actor=staff, topic=done, index=0, note="网格员收集居民意见 37 条")
    council = _meeting(staff, done, "council", "社区议事会", minutes="议事会协商同意增设路灯")
    step_complete(actor=staff, topic=done, index=1, meeting=council)
    residents = _meeting(
        staff,
        done,
        "representatives",
        "居民代表会议",
        minutes="表决",
        resolution="在小广场增设 6 盏太阳能路灯，由社区基金列支。",
        due=30,
        present=24,
        agree=21,
        disagree=1,
        abstain=2,
    )
    step_complete(actor=staff, topic=done, index=2, meeting=residents)
    step_complete(actor=staff, topic=done, index=3)
    step_complete(actor=staff, topic=done, index=4, note="6 盏路灯已安装并投入使用。")


def resident_is_claimed(user: User) -> bool:
    return ResidentClaim.objects.filter(user=user, status="confirmed").exists()
