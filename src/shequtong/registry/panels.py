"""Panels other apps add to the person file, so the registry shows a person's care, cases or
volunteering without importing those apps: each registers a function in its `ready()`; and the
registry's own panel of the console home (the area's 全息档案 in figures)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from shequtong.core import selectors as core_selectors
from shequtong.core.models import User
from shequtong.core.scoping import allowed
from shequtong.web.navigation import Panel
from shequtong.web.scope import current_scope

from .models import Building, Person
from .selectors import area_stats, building_list

# (viewer, person) -> the panel, or None when there is nothing to show or the viewer may not see it.
PERSON_PANELS: list[Callable[[User, Person], Panel | None]] = []


def person_panels(user: User, person: Person) -> list[Panel]:
    return [panel for make in PERSON_PANELS if (panel := make(user, person)) is not None]


def figures_panel(request: HttpRequest) -> Panel | None:
    """The area's registry in numbers, for those who keep it: residents, households, doors,
    the special groups, and the buildings still waiting for a grid."""
    user = request.user
    if not allowed(user, "read", Person):
        return None
    roots = core_selectors.area_roots(user=user)
    within = current_scope(request) or (roots[0] if len(roots) == 1 else None)
    if within is None:
        return None
    figures = area_stats(user=user, within=within)
    unplaced = building_list(user=user, within=within, unplaced=True).count()
    context = {
        "figures": figures,
        "unplaced": unplaced if allowed(user, "change", Building) else 0,
    }
    return Panel("registry/home_figures.html", context, order=30)
