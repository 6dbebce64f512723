"""The console's navigation and home panels, and the portal's tiles and panels, declared by the
apps that own them.

Each app registers its menu entries and home panels in its `ready()`, so `web` imports no
domain app. An entry shows only to users whose roles allow its page, read from the same
POLICY table that `scoped` enforces, so a link never leads to an empty or forbidden page; a
panel is a function that returns what to show for this request, or None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import models
from django.http import HttpRequest

from shequtong.core.models import User
from shequtong.core.scoping import allowed

# The menu's groups, in the order they are shown: one per domain.
GROUPS: tuple[str, ...] = (
    "事件处置",
    "智慧养老",
    "居民参与",
    "议事与公开",
    "社区全息档案",
    "系统管理",
)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    model: type[models.Model]
    group: str
    action: str = "read"
    current: bool = False


@dataclass(frozen=True)
class NavGroup:
    label: str
    items: list[NavItem]


NAV: list[NavItem] = []


def register_nav(*items: NavItem) -> None:
    for item in items:
        if item.group not in GROUPS:
            raise ValueError(f"unknown menu group {item.group!r}")
        if item not in NAV:
            NAV.append(item)


def _section(url_name: str | None) -> str | None:
    """`web:area_detail` and `web:area_list` belong to one section, `web:area`."""
    return url_name.rsplit("_", 1)[0] if url_name and "_" in url_name else url_name


def navigation_for(user: User, current_url_name: str | None = None) -> list[NavGroup]:
    section = _section(current_url_name)
    groups = []
    for group in GROUPS:
        items = [
            replace(item, current=_section(item.url_name) == section)
            for item in NAV
            if item.group == group and allowed(user, item.action, item.model)
        ]
        if items:
            groups.append(NavGroup(group, items))
    return groups


@dataclass(frozen=True)
class Panel:
    """A block of the console's home page: its template and what it shows."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50  # lower first: a worker's tasks before the figures


# request -> the panel, or None when there is nothing for this user to see.
HOME_PANELS: list[Callable[[HttpRequest], Panel | None]] = []


def register_home_panel(make: Callable[[HttpRequest], Panel | None]) -> None:
    if make not in HOME_PANELS:
        HOME_PANELS.append(make)


def _made(makers: list[Callable[[HttpRequest], Panel | None]], request: HttpRequest) -> list[Panel]:
    made = [panel for make in makers if (panel := make(request)) is not None]
    return sorted(made, key=lambda p: p.order)


def home_panels(request: HttpRequest) -> list[Panel]:
    return _made(HOME_PANELS, request)


@dataclass(frozen=True)
class Tile:
    """A service on the resident portal's home: only what is built (no 即将开通), drawn with an
    inline SVG so it shows without an emoji font."""

    label: str
    hint: str
    url_name: str
    icon: str  # the template of an inline SVG
    order: int = 50


PORTAL_TILES: list[Tile] = []
# request -> a panel of the portal's home (我的诉求 …), or None.
PORTAL_PANELS: list[Callable[[HttpRequest], Panel | None]] = []


def register_tile(tile: Tile) -> None:
    if tile not in PORTAL_TILES:
        PORTAL_TILES.append(tile)


def register_portal_panel(make: Callable[[HttpRequest], Panel | None]) -> None:
    if make not in PORTAL_PANELS:
        PORTAL_PANELS.append(make)


def portal_tiles() -> list[Tile]:
    return sorted(PORTAL_TILES, key=lambda t: t.order)


def portal_panels(request: HttpRequest) -> list[Panel]:
    return _made(PORTAL_PANELS, request)
