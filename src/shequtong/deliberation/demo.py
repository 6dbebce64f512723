"""Demo owners' votes in one estate of 杨家坪社区: the demo registry records neither the units'
areas nor their owners, so this estate gets both (two units left unsold, the developer's), and
`resident_01` owns a unit there. One vote on using the maintenance fund is open, with online,
paper and proxy ballots; one on raising the fund is closed, its result published."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from shequtong.accounts.models import ResidentClaim
from shequtong.core.choices import AreaLevel, Role
from shequtong.core.models import Area, RoleGrant
from shequtong.registry.models import Dwelling, Estate, Person

from .models import RollEntry, Vote
from .services import ballot_cast, vote_close, vote_create, vote_open

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
