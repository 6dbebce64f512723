"""Registry rows spread over the fixture tree, for the isolation matrix (tests/core).

Made by the services, as the console and the imports make them, so each row's place (and
the `area_path` scoping reads) is what the platform derives, never what a fixture claims.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from shequtong.core.choices import AreaLevel
from shequtong.core.models import Area, User
from shequtong.registry.choices import FacilityKind, OrganizationKind
from shequtong.registry.models import ColumnMapping, Estate, ImportJob, PersonTag
from shequtong.registry.services import PersonData, assets, person_create, tag_add
from tests.core.factories import AreaTree

from .factories import credit_code, id_number

_PLATE_LETTERS = "ABCDEFGHJK"


def _chain(tree: AreaTree) -> None:
    """One of everything in every area the domain allows it, linked as in life: estates in
    communities, their buildings in the community or one of its grids, a household and a
    resident behind each door; people, vehicles, units and facilities in every area."""
    living_alone = PersonTag.objects.get(code="living_alone")
    communities = [a for a in tree.all if a.level == AreaLevel.COMMUNITY]
    estates = {
        c.pk: assets.estate_create(actor=None, community=c, data=assets.EstateData(f"小区{i}"))
        for i, c in enumerate(communities)
    }
    for i, area in enumerate(tree.all):
        person = person_create(
            actor=None,
            data=PersonData(name="张三", id_number=id_number(9000 + i)),
            dwelling=_door(area, estates, i),
            area=area,
        )
        if person.dwelling is not None:
            assets.household_create(actor=None, dwelling=person.dwelling, head=person)
        tag_add(actor=None, person=person, tag=living_alone, started_on=date(2026, 1, 1))
        assets.vehicle_create(
            actor=None, data=assets.VehicleData(plate=f"川A{_PLATE_LETTERS[i]}0001", area=area)
        )
        assets.organization_create(
            actor=None,
            data=assets.OrganizationData(
                name=f"单位{i}", kind=OrganizationKind.UNIT, credit_code=credit_code(i), area=area
            ),
        )
        assets.facility_create(
            actor=None, data=assets.FacilityData(name=f"设施{i}", kind=FacilityKind.AED, area=area)
        )
        # The import pipeline has no service that makes a job without a file and a worker
        # run: these two are the only rows made directly (their save derives area_path).
        ImportJob.objects.create(original_name=f"台账{i}.xlsx", area=area)
        ColumnMapping.objects.create(header=f"户主姓名{i}", field="name", area=area)


def _door(area: Area, estates: dict[int, Estate], i: int):
    """A door in a building of the area's community estate, if the area has one."""
    if area.level not in (AreaLevel.COMMUNITY, AreaLevel.GRID):
        return None
    estate = estates[area.pk if area.level == AreaLevel.COMMUNITY else area.parent_id]
    building = assets.building_create(
        actor=None, estate=estate, data=assets.BuildingData(number=f"{i}栋"), area=area
    )
    return assets.dwelling_create(
        actor=None, building=building, data=assets.DwellingData(unit=1, number="101")
    )


_built: set[int] = set()


def _once(tree: AreaTree, viewer: User) -> None:
    """Every registry model's rows come from one chain; build it once per tree."""
    if id(tree) not in _built or not Estate.objects.exists():
        _built.add(id(tree))
        _chain(tree)


def _catalogue(tree: AreaTree, viewer: User) -> None:
    """The tag catalogue comes with the migrations."""


ROWS: dict[str, Callable[[AreaTree, User], None]] = {
    **{
        label: _once
        for label in (
            "registry.estate",
            "registry.building",
            "registry.dwelling",
            "registry.household",
            "registry.person",
            "registry.persontagassignment",
            "registry.personevent",
            "registry.vehicle",
            "registry.organization",
            "registry.facility",
            "registry.importjob",
            "registry.columnmapping",
        )
    },
    "registry.persontag": _catalogue,
}
