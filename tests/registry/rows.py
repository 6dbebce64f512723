"""Registry rows spread over the fixture tree, for the isolation matrix (tests/core)."""

from __future__ import annotations

from collections.abc import Callable

from shequtong.core.models import User
from shequtong.registry.choices import (
    FacilityKind,
    OrganizationKind,
    PersonEventKind,
    VehicleKind,
)
from shequtong.registry.models import (
    Building,
    ColumnMapping,
    Dwelling,
    Estate,
    Facility,
    Household,
    ImportJob,
    Organization,
    Person,
    PersonEvent,
    PersonTag,
    PersonTagAssignment,
    Vehicle,
)
from shequtong.registry.services import PersonData, apply_person_data
from tests.core.factories import AreaTree

from .factories import id_number

_PLATE_LETTERS = "ABCDEFGHJK"


def _chain(tree: AreaTree) -> None:
    """One of everything in every area of the tree, linked as in life."""
    for i, area in enumerate(tree.all):
        at = {"area": area, "area_path": area.path}
        estate = Estate.objects.create(name=f"小区{i}", **at)
        building = Building.objects.create(estate=estate, number="1栋", **at)
        dwelling = Dwelling.objects.create(building=building, number="101", **at)
        household = Household.objects.create(dwelling=dwelling, **at)
        person = Person(household=household, **at)
        apply_person_data(person, PersonData(name="张三", id_number=id_number(9000 + i)), dwelling)
        person.save()
        PersonTagAssignment.objects.create(
            person=person,
            tag=PersonTag.objects.get(code="living_alone"),
            started_on="2026-01-01",
            **at,
        )
        PersonEvent.objects.create(
            person=person, kind=PersonEventKind.CREATED, on="2026-01-01", summary="建档", **at
        )
        Vehicle.objects.create(plate=f"川A{_PLATE_LETTERS[i]}0001", kind=VehicleKind.CAR, **at)
        Organization.objects.create(
            name=f"单位{i}", kind=OrganizationKind.UNIT, credit_code=f"CODE{i:014d}", **at
        )
        Facility.objects.create(name=f"设施{i}", kind=FacilityKind.AED, **at)
        ImportJob.objects.create(original_name=f"台账{i}.xlsx", **at)
        ColumnMapping.objects.create(header=f"户主姓名{i}", field="name", **at)


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
