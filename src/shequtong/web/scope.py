"""The area switcher: which part of the user's scope the console is narrowed to.

The choice is kept in the session and re-checked through the scoped selectors on every request,
so a revoked grant takes effect at once and a forged area id shows nothing.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest

from shequtong.core import selectors
from shequtong.core.errors import NotFoundError
from shequtong.core.models import Area, User

SESSION_KEY = "scope_area_id"
# How far below each granted area the switcher reaches: a district admin picks a subdistrict or
# a community, a community worker one of their grids.
SWITCHER_DEPTH = 2


def scope_choices(user: User) -> list[Area]:
    roots = selectors.area_roots(user=user)
    if not roots:
        return []
    near = Q()
    for root in roots:
        near |= Q(path__startswith=root.path, depth__lte=root.depth + SWITCHER_DEPTH)
    return selectors.in_tree_order(selectors.area_list(user=user).filter(near))


def current_scope(request: HttpRequest) -> Area | None:
    area_id = request.session.get(SESSION_KEY)
    if area_id is None:
        return None
    try:
        return selectors.area_get(user=request.user, pk=area_id)
    except NotFoundError:
        del request.session[SESSION_KEY]
        return None


def set_scope(request: HttpRequest, area_id: int | None) -> Area | None:
    if area_id is None:
        request.session.pop(SESSION_KEY, None)
        return None
    area = selectors.area_get(user=request.user, pk=area_id)
    request.session[SESSION_KEY] = area.pk
    return area
