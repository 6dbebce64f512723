"""Placing buildings in their grids (网格), and everyone behind their doors with them.

A ledger names the community, rarely the grid, so an imported building lands in the community
and no grid worker sees its residents. A building is placed by its location when it has one
(the grid whose boundary holds its point, else the one holding its estate's), or in bulk by
the community staff; its dwellings, households, residents, tags and timeline follow, and the
apps that file rows under a resident (care) follow through `residents_moved`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from shapely.geometry import shape

from shequtong.core.audit import audit_entry, audit_record_many
from shequtong.core.choices import AreaLevel
from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.core.events import publish
from shequtong.core.models import Area, User
from shequtong.core.scoping import can, can_in_area
from shequtong.core.selectors import area_for_point

from ..events import residents_moved
from ..models import (
    Building,
    Dwelling,
    Estate,
    Household,
    Person,
    PersonEvent,
    PersonTagAssignment,
)

# Rows filed under a building's door, moved with it: (model, the path from it to the building).
_BEHIND_THE_DOOR = (
    (Dwelling, "building"),
    (Household, "dwelling__building"),
    (Person, "dwelling__building"),
    (PersonTagAssignment, "person__dwelling__building"),
    (PersonEvent, "person__dwelling__building"),
)


def grid_by_location(building: Building) -> Area | None:
    """The grid of the building's community that holds its point, or its estate's boundary."""
    if building.lon is not None and building.lat is not None:
        point = (building.lon, building.lat)
    elif building.estate.boundary:
        spot = shape(building.estate.boundary).representative_point()
        point = (spot.x, spot.y)
    else:
        return None
    grid = area_for_point(*point, level=AreaLevel.GRID)
    if grid is None or not grid.path.startswith(building.estate.area.path):
        return None  # a point in a neighbouring community's grid is a typo, not a move
    return grid


@dataclass
class Placed:
    buildings: int
    residents: int


def _check_grid(actor: User | None, grid: Area, buildings: list[Building]) -> None:
    for building in buildings:
        if not grid.path.startswith(building.estate.area.path):
            message = f"{building}不在{grid.name}所在的社区"
            raise DomainError("invalid", message, {"grid": [message]})
        if actor is not None and not can(actor, "change", building):
            raise PermissionDeniedError(f"您无权调整{building}")
    if actor is not None and not can_in_area(actor, "change", Building, grid.path):
        raise PermissionDeniedError(f"您无权将楼栋放入{grid.name}")


@transaction.atomic
def buildings_place(*, actor: User | None, buildings: Iterable[Building], grid: Area) -> Placed:
    """Put the buildings, and everything behind their doors, in `grid`; one audit entry per
    building moved. Buildings already there are left alone."""
    if grid.level != AreaLevel.GRID:
        raise DomainError("invalid", "请选择网格", {"grid": ["请选择网格"]})
    moving = [b for b in buildings if b.area_id != grid.pk]
    if not moving:
        return Placed(0, 0)
    _check_grid(actor, grid, moving)
    ids = [b.pk for b in moving]
    people = list(Person.objects.filter(dwelling__building__in=ids).values_list("pk", flat=True))
    for model, to_building in _BEHIND_THE_DOOR:
        model.objects.filter(**{f"{to_building}__in": ids}).update(area=grid, area_path=grid.path)
    Building.objects.filter(pk__in=ids).update(area=grid, area_path=grid.path)
    audit_record_many(
        audit_entry(
            actor=actor,
            action="building.place",
            obj=b,
            area=grid,
            changes={"area": [b.area.name, grid.name]},
        )
        for b in moving
    )
    if people:
        publish(residents_moved, person_ids=people, area_id=grid.pk, area_path=grid.path)
    return Placed(len(moving), len(people))


def estates_place(*, actor: User | None, estates: Iterable[Estate], grid: Area) -> Placed:
    """A whole estate (小区) into one grid: every building of it."""
    buildings = Building.objects.filter(estate__in=list(estates)).select_related(
        "estate__area", "area"
    )
    return buildings_place(actor=actor, buildings=buildings, grid=grid)


def place_by_location(*, actor: User | None, buildings: Iterable[Building]) -> Placed:
    """Each building that a location puts in a grid, placed there; the rest left unplaced."""
    by_grid: dict[int, tuple[Area, list[Building]]] = {}
    for building in buildings:
        grid = grid_by_location(building)
        if grid is not None and grid.pk != building.area_id:
            by_grid.setdefault(grid.pk, (grid, []))[1].append(building)
    total = Placed(0, 0)
    for grid, batch in by_grid.values():
        done = buildings_place(actor=actor, buildings=batch, grid=grid)
        total = Placed(total.buildings + done.buildings, total.residents + done.residents)
    return total
