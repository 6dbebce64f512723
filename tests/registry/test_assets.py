"""services.assets: places, households, vehicles, organizations and facilities — the grant,
the validation (with the field at fault), the audit entry, and nothing written on failure."""

from __future__ import annotations

from decimal import Decimal
from unittest import mock

import pytest

from shequtong.core.choices import Role
from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.core.models import AuditEntry
from shequtong.registry import services
from shequtong.registry.models import (
    Building,
    Dwelling,
    Estate,
    Facility,
    Organization,
    Person,
    Vehicle,
)
from shequtong.registry.services import assets

from .factories import credit_code, id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tree, user_with):
    return user_with(Role.COMMUNITY_STAFF, tree.comm_a1)


@pytest.fixture
def estate(tree):
    return assets.estate_create(
        actor=None, community=tree.comm_a1, data=assets.EstateData("杨家坪小区")
    )


@pytest.fixture
def building(tree, estate):
    return assets.building_create(
        actor=None,
        estate=estate,
        area=tree.grid_a1a,
        data=assets.BuildingData(number="1栋", units=2, floors=6),
    )


def resident(building: Building, n: int, number: str = "302") -> Person:
    dwelling = (
        assets.dwelling_create(
            actor=None, building=building, data=assets.DwellingData(unit=1, number=number)
        )
        if not Dwelling.objects.filter(building=building, number=number).exists()
        else (Dwelling.objects.get(building=building, number=number))
    )
    return services.person_create(
        actor=None,
        data=services.PersonData(name=f"居民{n}", id_number=id_number(n)),
        dwelling=dwelling,
    )


def fields_of(info: pytest.ExceptionInfo[DomainError]) -> dict[str, list[str]]:
    return info.value.fields


# --- vehicles -------------------------------------------------------------------------------


def test_vehicle_plate_is_normalised_and_the_kind_follows_it(tree, staff):
    car = assets.vehicle_create(
        actor=staff, data=assets.VehicleData(plate="川ａ·１２３４５", area=tree.grid_a1a)
    )
    assert (car.plate, car.kind, car.area_path) == ("川A12345", "car", tree.grid_a1a.path)
    green = assets.vehicle_create(
        actor=staff, data=assets.VehicleData(plate="川A D12345", area=tree.grid_a1a)
    )
    assert (green.plate, green.kind) == ("川AD12345", "new_energy")
    bike = assets.vehicle_create(
        actor=staff, data=assets.VehicleData(plate="川A54321", area=tree.grid_a1a, kind="e_bike")
    )
    assert bike.kind == "e_bike"
    entry = AuditEntry.objects.get(action="vehicle.create", object_id=str(car.pk))
    assert entry.actor == staff and entry.area_path == tree.grid_a1a.path
    assert entry.changes["plate"] == [None, "川A12345"]


def test_bad_and_duplicate_plates_name_the_field_and_write_nothing(tree, staff):
    assets.vehicle_create(actor=None, data=assets.VehicleData(plate="川A12345", area=tree.grid_a1a))
    audit = AuditEntry.objects.count()
    with pytest.raises(DomainError) as info:
        assets.vehicle_create(
            actor=staff, data=assets.VehicleData(plate="川I12345", area=tree.grid_a1a)
        )
    assert info.value.code == "invalid" and list(fields_of(info)) == ["plate"]
    with pytest.raises(DomainError) as info:
        assets.vehicle_create(
            actor=staff, data=assets.VehicleData(plate="川a12345", area=tree.grid_a1b)
        )
    assert info.value.code == "duplicate"
    assert fields_of(info) == {"plate": ["号牌 川A12345 已登记"]}
    assert Vehicle.objects.count() == 1 and AuditEntry.objects.count() == audit


def test_a_plate_taken_by_a_concurrent_writer_is_a_duplicate_not_a_crash(tree, staff):
    """Another writer commits the same plate between the check and the save: the unique
    index refuses it, and the caller gets the duplicate error, not a server error."""

    def other_writer_commits_first(vehicle: Vehicle, *args: object, **kwargs: object) -> None:
        Vehicle.objects.bulk_create(
            [
                Vehicle(
                    plate=vehicle.plate,
                    kind="car",
                    area=tree.grid_a1b,
                    area_path=tree.grid_a1b.path,
                )
            ]
        )

    with (
        mock.patch.object(Vehicle, "full_clean", other_writer_commits_first),
        pytest.raises(DomainError) as info,
    ):
        assets.vehicle_create(
            actor=staff, data=assets.VehicleData(plate="川A12345", area=tree.grid_a1a)
        )
    assert info.value.code == "duplicate" and list(fields_of(info)) == ["plate"]
    # The write stood or fell as one: no row and no audit entry of ours, and the connection
    # is still usable (the IntegrityError was caught at a savepoint).
    assert not AuditEntry.objects.filter(action="vehicle.create").exists()
    assets.vehicle_create(
        actor=staff, data=assets.VehicleData(plate="川A54321", area=tree.grid_a1a)
    )


def test_vehicle_writes_need_the_grant_here_and_at_the_destination(tree, staff, user_with):
    worker = user_with(Role.GRID_WORKER, tree.grid_a1a)
    with pytest.raises(PermissionDeniedError):
        assets.vehicle_create(
            actor=worker, data=assets.VehicleData(plate="川A12345", area=tree.grid_a1b)
        )
    car = assets.vehicle_create(
        actor=worker, data=assets.VehicleData(plate="川A12345", area=tree.grid_a1a)
    )
    # Moving a vehicle out of one's scope is refused even though the vehicle is one's own.
    with pytest.raises(PermissionDeniedError):
        assets.vehicle_update(
            actor=worker, vehicle=car, data=assets.VehicleData(plate="川A12345", area=tree.grid_a1b)
        )
    # A vehicle of another community cannot be changed at all.
    other = assets.vehicle_create(
        actor=None, data=assets.VehicleData(plate="川B12345", area=tree.grid_b1a)
    )
    with pytest.raises(PermissionDeniedError):
        assets.vehicle_update(
            actor=staff,
            vehicle=other,
            data=assets.VehicleData(plate="川B12345", area=tree.grid_b1a, note="x"),
        )
    assert Vehicle.objects.get(pk=car.pk).area == tree.grid_a1a
    assert Vehicle.objects.get(pk=other.pk).note == ""


def test_an_update_that_changes_nothing_writes_nothing(tree, staff):
    car = assets.vehicle_create(
        actor=None, data=assets.VehicleData(plate="川A12345", area=tree.grid_a1a)
    )
    audit = AuditEntry.objects.count()
    assets.vehicle_update(
        actor=staff,
        vehicle=car,
        data=assets.VehicleData(plate="川a12345", area=tree.grid_a1a, kind="car"),
    )
    assert AuditEntry.objects.count() == audit
    assets.vehicle_update(
        actor=staff,
        vehicle=car,
        data=assets.VehicleData(plate="川A12345", area=tree.grid_a1b, kind="car"),
    )
    entry = AuditEntry.objects.latest("pk")
    assert entry.action == "vehicle.update"
    assert entry.changes == {"area_id": [tree.grid_a1a.pk, tree.grid_a1b.pk]}
    car.refresh_from_db()
    assert car.area_path == tree.grid_a1b.path


# --- organizations and facilities -----------------------------------------------------------


def test_organization_credit_code_and_phone(tree, staff):
    org = assets.organization_create(
        actor=staff,
        data=assets.OrganizationData(
            name=" 幸福里超市 ",
            kind="merchant",
            credit_code=credit_code(7).lower(),
            area=tree.grid_a1a,
            contact_phone="１３９ ００００ １２３４",
        ),
    )
    org.refresh_from_db()
    assert org.name == "幸福里超市" and org.credit_code == credit_code(7)
    assert org.contact_phone == "13900001234"
    assert Organization.objects.filter(contact_phone_hash=org.contact_phone_hash).count() == 1
    entry = AuditEntry.objects.get(action="organization.create")
    assert entry.changes["contact_phone"] == ["", "139****1234"]
    with pytest.raises(DomainError) as info:
        assets.organization_create(
            actor=staff,
            data=assets.OrganizationData(
                name="另一家", kind="merchant", credit_code=credit_code(7), area=tree.grid_a1b
            ),
        )
    assert info.value.code == "duplicate" and list(fields_of(info)) == ["credit_code"]
    # Updating itself with its own code is no duplicate.
    assets.organization_update(
        actor=staff,
        organization=org,
        data=assets.OrganizationData(
            name="幸福里便利店", kind="merchant", credit_code=credit_code(7), area=tree.grid_a1a
        ),
    )
    org.refresh_from_db()
    assert org.name == "幸福里便利店" and org.contact_phone == ""


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91510403000000007", "统一社会信用代码应为 18 位"),
        (
            "91510403MA0000000I",
            "统一社会信用代码格式错误：第 3–8 位须为行政区划代码，且不含 I、O、Z、S、V",
        ),
        ("wrong", "统一社会信用代码校验位错误，请核对最后一位"),
    ],
)
def test_organization_bad_credit_codes(tree, staff, code, message):
    if code == "wrong":
        good = credit_code(8)
        code = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(DomainError) as info:
        assets.organization_create(
            actor=staff,
            data=assets.OrganizationData(
                name="某单位", kind="unit", credit_code=code, area=tree.grid_a1a
            ),
        )
    assert fields_of(info) == {"credit_code": [message]}
    assert not Organization.objects.exists()


def test_facility_needs_both_coordinates_and_a_name(tree, staff):
    with pytest.raises(DomainError) as info:
        assets.facility_create(
            actor=staff,
            data=assets.FacilityData(name="AED", kind="aed", area=tree.grid_a1a, lon=101.7),
        )
    assert fields_of(info) == {"lat": ["经度和纬度须同时填写"]}
    with pytest.raises(DomainError) as info:
        assets.facility_create(
            actor=staff, data=assets.FacilityData(name=" ", kind="aed", area=tree.grid_a1a)
        )
    assert fields_of(info) == {"name": ["请填写名称"]}
    facility = assets.facility_create(
        actor=staff,
        data=assets.FacilityData(
            name="AED",
            kind="aed",
            area=tree.grid_a1a,
            lon=101.7,
            lat=26.5,
            floor_area=Decimal("2.5"),
        ),
    )
    assert Facility.objects.get(pk=facility.pk).floor_area == Decimal("2.50")


def test_an_unknown_kind_is_refused_by_full_clean(tree, staff):
    with pytest.raises(DomainError) as info:
        assets.facility_create(
            actor=staff, data=assets.FacilityData(name="塔", kind="tower", area=tree.grid_a1a)
        )
    assert list(fields_of(info)) == ["kind"]


# --- places ---------------------------------------------------------------------------------


def test_estate_rules(tree, staff, user_with):
    with pytest.raises(DomainError) as info:
        assets.estate_create(
            actor=staff, community=tree.grid_a1a, data=assets.EstateData("网格小区")
        )
    assert fields_of(info) == {"area_id": ["小区须登记在社区/村一级"]}
    with pytest.raises(PermissionDeniedError):
        assets.estate_create(actor=staff, community=tree.comm_b1, data=assets.EstateData("乙小区"))
    estate = assets.estate_create(
        actor=staff, community=tree.comm_a1, data=assets.EstateData("滨江花园")
    )
    with pytest.raises(DomainError) as info:
        assets.estate_create(
            actor=staff, community=tree.comm_a1, data=assets.EstateData(" 滨江花园 ")
        )
    assert info.value.code == "duplicate"
    # The same name in another community is another estate.
    assets.estate_create(actor=None, community=tree.comm_b1, data=assets.EstateData("滨江花园"))
    with pytest.raises(DomainError) as info:
        assets.estate_update(
            actor=staff,
            estate=estate,
            data=assets.EstateData("滨江花园", boundary={"type": "Point"}),
        )
    assert list(fields_of(info)) == ["boundary"]
    # A grid worker keeps the grid's doors, but the estate is filed under the community.
    worker = user_with(Role.GRID_WORKER, tree.grid_a1a)
    with pytest.raises(PermissionDeniedError):
        assets.estate_update(actor=worker, estate=estate, data=assets.EstateData("改名"))
    assert Estate.objects.get(pk=estate.pk).name == "滨江花园"


def test_building_rules(tree, estate, building, staff):
    with pytest.raises(DomainError) as info:
        assets.building_create(
            actor=None, estate=estate, area=tree.grid_a2a, data=assets.BuildingData(number="2栋")
        )
    assert list(fields_of(info)) == ["area_id"]
    with pytest.raises(DomainError) as info:
        assets.building_create(actor=None, estate=estate, data=assets.BuildingData(number="1栋"))
    assert info.value.code == "duplicate"
    on_community = assets.building_create(
        actor=staff, estate=estate, data=assets.BuildingData(number="2栋")
    )
    assert on_community.area == tree.comm_a1
    resident(building, 1, number="502")
    with pytest.raises(DomainError) as info:
        assets.building_update(
            actor=staff,
            building=building,
            data=assets.BuildingData(number="1栋", units=2, floors=4),
        )
    assert fields_of(info) == {"floors": ["已有房屋位于第 5 层"]}
    assets.building_update(
        actor=staff, building=building, data=assets.BuildingData(number="1号楼", units=2, floors=5)
    )
    building.refresh_from_db()
    assert (building.number, building.floors) == ("1号楼", 5)


def test_dwelling_create_grows_the_building_and_refuses_a_second_door(tree, building, staff):
    dwelling = assets.dwelling_create(
        actor=staff, building=building, data=assets.DwellingData(unit=3, number="1203")
    )
    assert (dwelling.floor, dwelling.area) == (12, tree.grid_a1a)
    building.refresh_from_db()
    assert (building.units, building.floors) == (3, 12)
    with pytest.raises(DomainError) as info:
        assets.dwelling_create(
            actor=staff, building=building, data=assets.DwellingData(unit=3, number="1203")
        )
    assert info.value.code == "duplicate" and list(fields_of(info)) == ["number"]
    with pytest.raises(DomainError) as info:
        assets.dwelling_update(
            actor=staff, dwelling=dwelling, data=assets.DwellingData(unit=4, number="1203")
        )
    assert list(fields_of(info)) == ["unit"]
    assets.dwelling_update(
        actor=staff,
        dwelling=dwelling,
        data=assets.DwellingData(
            unit=3, number="1203", floor_area=Decimal("88.00"), usage="rented"
        ),
    )
    entry = AuditEntry.objects.get(action="dwelling.update")
    assert entry.changes == {"floor_area": [None, "88.00"], "usage": ["self_occupied", "rented"]}


def test_dwelling_create_in_another_grid_is_refused(tree, building, user_with):
    worker = user_with(Role.GRID_WORKER, tree.grid_a1b)
    with pytest.raises(PermissionDeniedError):
        assets.dwelling_create(
            actor=worker, building=building, data=assets.DwellingData(unit=1, number="101")
        )
    assert not Dwelling.objects.exists()


# --- households -----------------------------------------------------------------------------


def test_household_head_lives_there_and_joins(tree, building, staff):
    head = resident(building, 1)
    stranger = resident(building, 2, number="401")
    household = assets.household_create(actor=staff, dwelling=head.dwelling, head=head)
    head.refresh_from_db()
    assert household.head == head and head.household == household and head.relationship == "02"
    assert head.events.filter(summary__startswith="立为户主").exists()
    with pytest.raises(DomainError) as info:
        assets.household_update(actor=staff, household=household, head=stranger)
    assert fields_of(info) == {"head_id": ["户主须是该房屋的在住居民"]}
    spouse = resident(building, 3)
    assets.household_update(actor=staff, household=household, head=spouse)
    household.refresh_from_db()
    assert household.head == spouse
    entry = AuditEntry.objects.get(action="household.update")
    assert entry.changes == {"head_id": [head.pk, spouse.pk]}
    services.person_move_out(actor=None, person=head, on=head.created_at.date())
    with pytest.raises(DomainError):
        assets.household_update(actor=staff, household=household, head=head)
