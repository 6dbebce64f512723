"""Input and output schemas of the registry API.

Every output names its fields: ID and phone numbers leave only masked (`*_masked`), the full
value only through the audited reveal endpoints. Code tables (民族, 与户主关系, 文化程度,
政治面貌) are the national standards' codes listed in `choices`; an input schema accepts
exactly those codes, or "" for 未填.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from shequtong.core.vault import mask_id_number, mask_phone

from .choices import (
    EDUCATIONS,
    ETHNICITIES,
    POLITICAL_STATUSES,
    RELATIONSHIPS,
    DwellingUsage,
    FacilityKind,
    OrganizationKind,
    PersonStatus,
    Residency,
    VehicleKind,
)
from .models.places import MAX_DOORS_PER_FLOOR, MAX_FLOORS, MAX_UNITS, MIN_FLOOR


def _codes(table: list[tuple[str, str]]) -> tuple[str, ...]:
    return ("", *(code for code, _ in table))


EthnicityCode = Literal[_codes(ETHNICITIES)]  # type: ignore[valid-type]
RelationshipCode = Literal[_codes(RELATIONSHIPS)]  # type: ignore[valid-type]
EducationCode = Literal[_codes(EDUCATIONS)]  # type: ignore[valid-type]
PoliticalStatusCode = Literal[_codes(POLITICAL_STATUSES)]  # type: ignore[valid-type]


def _lon() -> Any:
    return Field(None, ge=-180, le=180, description="经度（WGS-84）")


def _lat() -> Any:
    return Field(None, ge=-90, le=90, description="纬度（WGS-84）")


class Detail:
    """A row plus the parts of its detail view that a selector read under the caller's
    grants (household members, visible tags …), for an output schema to read as attributes."""

    def __init__(self, obj: Any, **parts: Any) -> None:
        self.__dict__.update(parts)
        self._obj = obj

    def __getattr__(self, name: str) -> Any:
        return getattr(self._obj, name)

    def __str__(self) -> str:  # dunders skip __getattr__: the row's own text, not the wrapper's
        return str(self._obj)


# --- filters --------------------------------------------------------------------------------


class PersonFilter(Schema):
    q: str | None = Field(
        None, max_length=64, description="姓名、拼音或首字母、证件/电话后四位、地址或车牌"
    )
    tag: str | None = Field(None, description="人群标签代码，如 living_alone")
    status: PersonStatus | None = Field(None, description="按状态筛选（含迁出、已故）")
    include_inactive: bool = Field(False, description="包含已迁出和已故的居民")
    area_id: int | None = Field(None, description="限定在管辖范围内的某个区划或网格")


class WithinFilter(Schema):
    area_id: int | None = Field(None, description="限定在管辖范围内的某个区划或网格")


class EstateFilter(WithinFilter):
    q: str | None = Field(None, max_length=64, description="小区名称")


class BuildingFilter(WithinFilter):
    estate_id: int | None = None


class DwellingFilter(WithinFilter):
    building_id: int | None = None


class HouseholdFilter(WithinFilter):
    dwelling_id: int | None = None


class VehicleFilter(WithinFilter):
    q: str | None = Field(None, max_length=16, description="号牌（可只输入一部分）")
    kind: VehicleKind | None = None
    owner_id: int | None = None


class OrganizationFilter(WithinFilter):
    q: str | None = Field(None, max_length=64, description="名称或统一社会信用代码")
    kind: OrganizationKind | None = None


class FacilityFilter(WithinFilter):
    q: str | None = Field(None, max_length=64, description="名称或地址")
    kind: FacilityKind | None = None


# --- persons --------------------------------------------------------------------------------


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: date
    id_number_masked: str = Field(description="脱敏的身份证号，如 110***********123X")
    phone_masked: str = Field(description="脱敏的联系电话，如 138****5678")
    residency: str
    relationship: str
    status: str
    area_id: int
    dwelling_id: int | None
    household_id: int | None
    address: str = Field(description="现住址：小区、楼栋、单元、房号")

    @staticmethod
    def resolve_id_number_masked(obj: Any) -> str:
        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_phone_masked(obj: Any) -> str:
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_address(obj: Any) -> str:
        return str(obj.dwelling) if obj.dwelling_id else ""


class DwellingRefOut(Schema):
    id: int
    building_id: int
    estate_id: int
    unit: int
    floor: int
    number: str
    address: str

    @staticmethod
    def resolve_estate_id(obj: Any) -> int:
        return obj.building.estate_id

    @staticmethod
    def resolve_address(obj: Any) -> str:
        return str(obj)


class TagAssignmentOut(Schema):
    id: int
    code: str
    name: str
    started_on: date
    ended_on: date | None

    @staticmethod
    def resolve_code(obj: Any) -> str:
        return obj.tag.code

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return obj.tag.name


class VehicleRefOut(Schema):
    id: int
    plate: str
    kind: str


class PersonDetailOut(PersonOut):
    ethnicity: str
    residency_since: date | None
    hukou_address: str
    occupation: str
    education: str
    political_status: str
    moved_in_on: date | None
    moved_out_on: date | None
    deceased_on: date | None
    created_at: datetime
    updated_at: datetime
    dwelling: DwellingRefOut | None
    household_member_ids: list[int] = Field(description="同户成员（在您管辖范围内的）")
    tags: list[TagAssignmentOut] = Field(description="您有权查看的人群标签，含已结束的")
    vehicles: list[VehicleRefOut]


class PersonIn(Schema):
    name: str = Field(max_length=32)
    id_number: str = Field(max_length=32, description="18 位身份证号（15 位旧号自动升位）")
    phone: str = Field("", max_length=32)
    ethnicity: EthnicityCode = ""
    residency: Residency = Residency.REGISTERED
    residency_since: date | None = None
    hukou_address: str = Field("", max_length=200)
    relationship: RelationshipCode = ""
    occupation: str = Field("", max_length=64)
    education: EducationCode = ""
    political_status: PoliticalStatusCode = ""
    moved_in_on: date | None = None
    tags: list[str] = Field([], description="人群标签代码")
    dwelling_id: int | None = Field(None, description="现住房屋；与 area_id 二选一")
    area_id: int | None = Field(None, description="无固定房屋时所属的网格")


class PersonPatch(Schema):
    """Only the fields sent change. The ID number is not edited here: a corrected ID number
    is a new identity check, done in the console with the paper at hand."""

    name: str | None = Field(None, max_length=32)
    phone: str | None = Field(None, max_length=32)
    ethnicity: EthnicityCode | None = None
    residency: Residency | None = None
    residency_since: date | None = None
    hukou_address: str | None = Field(None, max_length=200)
    relationship: RelationshipCode | None = None
    occupation: str | None = Field(None, max_length=64)
    education: EducationCode | None = None
    political_status: PoliticalStatusCode | None = None
    moved_in_on: date | None = None
    tags: list[str] | None = Field(None, description="要添加的人群标签代码（已有的保留）")
    dwelling_id: int | None = Field(None, description="迁入另一房屋")


class EndResidenceIn(Schema):
    on: date = Field(description="迁出或死亡日期，不晚于今天")
    note: str = Field("", max_length=100)


class RevealOut(Schema):
    field: str
    value: str


class PersonEventOut(Schema):
    id: int
    kind: str
    kind_label: str
    on: date
    summary: str
    changes: dict[str, Any] = Field(description="字段 → [变更前, 变更后]，个人信息已脱敏")
    actor_name: str

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_actor_name(obj: Any) -> str:
        return (obj.actor.display_name or obj.actor.username) if obj.actor_id else "系统"


# --- places ---------------------------------------------------------------------------------


class EstateOut(Schema):
    id: int
    name: str
    address: str
    property_company: str
    year_built: int | None
    area_id: int
    building_count: int


class EstateDetailOut(EstateOut):
    boundary: dict[str, Any] | None


class EstateIn(Schema):
    name: str = Field(max_length=64)
    area_id: int = Field(description="所在社区")
    address: str = Field("", max_length=200)
    property_company: str = Field("", max_length=100)
    year_built: int | None = Field(None, ge=1900, le=2100)
    boundary: dict[str, Any] | None = Field(None, description="GeoJSON Polygon（WGS-84）")


class EstatePatch(Schema):
    name: str | None = Field(None, max_length=64)
    address: str | None = Field(None, max_length=200)
    property_company: str | None = Field(None, max_length=100)
    year_built: int | None = Field(None, ge=1900, le=2100)
    boundary: dict[str, Any] | None = None


class BuildingOut(Schema):
    id: int
    estate_id: int
    estate_name: str
    number: str
    units: int
    floors: int
    dwellings_per_floor: int
    lon: float | None
    lat: float | None
    area_id: int
    dwelling_count: int

    @staticmethod
    def resolve_estate_name(obj: Any) -> str:
        return obj.estate.name


class BuildingIn(Schema):
    estate_id: int
    number: str = Field(max_length=32, description="楼栋号，如 3栋")
    area_id: int | None = Field(None, description="所在网格；不填则为小区所在社区")
    units: int = Field(1, ge=1, le=MAX_UNITS)
    floors: int = Field(1, ge=1, le=MAX_FLOORS)
    dwellings_per_floor: int = Field(2, ge=1, le=MAX_DOORS_PER_FLOOR)
    lon: float | None = _lon()
    lat: float | None = _lat()


class BuildingPatch(Schema):
    number: str | None = Field(None, max_length=32)
    units: int | None = Field(None, ge=1, le=MAX_UNITS)
    floors: int | None = Field(None, ge=1, le=MAX_FLOORS)
    dwellings_per_floor: int | None = Field(None, ge=1, le=MAX_DOORS_PER_FLOOR)
    lon: float | None = _lon()
    lat: float | None = _lat()


class DoorOut(Schema):
    dwelling_id: int | None = Field(description="空位（尚未登记的房屋）为 null")
    number: str | None
    unit: int
    floor: int
    residents: int = Field(description="在住人数")
    tags: list[str] = Field(description="在住居民的人群标签（您有权查看的）")
    position: int | None = Field(
        description="本层门位：房号为楼层加两位数字时取末两位（1203 → 3），其他房号为 null"
    )

    @staticmethod
    def resolve_dwelling_id(obj: Any) -> int | None:
        return obj.dwelling.pk if obj.dwelling is not None else None

    @staticmethod
    def resolve_number(obj: Any) -> str | None:
        return obj.dwelling.number if obj.dwelling is not None else None


class FloorOut(Schema):
    floor: int
    doors: list[DoorOut] = Field(description="各单元的门，从 1 单元起并排")


class BuildingMapOut(Schema):
    building_id: int
    estate_id: int
    name: str
    units: list[int]
    floors: list[FloorOut] = Field(description="从顶层往下")
    residents: int
    dwellings: int

    @staticmethod
    def resolve_building_id(obj: Any) -> int:
        return obj.building.pk

    @staticmethod
    def resolve_estate_id(obj: Any) -> int:
        return obj.building.estate_id

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.building)

    @staticmethod
    def resolve_floors(obj: Any) -> list[dict[str, Any]]:
        return [{"floor": floor, "doors": doors} for floor, doors in obj.floors]


class DwellingOut(Schema):
    id: int
    building_id: int
    unit: int
    floor: int
    number: str
    floor_area: float | None
    usage: str
    owner_id: int | None
    area_id: int
    address: str
    resident_count: int = Field(description="在住人数")

    @staticmethod
    def resolve_address(obj: Any) -> str:
        return str(obj)


class DwellingDetailOut(DwellingOut):
    resident_ids: list[int] = Field(description="在住居民（在您管辖范围内的）")
    household_ids: list[int]


class DwellingIn(Schema):
    building_id: int
    unit: int = Field(1, ge=1, le=MAX_UNITS)
    number: str = Field(max_length=16, description="房号，如 302")
    floor: int | None = Field(None, ge=MIN_FLOOR, le=MAX_FLOORS, description="不填则按房号推算")
    floor_area: Decimal | None = Field(None, ge=0, max_digits=8, decimal_places=2)
    usage: DwellingUsage = DwellingUsage.SELF_OCCUPIED


class DwellingPatch(Schema):
    unit: int | None = Field(None, ge=1, le=MAX_UNITS)
    number: str | None = Field(None, max_length=16)
    floor: int | None = Field(None, ge=MIN_FLOOR, le=MAX_FLOORS)
    floor_area: Decimal | None = Field(None, ge=0, max_digits=8, decimal_places=2)
    usage: DwellingUsage | None = None


class HouseholdOut(Schema):
    id: int
    dwelling_id: int
    address: str
    head_id: int | None
    head_name: str
    area_id: int
    member_count: int = Field(description="在住成员数")

    @staticmethod
    def resolve_address(obj: Any) -> str:
        return str(obj.dwelling)

    @staticmethod
    def resolve_head_name(obj: Any) -> str:
        return obj.head.name if obj.head_id else ""


class HouseholdDetailOut(HouseholdOut):
    member_ids: list[int] = Field(description="成员（在您管辖范围内的，含已迁出）")


class HouseholdIn(Schema):
    dwelling_id: int
    head_id: int | None = Field(None, description="户主：须是该房屋的在住居民")


class HouseholdPatch(Schema):
    head_id: int = Field(description="新户主：须是该房屋的在住居民")


# --- vehicles, organizations, facilities ----------------------------------------------------


class VehicleOut(Schema):
    id: int
    plate: str
    kind: str
    owner_id: int | None
    note: str
    area_id: int
    created_at: datetime
    updated_at: datetime


class VehicleIn(Schema):
    plate: str = Field(max_length=16, description="号牌，如 川D12345、川DD12345")
    kind: VehicleKind | None = Field(None, description="不填则按号牌判断：8 位为新能源")
    owner_id: int | None = None
    note: str = Field("", max_length=200)
    area_id: int | None = Field(None, description="登记网格；不填则为车主所在网格")


class VehiclePatch(Schema):
    plate: str | None = Field(None, max_length=16)
    kind: VehicleKind | None = None
    owner_id: int | None = Field(None, description="null 表示解除车主")
    note: str | None = Field(None, max_length=200)
    area_id: int | None = None


class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    credit_code: str
    address: str
    contact_name: str
    contact_phone_masked: str
    lon: float | None
    lat: float | None
    area_id: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_contact_phone_masked(obj: Any) -> str:
        return mask_phone(obj.contact_phone)


class OrganizationIn(Schema):
    name: str = Field(max_length=100)
    kind: OrganizationKind
    credit_code: str = Field(max_length=32, description="18 位统一社会信用代码")
    area_id: int
    address: str = Field("", max_length=200)
    contact_name: str = Field("", max_length=32)
    contact_phone: str = Field("", max_length=32)
    lon: float | None = _lon()
    lat: float | None = _lat()


class OrganizationPatch(Schema):
    name: str | None = Field(None, max_length=100)
    kind: OrganizationKind | None = None
    credit_code: str | None = Field(None, max_length=32)
    area_id: int | None = None
    address: str | None = Field(None, max_length=200)
    contact_name: str | None = Field(None, max_length=32)
    contact_phone: str | None = Field(None, max_length=32)
    lon: float | None = _lon()
    lat: float | None = _lat()


class FacilityOut(Schema):
    id: int
    name: str
    kind: str
    address: str
    lon: float | None
    lat: float | None
    floor_area: float | None
    opening_hours: str
    area_id: int
    created_at: datetime
    updated_at: datetime


class FacilityIn(Schema):
    name: str = Field(max_length=100)
    kind: FacilityKind
    area_id: int
    address: str = Field("", max_length=200)
    lon: float | None = _lon()
    lat: float | None = _lat()
    floor_area: Decimal | None = Field(None, ge=0, max_digits=9, decimal_places=2)
    opening_hours: str = Field("", max_length=100)


class FacilityPatch(Schema):
    name: str | None = Field(None, max_length=100)
    kind: FacilityKind | None = None
    area_id: int | None = None
    address: str | None = Field(None, max_length=200)
    lon: float | None = _lon()
    lat: float | None = _lat()
    floor_area: Decimal | None = Field(None, ge=0, max_digits=9, decimal_places=2)
    opening_hours: str | None = Field(None, max_length=100)


# --- statistics -----------------------------------------------------------------------------


class AgeBandOut(Schema):
    band: str
    male: int
    female: int


class TagCountOut(Schema):
    name: str
    count: int


class AreaCountOut(Schema):
    area_id: int
    name: str
    population: int


class StatsOut(Schema):
    """Counts only: no name, number or address leaves through this endpoint."""

    area_id: int | None
    population: int = Field(description="在住人口")
    by_band: list[AgeBandOut]
    by_residency: dict[str, int]
    households: int
    dwellings: int
    vacant: int = Field(description="无人居住的房屋数")
    tags: list[TagCountOut]
    children: list[AreaCountOut] = Field(description="下级区划的在住人口")
    unplaced: int = Field(
        description="登记在本区域、未归入任何下级的在住人口（如未归入网格的楼栋）"
    )

    @staticmethod
    def resolve_area_id(obj: Any) -> int | None:
        return obj.area.pk if obj.area is not None else None

    @staticmethod
    def resolve_by_band(obj: Any) -> list[dict[str, Any]]:
        return [{"band": b, "male": m, "female": f} for b, m, f in obj.by_band]

    @staticmethod
    def resolve_tags(obj: Any) -> list[dict[str, Any]]:
        return [{"name": name, "count": n} for name, n in obj.tags]

    @staticmethod
    def resolve_children(obj: Any) -> list[dict[str, Any]]:
        return [{"area_id": a.pk, "name": a.name, "population": n} for a, n in obj.children]
