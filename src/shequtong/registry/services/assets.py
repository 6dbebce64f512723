"""Writes of the registry's places and assets: estates, buildings, dwellings, households,
vehicles, organizations and facilities (persons and tags are in `services`).

Each write is one transaction: it checks the grant (the area for a new row, the row itself for
a change, and the destination when a row moves), validates first so the message names the
field at fault, saves after `full_clean()`, and writes its audit entry.

Nothing here deletes. A vehicle sold, an organization gone or a facility taken down stays on
file: cases, visits, bookings and reports refer to these rows, and the audit trail must still
resolve what it names. Field keys in errors are the API's (`area_id`, `owner_id`, `head_id`),
so a form or a client can put the message next to the input that caused it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max

from shequtong.core import vault
from shequtong.core.audit import audit_record, masked_changes
from shequtong.core.choices import AreaLevel
from shequtong.core.errors import DomainError
from shequtong.core.models import Area, GovernedModel, User
from shequtong.core.scoping import can, can_in_area
from shequtong.core.services import validate_boundary

from ..choices import DwellingUsage, PersonEventKind, PersonStatus, VehicleKind
from ..identity import is_new_energy_plate, normalize_plate, validate_credit_code
from ..models import (
    Building,
    Dwelling,
    Estate,
    Facility,
    Household,
    Organization,
    Person,
    Vehicle,
)
from ..models.places import MAX_DOORS_PER_FLOOR, MAX_FLOORS, MAX_UNITS
from .grids import grid_by_location, place_by_location
from .people import _require, dwelling_get_or_create, record_event

_M = TypeVar("_M", bound=models.Model)


# --- shared steps ---------------------------------------------------------------------------


def _may_place(actor: User | None, model: type[models.Model], area: Area) -> None:
    """A new row, or a row moving, into `area`. `actor=None` is the system itself."""
    _require(
        actor,
        actor is None or can_in_area(actor, "change", model, area.path),
        "您无权在此区域登记",
    )


def _may_change(actor: User | None, obj: models.Model) -> None:
    _require(actor, actor is None or can(actor, "change", obj))


def _invalid(field: str, message: str, code: str = "invalid") -> DomainError:
    return DomainError(code, message, {field: [message]})


def _checked(field: str, check: Callable[[str], str], value: str) -> str:
    """The value as `check` normalises it, or a DomainError naming `field`."""
    try:
        return check(value)
    except ValidationError as exc:
        raise _invalid(field, exc.messages[0]) from exc


def _check_point(lon: float | None, lat: float | None) -> None:
    if (lon is None) != (lat is None):
        raise _invalid("lat" if lat is None else "lon", "经度和纬度须同时填写")


def _values(obj: models.Model, names: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


def _save(
    actor: User | None,
    obj: _M,
    *,
    tracked: tuple[str, ...],
    before: dict[str, Any] | None,
    duplicate: DomainError,
) -> _M:
    """full_clean, save and audit one row. `before` is None for a new row; an update that
    changes nothing writes nothing. A concurrent writer that took the same unique value
    between the check and the save gets `duplicate`, not a server error."""
    after = _values(obj, tracked)
    changes = masked_changes(obj, before or {}, after)
    if before is not None and not changes:
        return obj
    if isinstance(obj, GovernedModel):
        obj.area_path = obj.area.path  # derived, and checked by full_clean like any column
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise DomainError.from_validation(exc) from exc
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise duplicate from exc
    verb = "create" if before is None else "update"
    audit_record(actor=actor, action=f"{obj._meta.model_name}.{verb}", obj=obj, changes=changes)
    return obj


# --- estates --------------------------------------------------------------------------------

_ESTATE_FIELDS = ("name", "address", "property_company", "year_built", "boundary")


@dataclass
class EstateData:
    name: str
    address: str = ""
    property_company: str = ""
    year_built: int | None = None
    boundary: dict[str, Any] | None = None


def _apply_estate(estate: Estate, data: EstateData) -> None:
    name = data.name.strip()
    if not name:
        raise _invalid("name", "请填写小区名称")
    taken = Estate.objects.filter(area_id=estate.area_id, name=name).exclude(pk=estate.pk)
    if taken.exists():
        raise _invalid("name", f"本社区已有小区“{name}”", "duplicate")
    try:
        validate_boundary(data.boundary)
    except ValidationError as exc:
        raise DomainError.from_validation(exc) from exc
    estate.name = name
    estate.address = data.address.strip()
    estate.property_company = data.property_company.strip()
    estate.year_built = data.year_built
    estate.boundary = data.boundary


_ESTATE_TAKEN = _invalid("name", "本社区已有同名小区", "duplicate")


@transaction.atomic
def estate_create(*, actor: User | None, community: Area, data: EstateData) -> Estate:
    """A 小区 belongs to one community; its buildings may lie in several of its grids."""
    if community.level != AreaLevel.COMMUNITY:
        raise _invalid("area_id", "小区须登记在社区/村一级")
    _may_place(actor, Estate, community)
    estate = Estate(area=community)
    _apply_estate(estate, data)
    return _save(actor, estate, tracked=_ESTATE_FIELDS, before=None, duplicate=_ESTATE_TAKEN)


@transaction.atomic
def estate_update(*, actor: User | None, estate: Estate, data: EstateData) -> Estate:
    _may_change(actor, estate)
    before = _values(estate, _ESTATE_FIELDS)
    _apply_estate(estate, data)
    return _save(actor, estate, tracked=_ESTATE_FIELDS, before=before, duplicate=_ESTATE_TAKEN)


# --- buildings ------------------------------------------------------------------------------

_BUILDING_FIELDS = ("number", "units", "floors", "dwellings_per_floor", "lon", "lat", "area_id")


@dataclass
class BuildingData:
    number: str
    units: int = 1
    floors: int = 1
    dwellings_per_floor: int = 2
    lon: float | None = None
    lat: float | None = None


def _apply_building(building: Building, data: BuildingData) -> None:
    number = data.number.strip()
    if not number:
        raise _invalid("number", "请填写楼栋号")
    taken = Building.objects.filter(estate_id=building.estate_id, number=number)
    if taken.exclude(pk=building.pk).exists():
        raise _invalid("number", f"该小区已有楼栋“{number}”", "duplicate")
    limits = {"units": MAX_UNITS, "floors": MAX_FLOORS, "dwellings_per_floor": MAX_DOORS_PER_FLOOR}
    for name, most in limits.items():
        if not 1 <= getattr(data, name) <= most:
            raise _invalid(name, f"须为 1–{most}")
    if building.pk is not None:
        # The building map must still hold every door on file.
        highest = building.dwellings.aggregate(unit=Max("unit"), floor=Max("floor"))
        if highest["unit"] and data.units < highest["unit"]:
            raise _invalid("units", f"已有房屋位于第 {highest['unit']} 单元")
        if highest["floor"] and data.floors < highest["floor"]:
            raise _invalid("floors", f"已有房屋位于第 {highest['floor']} 层")
    _check_point(data.lon, data.lat)
    building.number = number
    building.units, building.floors = data.units, data.floors
    building.dwellings_per_floor = data.dwellings_per_floor
    building.lon, building.lat = data.lon, data.lat


_BUILDING_TAKEN = _invalid("number", "该小区已有同号楼栋", "duplicate")


@transaction.atomic
def building_create(
    *, actor: User | None, estate: Estate, data: BuildingData, area: Area | None = None
) -> Building:
    """`area` is the grid the building lies in: the estate's community or one of its grids;
    left out, the grid its location or its estate's boundary lies in, else the community."""
    if area is not None and not area.path.startswith(estate.area.path):
        raise _invalid("area_id", f"楼栋所在网格须属于小区所在的{estate.area.name}")
    building = Building(estate=estate, area=area or estate.area)
    _apply_building(building, data)
    if area is None:
        building.area = grid_by_location(building) or estate.area
    _may_place(actor, Building, building.area)
    return _save(actor, building, tracked=_BUILDING_FIELDS, before=None, duplicate=_BUILDING_TAKEN)


@transaction.atomic
def building_update(*, actor: User | None, building: Building, data: BuildingData) -> Building:
    """The estate stays. A building still filed under its community goes to the grid its new
    location lies in, its residents with it; a placed one moves only by `buildings_place`."""
    _may_change(actor, building)
    before = _values(building, _BUILDING_FIELDS)
    _apply_building(building, data)
    saved = _save(
        actor, building, tracked=_BUILDING_FIELDS, before=before, duplicate=_BUILDING_TAKEN
    )
    if saved.area.level == AreaLevel.COMMUNITY:
        place_by_location(actor=actor, buildings=[saved])
        saved.refresh_from_db(fields=["area", "area_path"])
    return saved


# --- dwellings ------------------------------------------------------------------------------

_DWELLING_FIELDS = ("unit", "floor", "number", "floor_area", "usage")


@dataclass
class DwellingData:
    unit: int
    number: str
    floor: int | None = None  # None: read from the door plate (302 is on the 3rd floor)
    floor_area: Decimal | None = None
    usage: str = DwellingUsage.SELF_OCCUPIED


def _check_door(building: Building, data: DwellingData, exclude: int | None = None) -> str:
    number = data.number.strip()
    if not number:
        raise _invalid("number", "请填写房号")
    if data.unit < 1:
        raise _invalid("unit", "须不小于 1")
    taken = Dwelling.objects.filter(building=building, unit=data.unit, number=number)
    if taken.exclude(pk=exclude).exists():
        raise _invalid("number", f"{building}{data.unit}单元已有房号“{number}”", "duplicate")
    return number


@transaction.atomic
def dwelling_create(*, actor: User | None, building: Building, data: DwellingData) -> Dwelling:
    """One new door; the building grows to hold it, as it does on a ledger import."""
    number = _check_door(building, data)
    return dwelling_get_or_create(
        actor=actor,
        building=building,
        unit=data.unit,
        number=number,
        floor=data.floor,
        floor_area=data.floor_area,
        usage=data.usage,
    )


@transaction.atomic
def dwelling_update(*, actor: User | None, dwelling: Dwelling, data: DwellingData) -> Dwelling:
    _may_change(actor, dwelling)
    building = dwelling.building
    number = _check_door(building, data, exclude=dwelling.pk)
    floor = data.floor if data.floor is not None else dwelling.floor
    # A building's units × floors bound its doors; an edit does not grow it behind one's back.
    if data.unit > building.units:
        raise _invalid("unit", f"{building}只有 {building.units} 个单元，请先修改楼栋")
    if floor > building.floors:
        raise _invalid("floor", f"{building}只有 {building.floors} 层，请先修改楼栋")
    before = _values(dwelling, _DWELLING_FIELDS)
    dwelling.unit, dwelling.floor, dwelling.number = data.unit, floor, number
    dwelling.floor_area, dwelling.usage = data.floor_area, data.usage
    return _save(
        actor,
        dwelling,
        tracked=_DWELLING_FIELDS,
        before=before,
        duplicate=_invalid("number", "该单元已有同号房屋", "duplicate"),
    )


# --- households -----------------------------------------------------------------------------

_HEAD = "02"  # GB/T 4761: 户主


def _seat_head(actor: User | None, household: Household, head: Person) -> None:
    """The head lives in the household's dwelling and is a member of it."""
    if head.status != PersonStatus.ACTIVE or head.dwelling_id != household.dwelling_id:
        raise _invalid("head_id", "户主须是该房屋的在住居民")
    _may_change(actor, head)
    if head.household_id == household.pk and head.relationship == _HEAD:
        return
    head.household, head.relationship = household, _HEAD
    head.save(update_fields=["household", "relationship", "updated_at"])
    record_event(
        person=head, kind=PersonEventKind.UPDATED, actor=actor, summary=f"立为户主：{household}"
    )


@transaction.atomic
def household_create(
    *, actor: User | None, dwelling: Dwelling, head: Person | None = None
) -> Household:
    _may_place(actor, Household, dwelling.area)
    household = Household.objects.create(dwelling=dwelling, area=dwelling.area)
    if head is not None:
        _seat_head(actor, household, head)
        household.head = head
        household.save(update_fields=["head", "updated_at"])
    audit_record(
        actor=actor,
        action="household.create",
        obj=household,
        changes={"dwelling_id": [None, dwelling.pk], "head_id": [None, household.head_id]},
    )
    return household


@transaction.atomic
def household_update(*, actor: User | None, household: Household, head: Person) -> Household:
    """Change the head (户主变更); the former head stays a member."""
    _may_change(actor, household)
    if household.head_id == head.pk:
        return household
    before = household.head_id
    _seat_head(actor, household, head)
    household.head = head
    household.save(update_fields=["head", "updated_at"])
    audit_record(
        actor=actor,
        action="household.update",
        obj=household,
        changes={"head_id": [before, head.pk]},
    )
    return household


# --- vehicles -------------------------------------------------------------------------------

_VEHICLE_FIELDS = ("plate", "kind", "owner_id", "note", "area_id")


@dataclass
class VehicleData:
    plate: str
    area: Area
    kind: str | None = None  # None: new-energy for an 8-character plate, else a car
    owner: Person | None = None
    note: str = ""


def _apply_vehicle(vehicle: Vehicle, data: VehicleData) -> None:
    plate = _checked("plate", normalize_plate, data.plate)
    if Vehicle.objects.filter(plate=plate).exclude(pk=vehicle.pk).exists():
        raise _invalid("plate", f"号牌 {plate} 已登记", "duplicate")
    vehicle.plate = plate
    vehicle.kind = data.kind or (
        VehicleKind.NEW_ENERGY if is_new_energy_plate(plate) else VehicleKind.CAR
    )
    vehicle.owner, vehicle.note = data.owner, data.note.strip()
    vehicle.area = data.area


_PLATE_TAKEN = _invalid("plate", "该号牌已登记", "duplicate")


@transaction.atomic
def vehicle_create(*, actor: User | None, data: VehicleData) -> Vehicle:
    _may_place(actor, Vehicle, data.area)
    vehicle = Vehicle()
    _apply_vehicle(vehicle, data)
    return _save(actor, vehicle, tracked=_VEHICLE_FIELDS, before=None, duplicate=_PLATE_TAKEN)


@transaction.atomic
def vehicle_update(*, actor: User | None, vehicle: Vehicle, data: VehicleData) -> Vehicle:
    _may_change(actor, vehicle)
    if data.area.pk != vehicle.area_id:
        _may_place(actor, Vehicle, data.area)
    before = _values(vehicle, _VEHICLE_FIELDS)
    _apply_vehicle(vehicle, data)
    return _save(actor, vehicle, tracked=_VEHICLE_FIELDS, before=before, duplicate=_PLATE_TAKEN)


# --- organizations --------------------------------------------------------------------------

_ORGANIZATION_FIELDS = (
    "name",
    "kind",
    "credit_code",
    "address",
    "contact_name",
    "contact_phone",
    "lon",
    "lat",
    "area_id",
)


@dataclass
class OrganizationData:
    name: str
    kind: str
    credit_code: str
    area: Area
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    lon: float | None = None
    lat: float | None = None


def _apply_organization(organization: Organization, data: OrganizationData) -> None:
    name = data.name.strip()
    if not name:
        raise _invalid("name", "请填写名称")
    code = _checked("credit_code", validate_credit_code, data.credit_code)
    if Organization.objects.filter(credit_code=code).exclude(pk=organization.pk).exists():
        raise _invalid("credit_code", f"统一社会信用代码 {code} 已登记", "duplicate")
    phone = data.contact_phone.strip()
    phone = _checked("contact_phone", vault.validate_phone, phone) if phone else ""
    _check_point(data.lon, data.lat)
    organization.contact_phone = phone
    organization.name, organization.kind, organization.credit_code = name, data.kind, code
    organization.address = data.address.strip()
    organization.contact_name = data.contact_name.strip()
    organization.lon, organization.lat = data.lon, data.lat
    organization.area = data.area


_CODE_TAKEN = _invalid("credit_code", "该统一社会信用代码已登记", "duplicate")


@transaction.atomic
def organization_create(*, actor: User | None, data: OrganizationData) -> Organization:
    _may_place(actor, Organization, data.area)
    organization = Organization()
    _apply_organization(organization, data)
    return _save(
        actor, organization, tracked=_ORGANIZATION_FIELDS, before=None, duplicate=_CODE_TAKEN
    )


@transaction.atomic
def organization_update(
    *, actor: User | None, organization: Organization, data: OrganizationData
) -> Organization:
    _may_change(actor, organization)
    if data.area.pk != organization.area_id:
        _may_place(actor, Organization, data.area)
    before = _values(organization, _ORGANIZATION_FIELDS)
    _apply_organization(organization, data)
    return _save(
        actor, organization, tracked=_ORGANIZATION_FIELDS, before=before, duplicate=_CODE_TAKEN
    )


# --- facilities -----------------------------------------------------------------------------

_FACILITY_FIELDS = (
    "name",
    "kind",
    "address",
    "lon",
    "lat",
    "floor_area",
    "opening_hours",
    "area_id",
)


@dataclass
class FacilityData:
    name: str
    kind: str
    area: Area
    address: str = ""
    lon: float | None = None
    lat: float | None = None
    floor_area: Decimal | None = None
    opening_hours: str = ""


def _apply_facility(facility: Facility, data: FacilityData) -> None:
    name = data.name.strip()
    if not name:
        raise _invalid("name", "请填写名称")
    _check_point(data.lon, data.lat)
    facility.name, facility.kind = name, data.kind
    facility.address, facility.opening_hours = data.address.strip(), data.opening_hours.strip()
    facility.lon, facility.lat, facility.floor_area = data.lon, data.lat, data.floor_area
    facility.area = data.area


# Facilities have no unique column: an IntegrityError here is not a duplicate, but keep the
# error shape anyway.
_FACILITY_CONFLICT = DomainError("conflict", "保存失败：数据冲突，请刷新后重试")


@transaction.atomic
def facility_create(*, actor: User | None, data: FacilityData) -> Facility:
    _may_place(actor, Facility, data.area)
    facility = Facility()
    _apply_facility(facility, data)
    return _save(
        actor, facility, tracked=_FACILITY_FIELDS, before=None, duplicate=_FACILITY_CONFLICT
    )


@transaction.atomic
def facility_update(*, actor: User | None, facility: Facility, data: FacilityData) -> Facility:
    _may_change(actor, facility)
    if data.area.pk != facility.area_id:
        _may_place(actor, Facility, data.area)
    before = _values(facility, _FACILITY_FIELDS)
    _apply_facility(facility, data)
    return _save(
        actor, facility, tracked=_FACILITY_FIELDS, before=before, duplicate=_FACILITY_CONFLICT
    )
