from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from shequtong.core.choices import Role
from shequtong.core.scoping import roles_of
from shequtong.core.selectors import unread_count

from .navigation import navigation_for
from .scope import current_scope, scope_choices


def console(request: HttpRequest) -> dict[str, Any]:
    """The console frame (navigation, area switcher, roles) for every signed-in page, and the
    base map's tile URL for every map."""
    user = getattr(request, "user", None)
    tiles = {"map_tiles": settings.SHEQUTONG_MAP_TILES}
    if user is None or not user.is_authenticated:
        return tiles
    match = getattr(request, "resolver_match", None)
    url_name = f"{match.namespace}:{match.url_name}" if match and match.url_name else None
    return {
        **tiles,
        "nav": navigation_for(user, url_name),
        "scope_choices": scope_choices(user),
        "current_scope": current_scope(request),
        "role_labels": [Role(r).label for r in Role.values if r in roles_of(user)],
        # Called only when a template shows it: one COUNT on the pages with the top bar.
        "unread_count": lambda: unread_count(user=user),
    }
