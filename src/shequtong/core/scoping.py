"""`scoped(queryset, user, action)`: the one place that decides which rows a user may touch.

A row is in scope when one of the user's grants (a) has a role that POLICY allows for the
action on the row's model and (b) covers the row: the row's area path starts with the grant
area's path. A row with an empty path (placed in no area) is covered only by grants at the top
of the tree (district). Models without an area are either global configuration
(`scope_global`) or owned by one user (`scope_owner_field`). An unknown action raises
ValueError for every caller, signed in or not.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.db.models import Q

from .choices import Role
from .errors import PermissionDeniedError
from .policy import STAFF, roles_allowed

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

_Q = TypeVar("_Q", bound=models.QuerySet)
_CACHE_ATTR = "_shequtong_grants"


@dataclass(frozen=True)
class GrantView:
    role: str
    area_id: int
    area_path: str
    area_level: str
    department_id: int | None


def grants_of(user: User | AnonymousUser) -> list[GrantView]:
    """The user's grants, read once per user object (one request) and kept on it."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        from .models import RoleGrant

        rows = RoleGrant.objects.filter(user=user).values_list(
            "role", "area_id", "area__path", "area__level", "department_id"
        )
        cached = [GrantView(*row) for row in rows]
        setattr(user, _CACHE_ATTR, cached)
    return cached


def remember_grants(user: User, grants: list[GrantView]) -> None:
    """Grants read along with something else (the API token), so `grants_of` need not."""
    setattr(user, _CACHE_ATTR, grants)


def forget_grants(user: Any) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def covering_paths(paths: list[str]) -> list[str]:
    """Drop every path that lies inside another, so the filter has as few terms as needed."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def scope_paths(user: User | AnonymousUser, model: type[models.Model], action: str) -> list[str]:
    allowed = roles_allowed(model._meta.label_lower, action)
    return covering_paths([g.area_path for g in grants_of(user) if g.role in allowed])


def _is_root(path: str) -> bool:
    return path.count("/") == 2  # "/7/": a district, the top of a tree


def scoped(queryset: _Q, user: User | AnonymousUser, action: str) -> _Q:
    model = queryset.model
    # Validate the action first, so a typo fails for every caller, signed in or not.
    roles_allowed(model._meta.label_lower, action)
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    paths = scope_paths(user, model, action)
    if not paths:
        return queryset.none()
    if getattr(model, "scope_global", False):
        return queryset
    owner_field = getattr(model, "scope_owner_field", None)
    if owner_field:
        return queryset.filter(**{owner_field: user})
    path_field: str = model.scope_path_field  # type: ignore[attr-defined]
    narrowed = {Role.ORG_STAFF}
    if getattr(model, "scope_department_field", None):
        narrowed.add(Role.DEPARTMENT_HANDLER)
    if any(g.role in narrowed for g in grants_of(user)):
        return _narrowed_scoped(queryset, user, action, path_field)
    condition = reduce(or_, (Q(**{f"{path_field}__startswith": p}) for p in paths))
    if "__" in path_field:
        # Through a to-many relation: a subquery, so a row in two granted areas shows once.
        return queryset.filter(pk__in=model._default_manager.filter(condition).values("pk"))
    if any(_is_root(p) for p in paths):
        # A row placed in no area (an audit entry of a failed login under an unknown name)
        # belongs to no subdistrict: district-level grants see it, nobody below them.
        condition |= Q(**{path_field: ""})
    return queryset.filter(condition)


# user -> the ids of the organisations they act for (OrgMembership), registered by the app that
# keeps the memberships, so core imports no domain app.
ORGANISATIONS_OF: list[Callable[[Any], Collection[int]]] = []


def organisations_of(user: User | AnonymousUser) -> set[int]:
    return {pk for source in ORGANISATIONS_OF for pk in source(user)}


def _narrowed_scoped(queryset: _Q, user: User | AnonymousUser, action: str, path_field: str) -> _Q:
    """Two roles' grants cover only the rows that name their unit: a department handler's what
    was summoned to their department (`scope_department_field`), an organisation account's its
    organisation's rows (`scope_org_field`). Every other role's grant covers its whole area; an
    organisation account on a model without its field opens nothing."""
    model = queryset.model
    allowed_roles = roles_allowed(model._meta.label_lower, action)
    grants = [g for g in grants_of(user) if g.role in allowed_roles]
    narrowing = {Role.ORG_STAFF: getattr(model, "scope_org_field", None)}
    if department_field := getattr(model, "scope_department_field", None):
        narrowing[Role.DEPARTMENT_HANDLER] = department_field
    area_paths = covering_paths([g.area_path for g in grants if g.role not in narrowing])
    terms = [Q(**{f"{path_field}__startswith": p}) for p in area_paths]
    if "__" not in path_field and any(_is_root(p) for p in area_paths):
        terms.append(Q(**{path_field: ""}))
    organisations: set[int] | None = None
    for g in grants:
        field = narrowing.get(g.role)
        if field is None:
            continue
        if g.role == Role.DEPARTMENT_HANDLER:
            units: Collection[int] = [g.department_id] if g.department_id is not None else []
        else:
            if organisations is None:
                organisations = organisations_of(user)
            units = organisations
        if not units:
            continue
        # The named rows through a to-many relation as a semi-join, so a row naming two units
        # shows once and other roles' filters stay plain.
        named = model._default_manager.filter(**{f"{field}__in": units}).values("pk")
        terms.append(Q(**{f"{path_field}__startswith": g.area_path}) & Q(pk__in=named))
    if not terms:
        return queryset.none()
    condition = reduce(or_, terms)
    if "__" in path_field:  # through a to-many relation: each row once
        return queryset.filter(pk__in=model._default_manager.filter(condition).values("pk"))
    return queryset.filter(condition)


def can(user: User | AnonymousUser, action: str, obj: models.Model) -> bool:
    """Whether `user` may take `action` on this one row."""
    return scoped(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def grant_covers(
    user: User | AnonymousUser,
    roles: Collection[str],
    area_path: str,
    departments: Callable[[], Collection[int]] | None = None,
) -> bool:
    """Whether one of the user's grants with one of `roles` covers `area_path`; with
    `departments` (the ids a row names, asked for only when needed), a department handler's
    grant covers it only for one of those. The one answer to "may this user": `scoped` filters
    by the same rule, `can_in_area` and the case workflow ask it directly. An inactive user
    may nothing, an active superuser everything."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    named: Collection[int] | None = None
    for grant in grants_of(user):
        if grant.role not in roles or not area_path.startswith(grant.area_path):
            continue
        if grant.role != Role.DEPARTMENT_HANDLER or departments is None:
            return True
        if named is None:
            named = departments()
        if grant.department_id in named:
            return True
    return False


def can_in_area(
    user: User | AnonymousUser, action: str, model: type[models.Model], area_path: str
) -> bool:
    """Whether `user` may take `action` on a row of `model` placed at `area_path`: the check
    for a row that does not exist yet (a create, an import into a community)."""
    return grant_covers(user, roles_allowed(model._meta.label_lower, action), area_path)


def allowed(user: User | AnonymousUser, action: str, model: type[models.Model]) -> bool:
    """Whether any of the user's roles may take `action` on `model` somewhere."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(scope_paths(user, model, action))


def require(user: User | AnonymousUser, action: str, model: type[models.Model], what: str) -> None:
    """A page a role may not use answers 403 naming what it holds, rather than opening empty."""
    if not allowed(user, action, model):
        verb = {"change": "管理", "export": "导出"}.get(action, "查看")
        raise PermissionDeniedError(f"您无权{verb}{what}")


def is_staff(user: User | AnonymousUser) -> bool:
    """Works in the console: a superuser, a holder of any staff role or an organisation
    account (not only 居民)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(roles_of(user) & (STAFF | {Role.ORG_STAFF}))


def roles_of(user: User | AnonymousUser) -> set[str]:
    return {g.role for g in grants_of(user)}
