"""Volunteering's panel on the console home: the participation indicators of the area the user
works over (or the switcher's), against the policy targets."""

from __future__ import annotations

from django.http import HttpRequest

from shequtong.core.models import Area
from shequtong.core.scoping import allowed, grants_of
from shequtong.web.navigation import Panel
from shequtong.web.scope import current_scope

from .models import Volunteer
from .selectors import TARGETS, indicators


def indicators_panel(request: HttpRequest) -> Panel | None:
    if not allowed(request.user, "read", Volunteer):
        return None
    area = current_scope(request)
    if area is None:
        grants = sorted(grants_of(request.user), key=lambda g: len(g.area_path))
        area = Area.objects.filter(pk=grants[0].area_id).first() if grants else None
    if area is None:
        return None
    return Panel(
        "volunteering/home_indicators.html",
        {"area": area, "figures": indicators(area), "targets": TARGETS},
        order=40,
    )
