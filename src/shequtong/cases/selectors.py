"""Scoped reads of cases: lists with filters, the case file, a worker's tasks, area counts."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from shequtong.core.choices import AreaLevel, Role
from shequtong.core.errors import NotFoundError
from shequtong.core.geo import distance_m
from shequtong.core.models import Area, Department, RoleGrant, User
from shequtong.core.scoping import can, is_staff, scoped

from . import workflow
from .choices import FINAL_STATUSES, OPEN_STATUSES, CaseStatus, HandlerLevel, SummonsStatus
from .models import (
    Case,
    CasePhoto,
    CaseStep,
    Category,
    Extension,
    Hazard,
    SavedView,
    Summons,
    case_pk,
)


def categories() -> QuerySet[Category]:
    """Active categories, parents first: the form groups leaves under their parent."""
    return Category.objects.filter(active=True).select_related("parent")


def leaf_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    groups: dict[str, list[tuple[int, str]]] = {}
    parents = set(Category.objects.filter(parent__isnull=False).values_list("parent", flat=True))
    for category in categories():
        if category.pk in parents or category.parent is None:
            continue
        groups.setdefault(category.parent.name, []).append((category.pk, category.name))
    return list(groups.items())


def case_list(
    *,
    user: User,
    action: str = "read",
    within: Area | None = None,
    q: str = "",
    status: str = "",
    category: Category | None = None,
    deadline: str = "",
    source: str = "",
    mine: bool = False,
    since: date | None = None,
) -> QuerySet[Case]:
    if is_staff(user):
        cases = scoped(Case.objects.all(), user, action)
    else:
        # A resident reads the reports they filed themselves, under their own name (not the
        # cases their duplicates were merged into, which carry another reporter's name).
        cases = Case.objects.filter(reporter=user) if action == "read" else Case.objects.none()
    if within is not None:
        cases = cases.filter(area_path__startswith=within.path)
    if q:
        pk = case_pk(q)
        cases = cases.filter(
            Q(description__contains=q) | Q(address__contains=q) | Q(pk=pk if pk else -1)
        )
    if status == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif status:
        cases = cases.filter(status=status)
    if category is not None:
        cases = cases.filter(Q(category=category) | Q(category__parent=category))
    if deadline:
        cases = cases.filter(deadline_state=deadline, status__in=OPEN_STATUSES)
    if source:
        cases = cases.filter(source=source)
    if mine:
        cases = cases.filter(pk__in=_task_ids(user))
    if since is not None:
        cases = cases.filter(created_at__date__gte=since)
    return cases.select_related("category", "area", "assignee")


def saved_views(user: User) -> QuerySet[SavedView]:
    return scoped(SavedView.objects.all(), user, "read")


def _task_ids(user: User) -> list[int]:
    """Open cases this user may move forward now (the 'my tasks' of a grid worker's phone)."""
    candidates = (
        scoped(Case.objects.filter(status__in=OPEN_STATUSES), user, "change")
        .select_related("category")
        .prefetch_related("summonses")
        .order_by("due_at")[:500]
    )
    return [
        c.pk
        for c in candidates
        if (c.assignee_id in (None, user.pk))
        and any(t.primary or t.name == "summon" for t in workflow.available(user, c))
    ]


def my_tasks(user: User) -> QuerySet[Case]:
    return (
        Case.objects.filter(pk__in=_task_ids(user))
        .select_related("category", "area")
        .order_by("due_at")
    )


@dataclass
class CaseFile:
    case: Case
    steps: list[CaseStep]
    photos: list[CasePhoto]
    summonses: list[Summons]
    transitions: list[workflow.Transition]
    may_reveal: bool
    my_summonses: list[Summons]
    objections: list[Summons]
    duplicates: list[Case]


def case_file(*, user: User, pk: int) -> CaseFile:
    case = (
        scoped(Case.objects.all(), user, "read")
        .select_related("category", "area", "assignee", "department", "duplicate_of")
        .prefetch_related(Prefetch("summonses", Summons.objects.select_related("department")))
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise NotFoundError("事件不存在或不在您的管辖范围内")
    summonses = list(case.summonses.all())
    departments = {
        g.department_id
        for g in user.grants.all()
        if g.department_id and case.area_path.startswith(g.area.path)
    }
    pending = [
        s for s in summonses if s.department_id in departments and s.status == SummonsStatus.PENDING
    ]
    objections = (
        [s for s in summonses if s.status == SummonsStatus.OBJECTED]
        if workflow.may(user, workflow.ABOVE_COMMUNITY, case)
        else []
    )
    return CaseFile(
        case=case,
        steps=list(case.steps.select_related("actor").prefetch_related("photos")),
        photos=list(case.photos.all()),
        summonses=summonses,
        transitions=workflow.available(user, case),
        may_reveal=can(user, "reveal", case),
        my_summonses=pending,
        objections=objections,
        duplicates=list(case.duplicates.all()),
    )


@dataclass(frozen=True)
class Nearby:
    case: Case
    metres: float


_NEARBY_SHOWN = 5


def duplicate_candidates(
    *, category: Category, lon: float | None, lat: float | None, exclude: int | None = None
) -> list[Nearby]:
    """Open cases of the same category within the radius and window, nearest first.

    Not scoped: a resident is shown that the problem is already known (category, distance,
    status — never who reported it or what they wrote). A bounding box narrows the rows in
    SQL; the great-circle distance decides.
    """
    if lon is None or lat is None:
        return []
    radius = settings.SHEQUTONG_DUPLICATE_RADIUS_M
    dlat = radius / 111_320
    dlon = radius / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    since = timezone.now() - timedelta(days=settings.SHEQUTONG_DUPLICATE_WINDOW_DAYS)
    # Nearest first by the flat-earth distance (at 250 m it orders as the great circle does).
    scale = math.cos(math.radians(lat)) ** 2
    params = [category.pk, since, lon - dlon, lon + dlon, lat - dlat, lat + dlat, exclude or 0]
    rows = Case.objects.raw(
        _NEARBY_SQL, [*params, *sorted(OPEN_STATUSES), lon, lon, scale, lat, lat, _NEARBY_SHOWN]
    )
    near = []
    for c in rows:
        c.category = category
        near.append(Nearby(c, distance_m(lon, lat, c.lon, c.lat)))
    return sorted((n for n in near if n.metres <= radius), key=lambda n: n.metres)


# Every report runs this search, and the ORM takes longer to build it than the database to
# answer it; so it is written out. Only the few rows shown leave the database, with only the
# columns they show (the rest of each case is deferred).
_NEARBY_SQL = f"""
SELECT id, status, created_at, lon, lat, category_id FROM cases_case
WHERE category_id = %s AND created_at >= %s AND duplicate_of_id IS NULL
  AND lon BETWEEN %s AND %s AND lat BETWEEN %s AND %s AND id <> %s
  AND status IN ({", ".join(["%s"] * len(OPEN_STATUSES))})
ORDER BY (lon - %s) * (lon - %s) * %s + (lat - %s) * (lat - %s)
LIMIT %s
"""  # noqa: S608  (placeholders only)


def summons_get(*, user: User, pk: int) -> Summons:
    summons = Summons.objects.select_related("case", "department").filter(pk=pk).first()
    if summons is None or not scoped(Case.objects.filter(pk=summons.case_id), user, "read"):
        raise NotFoundError()
    return summons


def photo_get(*, user: User, pk: int) -> CasePhoto:
    """A photo of a case the user may read, or reported (or had merged into it)."""
    item = CasePhoto.objects.select_related("case").filter(pk=pk).first()
    if item is None:
        raise NotFoundError("照片不存在")
    readable = scoped(Case.objects.filter(pk=item.case_id), user, "read").exists()
    if not readable and not resident_cases(user).filter(pk=item.case_id).exists():
        raise NotFoundError("照片不存在或您无权查看")
    return item


def extension_get(*, user: User, pk: int) -> Extension:
    extension = Extension.objects.select_related("case").filter(pk=pk).first()
    if extension is None or not scoped(Case.objects.filter(pk=extension.case_id), user, "read"):
        raise NotFoundError("延期申请不存在")
    return extension


def hazard_register(
    *, user: User, action: str = "read", within: Area | None, grade: str = "", open_only: bool
) -> QuerySet[Hazard]:
    cases = scoped(Case.objects.all(), user, action)
    if within is not None:
        cases = cases.filter(area_path__startswith=within.path)
    hazards = Hazard.objects.filter(case__in=cases.values("pk"))
    if grade:
        hazards = hazards.filter(grade=grade)
    if open_only:
        hazards = hazards.filter(accepted_at__isnull=True).exclude(case__status="rejected")
    return hazards.select_related("case__category", "case__area", "accepted_by").order_by(
        "-case__created_at", "-pk"
    )


def departments_for(case: Case) -> QuerySet[Department]:
    """Departments that may be summoned for a case: those over its area."""
    return Department.objects.filter(area_path__in=_prefixes(case.area_path)).order_by(
        "kind", "name"
    )


def _prefixes(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def assignees_for(case: Case, level: str) -> list[User]:
    """People a case may be dispatched to at a level: the grid workers, or the community staff,
    over its area. A community worker, who may also hold a grid's case, is listed once, as
    社区 (once shown as 贺静（网格）)."""
    roles = {HandlerLevel.GRID: frozenset({Role.GRID_WORKER})}.get(level, workflow.HOLDERS[level])
    grants = RoleGrant.objects.filter(
        area_path__in=_prefixes(case.area_path), role__in=roles, user__is_active=True
    ).select_related("user")
    return sorted({g.user for g in grants}, key=lambda u: u.display_name or u.username)


def grids_in(user: User, within: Area | None, limit: int = 300) -> QuerySet[Area]:
    """The grids drawn under the case map: those in scope, with a boundary."""
    grids = scoped(Area.objects.filter(level=AreaLevel.GRID, boundary__isnull=False), user, "read")
    if within is not None:
        grids = grids.filter(path__startswith=within.path)
    return grids.order_by("path")[:limit]


# --- the resident's side --------------------------------------------------------------------


def home_boundaries(user: User) -> dict[str, Any]:
    """The grids of the resident's community, drawn under the 随手拍 map so a tap lands in
    a known place."""
    homes = RoleGrant.objects.filter(user=user).select_related("area")
    communities = {
        g.area.path if g.area.level == AreaLevel.COMMUNITY else g.area.parent.path
        for g in homes
        if g.area.level in (AreaLevel.COMMUNITY, AreaLevel.GRID)
    }
    if not communities:
        return {"type": "FeatureCollection", "features": []}
    within = reduce(or_, (Q(path__startswith=p) for p in communities))
    grids = Area.objects.filter(within, level=AreaLevel.GRID, boundary__isnull=False)
    # On a phone-sized map the community's name before each grid's would overlap: 第1网格.
    features = [
        {
            "type": "Feature",
            "geometry": g.boundary,
            "properties": {"name": g.name.removeprefix(g.parent.name) or g.name},
        }
        for g in grids.select_related("parent")[:50]
    ]
    return {"type": "FeatureCollection", "features": features}


def resident_cases(user: User) -> QuerySet[Case]:
    return Case.objects.filter(Q(reporter=user) | Q(duplicates__reporter=user)).distinct()


def resident_case(user: User, pk: int) -> Case:
    case = resident_cases(user).select_related("category").filter(pk=pk).first()
    if case is None:
        raise NotFoundError("没有找到这条诉求")
    return case


# --- counts ---------------------------------------------------------------------------------


@dataclass
class AreaCounts:
    area: Area
    total: int
    open: int
    overdue: int  # open and past the deadline now
    closed: int
    on_time: int

    @property
    def due(self) -> int:
        """What the rate is taken over: every finished case and every open one already late
        (an open case past its deadline is late whether or not it is ever finished)."""
        return self.closed + self.overdue

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


def area_counts(
    *, user: User, areas: list[Area], since: date | None = None, until: date | None = None
) -> list[AreaCounts]:
    """Per area, over the cases reported between `since` and `until`: counts, and the share
    finished by the deadline (a finished case with no deadline is on time)."""
    now = timezone.now()
    cases = scoped(Case.objects.all(), user, "count")
    if since:
        cases = cases.filter(created_at__date__gte=since)
    if until:
        cases = cases.filter(created_at__date__lte=until)
    finished = Q(status__in=FINAL_STATUSES | {CaseStatus.RESOLVED})
    out = []
    for area in areas:
        mine = cases.filter(area_path__startswith=area.path)
        stats: dict[str, Any] = mine.aggregate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_at__lt=now)),
            closed=Count("pk", filter=finished),
            on_time=Count(
                "pk",
                filter=finished & (Q(due_at__isnull=True) | Q(resolved_at__lte=F("due_at"))),
            ),
        )
        out.append(AreaCounts(area=area, **stats))
    return out


def overdue_now(user: User) -> int:
    return (
        scoped(Case.objects.filter(status__in=OPEN_STATUSES), user, "count")
        .filter(due_at__lt=timezone.now())
        .count()
    )
