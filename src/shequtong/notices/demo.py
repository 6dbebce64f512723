"""Demo notices, publicity and 三务公开 in resident_01's community (杨家坪社区 in the demo plan).

Three notices to different audiences (the whole community, pinned; one estate; the party
members), resident_01 having read the first; a publicity running for a week with
resident_01's comment and the community's answer; resident_01 and the community's first grid
worker seated on the 居务监督委员会; the current quarter's 党务, 居务 and 财务 boards signed
off by resident_01 and published (the 财务 board with its lines), and this month's 居务 board
waiting for resident_01's signature on /m/."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from shequtong.accounts.services import person_of
from shequtong.core.choices import AreaLevel, Role
from shequtong.core.models import Area, RoleGrant, User
from shequtong.registry.models import Estate, PersonTag

from .models import Disclosure, Notice
from .periods import period_label, period_of
from .selectors import prefixes
from .services import (
    disclosure_attach,
    disclosure_create,
    disclosure_publish,
    disclosure_sign,
    disclosure_submit,
    finance_item_add,
    notice_post,
    notice_read,
    publicity_answer,
    publicity_comment,
    publicity_open,
    supervisor_name,
)

# (description, direction, 元)
LINES = (
    ("上级拨付社区工作经费", "income", 80000),
    ("社区惠民资金", "income", 200000),
    ("党群服务中心水电费", "expense", 6420),
    ("老旧小区楼道照明维修", "expense", 38650),
    ("重阳节慰问高龄老人", "expense", 24000),
    ("办公用品购置", "expense", 3280),
)


def _scan(name: str) -> ContentFile:
    return ContentFile(b"%PDF-1.4\n% demo: a scanned voucher\n", name=name)


def _people(district: Area) -> tuple[Area, User, User, User | None] | None:
    """resident_01's community, its staff, resident_01 and its first grid worker."""
    resident = User.objects.filter(username="resident_01").first()
    person = person_of(resident) if resident is not None else None
    if person is None:
        return None
    community = Area.objects.filter(
        path__in=prefixes(person.area_path), level=AreaLevel.COMMUNITY
    ).first()
    grant = RoleGrant.objects.filter(role=Role.COMMUNITY_STAFF, area=community).first()
    if community is None or grant is None or not community.path.startswith(district.path):
        return None
    worker = (
        RoleGrant.objects.filter(role=Role.GRID_WORKER, area__path__startswith=community.path)
        .order_by("user__username")
        .first()
    )
    return community, grant.user, resident, worker.user if worker else None


def _notices(community: Area, staff: User, resident: User) -> None:
    first = notice_post(
        actor=staff,
        title="关于开展冬季消防安全大排查的通知",
        body="12月起社区将联合物业逐楼开展消防安全检查，请居民清理楼道杂物，电动车不进楼入户。",
        audience="community",
        area=community,
        pinned=True,
    )
    notice_read(actor=resident, notice=first)
    estate = Estate.objects.filter(area=community).order_by("pk").first()
    if estate is not None:
        notice_post(
            actor=staff,
            title=f"{estate.name}二次供水水箱清洗停水通知",
            body="本周六 9:00-15:00 清洗水箱，期间停水，请提前储水。",
            audience="estate",
            estate=estate,
        )
    party = PersonTag.objects.filter(code="party_member").first()
    if party is not None:
        notice_post(
            actor=staff,
            title="社区党委12月主题党日活动安排",
            body="本月主题党日定于 12 月 20 日上午在党群服务中心举行，请党员准时参加。",
            audience="tag",
            tag=party,
            area=community,
        )
    publicity = publicity_open(
        actor=staff,
        area=community,
        title="2026年度社区惠民资金项目安排公示",
        body="经居民代表会议议定，拟安排惠民资金用于楼道照明改造、适老化扶手安装两个项目。",
        days=7,
    )
    comment = publicity_comment(
        actor=resident, publicity=publicity, text="建议扶手安装优先考虑独居老人多的楼栋。"
    )
    publicity_answer(
        actor=staff, comment=comment, text="感谢建议，将按楼栋高龄独居老人数量排定顺序。"
    )


def _board(staff: User, community: Area, board: str, period: str, title: str, body: str) -> Any:
    return disclosure_create(
        actor=staff, area=community, board=board, period=period, title=title, body=body
    )


def _disclosures(community: Area, staff: User, member: User) -> None:
    today = timezone.localdate()
    quarter = period_of(today)
    label = period_label(quarter)
    published = [
        _board(
            staff,
            community,
            "party",
            quarter,
            f"{label}党务公开",
            "本季度发展预备党员 1 名，收缴党费 3,260.00 元；召开党员大会 1 次、主题党日 3 次。",
        ),
        _board(
            staff,
            community,
            "residence",
            quarter,
            f"{label}居务公开",
            "本季度办理低保审核 4 户、临时救助 2 户；完成老旧小区楼道照明改造 12 栋。",
        ),
    ]
    disclosure_attach(actor=staff, disclosure=published[1], file=_scan("居民代表会议纪要.pdf"))
    finance = _board(
        staff,
        community,
        "finance",
        quarter,
        f"{label}财务公开",
        "本季度收支明细如下，原始凭证可在社区办公室查阅。",
    )
    for description, direction, yuan in LINES:
        finance_item_add(
            actor=staff,
            disclosure=finance,
            description=description,
            direction=direction,
            amount=yuan * 100,
        )
    disclosure_attach(actor=staff, disclosure=finance, file=_scan("收支凭证汇总.pdf"))
    for board in [*published, finance]:
        disclosure_submit(actor=staff, disclosure=board)
        disclosure_sign(actor=member, disclosure=board, approve=True, note="已核对，同意公开")
        disclosure_publish(actor=staff, disclosure=board)
    month = period_of(today, month=True)
    waiting = _board(
        staff,
        community,
        "residence",
        month,
        f"{period_label(month)}居务公开：临时救助评议结果",
        "经居民代表评议，拟给予 2 户家庭临时救助，每户 2,000.00 元。",
    )
    disclosure_submit(actor=staff, disclosure=waiting)


def seed_notices(district: Area, scale: int) -> None:
    found = _people(district)
    if found is None:
        return
    community, staff, resident, worker = found
    if Notice.objects.filter(area_path__startswith=community.path).exists() or (
        Disclosure.objects.filter(area=community).exists()
    ):
        return
    _notices(community, staff, resident)
    supervisor_name(actor=staff, area=community, user=resident, name=resident.display_name)
    if worker is not None:
        supervisor_name(
            actor=staff,
            area=community,
            user=worker,
            name=worker.display_name or worker.username,
            duty="主任",
        )
    _disclosures(community, staff, resident)
