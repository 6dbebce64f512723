"""Scoped reads of the core: every list or lookup a user triggers goes through here."""

from __future__ import annotations

import copy
from collections.abc import Hashable, Iterable
from datetime import date
from typing import NamedTuple

from django.db.models import Count, Q, QuerySet
from natsort import natsort_keygen
from shapely import STRtree
from shapely.geometry import Point, shape

from .audit_labels import EXPORTS
from .choices import AreaLevel
from .errors import NotFoundError
from .models import ApiToken, Area, AuditEntry, Notification, RoleGrant, User
from .reference import ReferenceCache
from .scoping import grants_of, scoped

_natural = natsort_keygen()


def in_tree_order(areas: Iterable[Area]) -> list[Area]:
    """Each area under its parent, siblings in natural order of their names (第2网格 before
    第10网格). Ordering by the id path put 第7、8网格 before 第1网格 when they were made first."""
    rows = list(areas)
    names = {a.pk: a.name for a in rows}
    missing = {i for a in rows for i in a.path_ids} - names.keys()
    names |= dict(Area.objects.filter(pk__in=missing).values_list("pk", "name"))
    return sorted(rows, key=lambda a: [_natural(names.get(i, "")) for i in a.path_ids])


def area_list(
    *,
    user: User,
    action: str = "read",
    level: str | None = None,
    parent: Area | None = None,
    q: str | None = None,
) -> QuerySet[Area]:
    qs = scoped(Area.objects.all(), user, action)
    if level:
        qs = qs.filter(level=level)
    if parent is not None:
        qs = qs.filter(parent=parent)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q))
    return qs


def area_get(*, user: User, pk: int, action: str = "read") -> Area:
    area = scoped(Area.objects.filter(pk=pk), user, action).first()
    if area is None:
        raise NotFoundError()
    return area


def area_roots(*, user: User) -> list[Area]:
    """The top areas of the user's scope: the areas of their grants, outermost first."""
    ids = {g.area_id for g in grants_of(user)}
    areas = (
        list(Area.objects.filter(pk__in=ids))
        if not user.is_superuser
        else list(Area.objects.filter(parent__isnull=True))
    )
    return [
        a
        for a in sorted(areas, key=lambda a: a.path)
        if not any(a.path != b.path and a.path.startswith(b.path) for b in areas)
    ]


def area_children_counts(*, user: User, area: Area) -> QuerySet[Area]:
    return area_list(user=user, parent=area).annotate(child_count=Count("children"))


class _Boundaries(NamedTuple):
    areas: list[Area]
    tree: STRtree


def _load_boundaries(level: Hashable) -> _Boundaries:
    areas = list(Area.objects.filter(level=level, boundary__isnull=False))
    return _Boundaries(areas, STRtree([shape(a.boundary) for a in areas]))


# Redrawn a few times a year; read by every report (core.reference).
_boundaries = ReferenceCache(_load_boundaries, models=("core.Area",))


def area_for_point(lon: float, lat: float, *, level: str = AreaLevel.GRID) -> Area | None:
    """The area of `level` whose boundary holds the WGS-84 point; the smallest when several do.

    Not scoped: routing a report to its grid is not a read by the reporter. A copy, so that a
    caller changing it cannot change what the next report is routed to.
    """
    boundaries = _boundaries.get(level)
    hits = boundaries.tree.query(Point(lon, lat), predicate="covered_by")
    if not len(hits):
        return None
    best = min(hits, key=lambda i: boundaries.tree.geometries[i].area)
    return copy.copy(boundaries.areas[best])


def grant_list(*, user: User, area: Area | None = None) -> QuerySet[RoleGrant]:
    qs = scoped(RoleGrant.objects.all(), user, "read").select_related("user", "area", "department")
    if area is not None:
        qs = qs.filter(area_path__startswith=area.path)
    return qs


def staff_list(*, user: User, q: str | None = None) -> QuerySet[User]:
    qs = scoped(User.objects.filter(is_active=True), user, "read").prefetch_related("grants__area")
    if q:
        qs = qs.filter(Q(username__contains=q) | Q(display_name__contains=q))
    return qs


def staff_get(*, user: User, pk: int, action: str = "read") -> User:
    found = scoped(User.objects.filter(pk=pk), user, action).first()
    if found is None:
        raise NotFoundError()
    return found


def audit_search(
    *,
    user: User,
    action: str | None = None,
    actor: str | None = None,
    object_type: str | None = None,
    q: str | None = None,
    since: date | None = None,
    until: date | None = None,
    scope_action: str = "read",
) -> QuerySet[AuditEntry]:
    """`action` is a code from the 动作 list (`pii.reveal:registry.person:id_number` for the
    reveals of one field); `scope_action` is the grant read under (export)."""
    qs = scoped(AuditEntry.objects.all(), user, scope_action).select_related("area")
    if action == EXPORTS:
        qs = qs.filter(Q(action__endswith=".export") | Q(action__endswith=".export_full"))
    elif action:
        code, *what = action.split(":")
        qs = qs.filter(action=code)
        if len(what) == 2:  # a reveal of one model's field: pii.reveal:registry.person:phone
            qs = qs.filter(object_type=what[0], changes__field__1=what[1])
    if actor:
        qs = qs.filter(actor_label__contains=actor)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if q:
        qs = qs.filter(Q(object_repr__contains=q) | Q(object_id=q))
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs


def token_list(*, user: User) -> QuerySet[ApiToken]:
    return scoped(ApiToken.objects.all(), user, "read")


def notification_list(*, user: User) -> QuerySet[Notification]:
    return scoped(Notification.objects.all(), user, "read")


def unread_count(*, user: User) -> int:
    return notification_list(user=user).filter(read_at__isnull=True).count()


def users_granted(
    *, roles: Iterable[str], area_path: str, department_ids: Iterable[int] | None = None
) -> list[User]:
    """Everyone holding one of `roles` over the area at `area_path` or an area above it (for a
    department handler, of one of `department_ids`): who is told about what happens there.
    Copies, like `area_for_point`'s."""
    departments = None if department_ids is None else frozenset(department_ids)
    return [copy.copy(u) for u in _granted.get((frozenset(roles), area_path, departments))]


def _load_granted(key: Hashable) -> tuple[User, ...]:
    roles, area_path, department_ids = key  # type: ignore[misc]
    grants = RoleGrant.objects.filter(
        role__in=list(roles), area_id__in=Area(path=area_path).path_ids
    ).select_related("user")
    if department_ids is not None:
        grants = grants.filter(department_id__in=list(department_ids))
    # Active accounts only, each once (one may hold several grants over the area).
    users = {g.user_id: g.user for g in grants.filter(user__is_active=True).order_by("pk")}
    return tuple(users.values())


# Who is told of a new report where: changes when staff are granted, moved or leave.
_granted = ReferenceCache(
    _load_granted,
    models=("core.RoleGrant", "core.User"),
    ignore_fields=frozenset({"last_login"}),  # saved at every sign-in
)
