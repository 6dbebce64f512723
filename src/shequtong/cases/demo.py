"""Demo cases: a few in every community, each walked through the real services to a different
point of its life — waiting for the grid worker, in hand, called up to the street office,
summoned to a department, resolved and waiting for the rating, closed with one, overdue."""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from django.utils import timezone
from shapely.geometry import shape

from shequtong.core.choices import AreaLevel, Role
from shequtong.core.errors import DomainError
from shequtong.core.models import Area, Department, RoleGrant, User
from shequtong.core.selectors import in_tree_order
from shequtong.registry.models import Person

from .catalogue import load
from .choices import CaseSource, Rating
from .models import Case, Category, CategoryAttribute
from .services import Report, case_act, case_rate, case_report, summons_respond
from .services.disputes import dispute_add_party, dispute_conclude, mediation_record
from .sweep import case_sweep

log = logging.getLogger(__name__)
SEED = 2026

# (category, description, source, how far it gets)
STORIES = [
    ("hazard-fire-escape", "3 栋 2 单元楼道堆满纸箱和旧家具，消防通道被堵", "resident", "whistled"),
    ("city-garbage", "小区东门垃圾桶满溢，两天没人清运", "resident", "rated"),
    ("hazard-ebike-charging", "有人从 5 楼窗户拉电线给电动车充电", "patrol", "in_progress"),
    ("city-manhole", "人行道井盖缺失，晚上很危险", "resident", "assigned"),
    ("dispute-neighbour", "楼上装修噪音大，晚上十点后还在施工", "call", "resolved"),
    ("city-parking", "共享单车堆在小区门口，堵住通道", "resident", "overdue"),
    ("hazard-gas", "地下车库有燃气味", "resident", "summoned"),
]


def _first(role: str, area: Area) -> User | None:
    """Someone holding `role` over `area` (or over one of its ancestors)."""
    grant = (
        RoleGrant.objects.filter(role=role, area_id__in=area.path_ids)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return grant.user if grant else None


def seed_cases(district: Area, scale: int) -> None:
    # The tree comes with the migrations; a database emptied since (a flushed test database)
    # gets it back, as it was shipped.
    load(Category, CategoryAttribute)
    rng = random.Random(SEED)
    communities = Area.objects.filter(path__startswith=district.path, level=AreaLevel.COMMUNITY)
    for community in in_tree_order(communities):
        grids = list(
            Area.objects.filter(parent=community, level=AreaLevel.GRID, boundary__isnull=False)
        )
        resident = _first(Role.RESIDENT, grids[0]) if grids else None
        for n, (code, text, source, stage) in enumerate(STORIES * scale):
            grid = grids[n % len(grids)] if grids else community
            point = _point_in(grid, rng)
            reporter = resident if source == "resident" else _first(Role.GRID_WORKER, grid)
            case = case_report(
                actor=None if reporter is None else reporter,
                report=Report(
                    category=Category.objects.get(code=code),
                    description=text,
                    source=CaseSource(source) if source != "call" else CaseSource.CALL,
                    lon=point[0] if point else None,
                    lat=point[1] if point else None,
                    area=grid,
                    reporter_name="" if reporter else "来电居民",
                ),
            )
            _walk(case, stage, grid)
    # The "overdue" stories were back-dated: the sweep marks and escalates them now.
    case_sweep()


def _point_in(area: Area, rng: random.Random) -> tuple[float, float] | None:
    if not area.boundary:
        return None
    polygon = shape(area.boundary)
    centre = polygon.representative_point()
    minx, miny, maxx, maxy = polygon.bounds
    for _ in range(20):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if polygon.contains(shape({"type": "Point", "coordinates": [x, y]})):
            return round(x, 6), round(y, 6)
    return centre.x, centre.y


def _mediate(case: Case, staff: User, grid: Area) -> None:
    """A neighbours' dispute is mediated before it is resolved: two residents of the grid as
    its parties, one session, the agreement (unless the server lacks a Chinese font, which the
    agreement's PDF needs: then the dispute stays open for mediation and the log says why)."""
    parties = Person.objects.filter(area_path__startswith=grid.path, status="active")
    for person in parties.order_by("pk")[:2]:
        dispute_add_party(actor=staff, case=case, person=person)
    mediation_record(
        actor=staff,
        case=case,
        held_on=timezone.localdate(),
        place="社区调解室",
        mediators="社区人民调解委员会",
        content="双方陈述后同意：晚 22 时至早 8 时不施工，施工前在楼栋群告知。",
    )
    try:
        dispute_conclude(
            actor=staff, case=case, outcome="mediated", terms="晚 22 时至早 8 时不施工。"
        )
    except DomainError as exc:
        log.warning("演示纠纷未生成调解协议书：%s", exc.message)


def _walk(case: Case, stage: str, grid: Area) -> None:
    grid_worker = _first(Role.GRID_WORKER, grid)
    staff = _first(Role.COMMUNITY_STAFF, grid)
    street = _first(Role.SUBDISTRICT_ADMIN, grid)
    if stage == "assigned" or grid_worker is None or staff is None or street is None:
        return
    if case.status == "accepted":
        case = case_act(actor=staff, case=case, action="assign", level="grid")
    case = case_act(actor=grid_worker, case=case, action="start")
    if stage == "in_progress":
        return
    if stage == "overdue":
        past = timezone.now() - timedelta(days=10)
        Case.objects.filter(pk=case.pk).update(created_at=past, due_at=past + timedelta(days=2))
        return
    if stage in ("whistled", "summoned"):
        case = case_act(actor=grid_worker, case=case, action="return", note="需上级协调处理")
        case = case_act(actor=staff, case=case, action="whistle", note="社区无执法权，呼叫街道")
        if stage == "summoned":
            lead = Department.objects.filter(area_path=street.grants.first().area.path).first()
            if lead is not None:
                case = case_act(
                    actor=street, case=case, action="summon", note="街道吹哨", lead=lead
                )
                handler = RoleGrant.objects.filter(department=lead).select_related("user").first()
                if handler is not None:
                    summons_respond(actor=handler.user, summons=case.summonses.get(), accept=True)
        return
    if case.category.code.startswith("dispute-"):
        _mediate(case, staff, grid)
    case = case_act(actor=grid_worker, case=case, action="resolve", note="已协调处理完毕")
    if stage == "rated" and case.reporter is not None:
        case_rate(actor=case.reporter, case=case, rating=Rating.SATISFIED, comment="处理及时")
