"""/api/v1/registry/…: the 社区全息档案 over JSON.

Thin handlers: every read goes through `scoped()` or a registry selector under the caller's
grants, every write through a service. A row outside the caller's scope is a 404, exactly like
a row that does not exist; an id in a request body that the caller cannot see is a 400 naming
the field. ID and phone numbers are masked in every answer except the audited reveal.

Nothing is deleted through the API. A person who leaves is moved out (or recorded as
deceased) and keeps the file; vehicles, organizations and facilities are kept too, because
cases, visits and reports refer to them and the audit log must still resolve what it names.

No `from __future__ import annotations` here: django-ninja reads the handlers' annotations at
import time (see core/api.py).
"""

import unicodedata
from collections.abc import Callable
from dataclasses import asdict, fields, replace
from typing import Any, Literal, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from shequtong.core import selectors as core_selectors
from shequtong.core import services as core_services
from shequtong.core import vault
from shequtong.core.errors import DomainError, NotFoundError
from shequtong.core.models import Area
from shequtong.core.pagination import Pages
from shequtong.core.schemas import READ, WRITE
from shequtong.core.scoping import scoped

from . import selectors, services
from .choices import PersonStatus, Residency
from .identity import parse_id_number
from .models import (
    Building,
    Dwelling,
    Estate,
    Facility,
    Household,
    Organization,
    Person,
    PersonEvent,
    PersonTag,
    Vehicle,
)
from .schemas import (
    BuildingFilter,
    BuildingIn,
    BuildingMapOut,
    BuildingOut,
    BuildingPatch,
    Detail,
    DwellingDetailOut,
    DwellingFilter,
    DwellingIn,
    DwellingOut,
    DwellingPatch,
    EndResidenceIn,
    EstateDetailOut,
    EstateFilter,
    EstateIn,
    EstateOut,
    EstatePatch,
    FacilityFilter,
    FacilityIn,
    FacilityOut,
    FacilityPatch,
    HouseholdDetailOut,
    HouseholdFilter,
    HouseholdIn,
    HouseholdOut,
    HouseholdPatch,
    OrganizationFilter,
    OrganizationIn,
    OrganizationOut,
    OrganizationPatch,
    PersonDetailOut,
    PersonEventOut,
    PersonFilter,
    PersonIn,
    PersonOut,
    PersonPatch,
    RevealOut,
    StatsOut,
    VehicleFilter,
    VehicleIn,
    VehicleOut,
    VehiclePatch,
    WithinFilter,
)
from .services import assets

router = Router(tags=["社区全息档案"])

_PAGE = 50

_T = TypeVar("_T")
_D = TypeVar("_D")


# --- shared steps ---------------------------------------------------------------------------


def _one(queryset: QuerySet[Any], request: HttpRequest, pk: int, action: str = "read") -> Any:
    """The row `pk` of `queryset` if the caller may take `action` on it, else a 404."""
    found = scoped(queryset.filter(pk=pk), request.auth, action).first()
    if found is None:
        raise NotFoundError()
    return found


def _ref(field: str, fetch: Callable[[], _T]) -> _T:
    """A row named by id in the request body: one the caller cannot see is a 400 on `field`."""
    try:
        return fetch()
    except NotFoundError as exc:
        message = "不存在或不在您的管辖范围内"
        raise DomainError("invalid", message, {field: [message]}) from exc


def _area(request: HttpRequest, pk: int, field: str = "area_id") -> Area:
    return _ref(field, lambda: core_selectors.area_get(user=request.auth, pk=pk))


def _within(request: HttpRequest, area_id: int | None) -> Area | None:
    """A list narrowed to an area of the caller's scope; an area outside it is a 404."""
    if area_id is None:
        return None
    return core_selectors.area_get(user=request.auth, pk=area_id)


def _narrow(queryset: QuerySet[Any], request: HttpRequest, area_id: int | None) -> QuerySet[Any]:
    within = _within(request, area_id)
    return queryset if within is None else queryset.filter(area_path__startswith=within.path)


def _current(cls: type[_D], obj: Any, **known: Any) -> _D:
    """The dataclass `cls` as `obj` stands now: each field read from the attribute of its name."""
    names = [f.name for f in fields(cls) if f.name not in known]  # type: ignore[arg-type]
    return cls(**{name: getattr(obj, name) for name in names}, **known)


def _merge(current: _D, patch: Schema, required: tuple[str, ...] = (), **refs: Any) -> _D:
    """`current` with the fields a PATCH body sent, and the rows its ids resolved to (`refs`).

    A null clears a text field to "" (the service then says whether it may be empty) and a
    nullable one to None; a null for a field in `required` is refused."""
    names = {f.name for f in fields(current)}  # type: ignore[arg-type]
    given = {k: v for k, v in patch.dict(exclude_unset=True).items() if k in names}
    empty = [k for k in required if k in given and given[k] is None]
    if empty:
        raise DomainError("invalid", "不能为空", {k: ["不能为空"] for k in empty})
    values = {
        k: "" if v is None and isinstance(getattr(current, k), str) else v for k, v in given.items()
    }
    return replace(current, **values, **refs)  # type: ignore[type-var]


def _revealed(response: HttpResponse, field: str, value: str) -> dict[str, str]:
    response["Cache-Control"] = "no-store"
    return {"field": field, "value": value}


# --- persons --------------------------------------------------------------------------------


def _person_data(values: dict[str, Any], check: set[str]) -> services.PersonData:
    """A PersonData from the body's values, checked as `services.PersonData` expects: the
    fields in `check` (all of them on a create, the sent ones on a PATCH) are validated, and
    every error comes back at once, each under its field."""
    errors: dict[str, list[str]] = {}
    if "name" in check:
        values["name"] = (values.get("name") or "").strip()
        if not values["name"]:
            errors["name"] = ["必填"]
    if "id_number" in check:
        try:
            values["id_number"] = parse_id_number(values["id_number"]).id_number
        except ValidationError as exc:
            errors["id_number"] = exc.messages
    if "phone" in check and values.get("phone"):
        try:
            values["phone"] = vault.validate_phone(values["phone"])
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if "residency" in check and values.get("residency") not in Residency.values:
        errors["residency"] = ["必填"]
    tags = values.get("tags") or []
    known = set(PersonTag.objects.filter(code__in=tags).values_list("code", flat=True))
    if unknown := [t for t in tags if t not in known]:
        errors["tags"] = [f"未知的人群标签：{'、'.join(unknown)}"]
    if errors:
        raise DomainError.from_fields(errors)
    values["tags"] = tags
    return services.PersonData(**values)


def _dwelling(request: HttpRequest, pk: int, action: str = "read") -> Dwelling:
    return _one(Dwelling.objects.select_related("building__estate", "area"), request, pk, action)


def _person_detail(request: HttpRequest, pk: int) -> Detail:
    file = selectors.person_file(user=request.auth, pk=pk)
    return Detail(
        file.person,
        household_member_ids=[p.pk for p in file.household],
        tags=file.tags,
        vehicles=file.vehicles,
    )


@router.get(
    "/persons",
    response={200: list[PersonOut], **READ},
    summary="居民列表（可按姓名、拼音、证件/电话后四位、地址、车牌搜索）",
)
@paginate(Pages, page_size=_PAGE)
def person_list(request: HttpRequest, filters: Query[PersonFilter]) -> Any:
    people = selectors.person_search(
        user=request.auth,
        q=filters.q or "",
        include_inactive=filters.include_inactive or filters.status is not None,
        tag=filters.tag or None,
        within=_within(request, filters.area_id),
    )
    if filters.status is not None:
        people = people.filter(status=filters.status)
    return people.select_related("dwelling__building__estate").order_by(
        "area_path", "name_pinyin", "pk"
    )


@router.post("/persons", response={201: PersonDetailOut, **WRITE}, summary="新建居民档案")
def person_create(request: HttpRequest, payload: PersonIn) -> Any:
    dwelling = (
        _ref("dwelling_id", lambda: _dwelling(request, payload.dwelling_id))
        if payload.dwelling_id is not None
        else None
    )
    area = (
        _area(request, payload.area_id)
        if dwelling is None and payload.area_id is not None
        else None
    )
    if dwelling is None and area is None:
        message = "请指定现住房屋（dwelling_id）或所属网格（area_id）"
        raise DomainError("invalid", message, {"dwelling_id": [message]})
    values = payload.dict(exclude={"dwelling_id", "area_id"})
    data = _person_data(values, check=set(values))
    person = services.person_create(actor=request.auth, data=data, dwelling=dwelling, area=area)
    return Status(201, _person_detail(request, person.pk))


@router.get(
    "/persons/{person_id}",
    response={200: PersonDetailOut, **READ},
    summary="居民档案详情（同户成员、人群标签、现住房屋、车辆）",
)
def person_detail(request: HttpRequest, person_id: int) -> Any:
    return _person_detail(request, person_id)


@router.patch(
    "/persons/{person_id}",
    response={200: PersonDetailOut, **WRITE},
    summary="修改居民档案（只改所传字段，变更记入档案时间线）",
)
def person_update(request: HttpRequest, person_id: int, payload: PersonPatch) -> Any:
    person = selectors.person_get(user=request.auth, pk=person_id, action="change")
    given = payload.dict(exclude_unset=True)
    dwelling_id = given.pop("dwelling_id", None)
    dwelling = (
        _ref("dwelling_id", lambda: _dwelling(request, dwelling_id, "change"))
        if dwelling_id is not None
        else None
    )
    current = _current(services.PersonData, person, tags=[])
    data = _person_data(asdict(_merge(current, payload)), check=set(given))
    services.person_update(actor=request.auth, person=person, data=data, dwelling=dwelling)
    return _person_detail(request, person.pk)


@router.post(
    "/persons/{person_id}/move-out",
    response={200: PersonDetailOut, **WRITE},
    summary="登记迁出（档案保留，状态改为已迁出）",
)
def person_move_out(request: HttpRequest, person_id: int, payload: EndResidenceIn) -> Any:
    person = selectors.person_get(user=request.auth, pk=person_id, action="change")
    services.person_move_out(actor=request.auth, person=person, on=payload.on, note=payload.note)
    return _person_detail(request, person.pk)


@router.post(
    "/persons/{person_id}/decease",
    response={200: PersonDetailOut, **WRITE},
    summary="登记死亡（档案保留，状态改为已故）",
)
def person_decease(request: HttpRequest, person_id: int, payload: EndResidenceIn) -> Any:
    person = selectors.person_get(user=request.auth, pk=person_id, action="change")
    services.person_decease(actor=request.auth, person=person, on=payload.on, note=payload.note)
    return _person_detail(request, person.pk)


@router.post(
    "/persons/{person_id}/reveal/{field}",
    response={200: RevealOut, **WRITE},
    summary="查看完整身份证号或电话（需授权，记入审计日志）",
)
def person_reveal(
    request: HttpRequest,
    response: HttpResponse,
    person_id: int,
    field: Literal["id_number", "phone"],
) -> Any:
    person = selectors.person_get(user=request.auth, pk=person_id)
    value = core_services.pii_reveal(actor=request.auth, obj=person, field=field)
    return _revealed(response, field, value)


@router.get(
    "/persons/{person_id}/timeline",
    response={200: list[PersonEventOut], **READ},
    summary="居民档案变更记录（新的在前）",
)
@paginate(Pages, page_size=_PAGE)
def person_timeline(request: HttpRequest, person_id: int) -> Any:
    person = selectors.person_get(user=request.auth, pk=person_id)
    return scoped(
        PersonEvent.objects.filter(person=person).select_related("actor"), request.auth, "read"
    )


# --- estates --------------------------------------------------------------------------------


def _estates(request: HttpRequest) -> QuerySet[Estate]:
    return selectors.estate_list(user=request.auth)


@router.get("/estates", response={200: list[EstateOut], **READ}, summary="小区列表")
@paginate(Pages, page_size=_PAGE)
def estate_list(request: HttpRequest, filters: Query[EstateFilter]) -> Any:
    estates = selectors.estate_list(user=request.auth, within=_within(request, filters.area_id))
    return estates.filter(name__contains=filters.q) if filters.q else estates


@router.get("/estates/{estate_id}", response={200: EstateDetailOut, **READ}, summary="小区详情")
def estate_detail(request: HttpRequest, estate_id: int) -> Any:
    return _one(_estates(request), request, estate_id)


@router.post("/estates", response={201: EstateDetailOut, **WRITE}, summary="新建小区")
def estate_create(request: HttpRequest, payload: EstateIn) -> Any:
    community = _area(request, payload.area_id)
    data = assets.EstateData(**payload.dict(exclude={"area_id"}))
    estate = assets.estate_create(actor=request.auth, community=community, data=data)
    return Status(201, _one(_estates(request), request, estate.pk))


@router.patch("/estates/{estate_id}", response={200: EstateDetailOut, **WRITE}, summary="修改小区")
def estate_update(request: HttpRequest, estate_id: int, payload: EstatePatch) -> Any:
    estate = _one(Estate.objects.all(), request, estate_id, "change")
    current = _current(assets.EstateData, estate)
    assets.estate_update(actor=request.auth, estate=estate, data=_merge(current, payload))
    return _one(_estates(request), request, estate.pk)


# --- buildings ------------------------------------------------------------------------------


def _buildings(request: HttpRequest) -> QuerySet[Building]:
    return selectors.building_list(user=request.auth)


@router.get("/buildings", response={200: list[BuildingOut], **READ}, summary="楼栋列表")
@paginate(Pages, page_size=_PAGE)
def building_list(request: HttpRequest, filters: Query[BuildingFilter]) -> Any:
    buildings = selectors.building_list(user=request.auth, within=_within(request, filters.area_id))
    if filters.estate_id is not None:
        buildings = buildings.filter(estate_id=filters.estate_id)
    return buildings


@router.get("/buildings/{building_id}", response={200: BuildingOut, **READ}, summary="楼栋详情")
def building_detail(request: HttpRequest, building_id: int) -> Any:
    return _one(_buildings(request), request, building_id)


@router.get(
    "/buildings/{building_id}/map",
    response={200: BuildingMapOut, **READ},
    summary="楼栋图：各层各单元的房屋、在住人数和人群标签",
)
def building_map(request: HttpRequest, building_id: int) -> Any:
    return selectors.building_map(user=request.auth, pk=building_id)


@router.post("/buildings", response={201: BuildingOut, **WRITE}, summary="新建楼栋")
def building_create(request: HttpRequest, payload: BuildingIn) -> Any:
    estate = _ref(
        "estate_id", lambda: _one(Estate.objects.select_related("area"), request, payload.estate_id)
    )
    area = _area(request, payload.area_id) if payload.area_id is not None else None
    data = assets.BuildingData(**payload.dict(exclude={"estate_id", "area_id"}))
    building = assets.building_create(actor=request.auth, estate=estate, area=area, data=data)
    return Status(201, _one(_buildings(request), request, building.pk))


@router.patch("/buildings/{building_id}", response={200: BuildingOut, **WRITE}, summary="修改楼栋")
def building_update(request: HttpRequest, building_id: int, payload: BuildingPatch) -> Any:
    building = _one(Building.objects.select_related("estate"), request, building_id, "change")
    data = _merge(
        _current(assets.BuildingData, building),
        payload,
        required=("units", "floors", "dwellings_per_floor"),
    )
    assets.building_update(actor=request.auth, building=building, data=data)
    return _one(_buildings(request), request, building.pk)


# --- dwellings ------------------------------------------------------------------------------


def _dwellings(request: HttpRequest) -> QuerySet[Dwelling]:
    return scoped(
        Dwelling.objects.select_related("building__estate").annotate(
            resident_count=Count("residents", filter=Q(residents__status=PersonStatus.ACTIVE))
        ),
        request.auth,
        "read",
    )


def _dwelling_detail(request: HttpRequest, pk: int) -> Detail:
    dwelling = _one(_dwellings(request), request, pk)
    residents = Person.objects.filter(dwelling=dwelling, status=PersonStatus.ACTIVE)
    households = Household.objects.filter(dwelling=dwelling)
    return Detail(
        dwelling,
        resident_ids=list(scoped(residents, request.auth, "read").values_list("pk", flat=True)),
        household_ids=list(scoped(households, request.auth, "read").values_list("pk", flat=True)),
    )


@router.get("/dwellings", response={200: list[DwellingOut], **READ}, summary="房屋列表")
@paginate(Pages, page_size=_PAGE)
def dwelling_list(request: HttpRequest, filters: Query[DwellingFilter]) -> Any:
    dwellings = _narrow(_dwellings(request), request, filters.area_id)
    if filters.building_id is not None:
        building = selectors.building_get(user=request.auth, pk=filters.building_id)
        dwellings = dwellings.filter(building=building)
    return dwellings.order_by("building_id", "unit", "floor", "number", "pk")


@router.get(
    "/dwellings/{dwelling_id}",
    response={200: DwellingDetailOut, **READ},
    summary="房屋详情（在住居民、户）",
)
def dwelling_detail(request: HttpRequest, dwelling_id: int) -> Any:
    return _dwelling_detail(request, dwelling_id)


@router.post("/dwellings", response={201: DwellingDetailOut, **WRITE}, summary="新建房屋")
def dwelling_create(request: HttpRequest, payload: DwellingIn) -> Any:
    building = _ref(
        "building_id", lambda: selectors.building_get(user=request.auth, pk=payload.building_id)
    )
    data = assets.DwellingData(**payload.dict(exclude={"building_id"}))
    dwelling = assets.dwelling_create(actor=request.auth, building=building, data=data)
    return Status(201, _dwelling_detail(request, dwelling.pk))


@router.patch(
    "/dwellings/{dwelling_id}",
    response={200: DwellingDetailOut, **WRITE},
    summary="修改房屋（单元、房号、楼层、面积、用途）",
)
def dwelling_update(request: HttpRequest, dwelling_id: int, payload: DwellingPatch) -> Any:
    dwelling = _dwelling(request, dwelling_id, "change")
    current = _current(assets.DwellingData, dwelling)
    data = _merge(current, payload, required=("unit", "usage"))
    assets.dwelling_update(actor=request.auth, dwelling=dwelling, data=data)
    return _dwelling_detail(request, dwelling.pk)


# --- households -----------------------------------------------------------------------------


def _households(request: HttpRequest) -> QuerySet[Household]:
    return scoped(
        Household.objects.select_related("dwelling__building__estate", "head").annotate(
            member_count=Count("members", filter=Q(members__status=PersonStatus.ACTIVE))
        ),
        request.auth,
        "read",
    )


def _household_detail(request: HttpRequest, pk: int) -> Detail:
    household = _one(_households(request), request, pk)
    members = scoped(Person.objects.filter(household=household), request.auth, "read")
    return Detail(household, member_ids=list(members.values_list("pk", flat=True)))


def _head(request: HttpRequest, pk: int) -> Person:
    return _ref("head_id", lambda: selectors.person_get(user=request.auth, pk=pk))


@router.get("/households", response={200: list[HouseholdOut], **READ}, summary="户列表")
@paginate(Pages, page_size=_PAGE)
def household_list(request: HttpRequest, filters: Query[HouseholdFilter]) -> Any:
    households = _narrow(_households(request), request, filters.area_id)
    if filters.dwelling_id is not None:
        households = households.filter(dwelling=_dwelling(request, filters.dwelling_id))
    return households.order_by("dwelling_id", "pk")


@router.get(
    "/households/{household_id}",
    response={200: HouseholdDetailOut, **READ},
    summary="户详情（户主、成员）",
)
def household_detail(request: HttpRequest, household_id: int) -> Any:
    return _household_detail(request, household_id)


@router.post("/households", response={201: HouseholdDetailOut, **WRITE}, summary="立户")
def household_create(request: HttpRequest, payload: HouseholdIn) -> Any:
    dwelling = _ref("dwelling_id", lambda: _dwelling(request, payload.dwelling_id))
    head = _head(request, payload.head_id) if payload.head_id is not None else None
    household = assets.household_create(actor=request.auth, dwelling=dwelling, head=head)
    return Status(201, _household_detail(request, household.pk))


@router.patch(
    "/households/{household_id}",
    response={200: HouseholdDetailOut, **WRITE},
    summary="变更户主",
)
def household_update(request: HttpRequest, household_id: int, payload: HouseholdPatch) -> Any:
    household = _one(Household.objects.all(), request, household_id, "change")
    head = _head(request, payload.head_id)
    assets.household_update(actor=request.auth, household=household, head=head)
    return _household_detail(request, household.pk)


# --- vehicles -------------------------------------------------------------------------------


def _owner(request: HttpRequest, pk: int) -> Person:
    return _ref("owner_id", lambda: selectors.person_get(user=request.auth, pk=pk))


@router.get("/vehicles", response={200: list[VehicleOut], **READ}, summary="车辆列表")
@paginate(Pages, page_size=_PAGE)
def vehicle_list(request: HttpRequest, filters: Query[VehicleFilter]) -> Any:
    vehicles = _narrow(
        scoped(Vehicle.objects.all(), request.auth, "read"), request, filters.area_id
    )
    if filters.q:
        plate = unicodedata.normalize("NFKC", filters.q).upper().replace("·", "").replace(" ", "")
        vehicles = vehicles.filter(plate__contains=plate)
    if filters.kind:
        vehicles = vehicles.filter(kind=filters.kind)
    if filters.owner_id is not None:
        vehicles = vehicles.filter(owner_id=filters.owner_id)
    return vehicles.order_by("plate")


@router.get("/vehicles/{vehicle_id}", response={200: VehicleOut, **READ}, summary="车辆详情")
def vehicle_detail(request: HttpRequest, vehicle_id: int) -> Any:
    return _one(Vehicle.objects.all(), request, vehicle_id)


@router.post("/vehicles", response={201: VehicleOut, **WRITE}, summary="登记车辆")
def vehicle_create(request: HttpRequest, payload: VehicleIn) -> Any:
    owner = _owner(request, payload.owner_id) if payload.owner_id is not None else None
    if payload.area_id is not None:
        area = _area(request, payload.area_id)
    elif owner is not None:
        area = owner.area
    else:
        message = "请指定登记网格（area_id）或车主（owner_id）"
        raise DomainError("invalid", message, {"area_id": [message]})
    data = assets.VehicleData(
        plate=payload.plate, area=area, kind=payload.kind, owner=owner, note=payload.note
    )
    return Status(201, assets.vehicle_create(actor=request.auth, data=data))


@router.patch("/vehicles/{vehicle_id}", response={200: VehicleOut, **WRITE}, summary="修改车辆")
def vehicle_update(request: HttpRequest, vehicle_id: int, payload: VehiclePatch) -> Any:
    vehicle = _one(Vehicle.objects.select_related("owner", "area"), request, vehicle_id, "change")
    given = payload.dict(exclude_unset=True)
    refs: dict[str, Any] = {}
    if "owner_id" in given:
        refs["owner"] = _owner(request, given["owner_id"]) if given["owner_id"] else None
    if given.get("area_id") is not None:
        refs["area"] = _area(request, given["area_id"])
    data = _merge(_current(assets.VehicleData, vehicle), payload, required=("plate",), **refs)
    return assets.vehicle_update(actor=request.auth, vehicle=vehicle, data=data)


# --- organizations --------------------------------------------------------------------------


@router.get(
    "/organizations",
    response={200: list[OrganizationOut], **READ},
    summary="驻区单位、社会组织、商家列表",
)
@paginate(Pages, page_size=_PAGE)
def organization_list(request: HttpRequest, filters: Query[OrganizationFilter]) -> Any:
    organizations = _narrow(
        scoped(Organization.objects.all(), request.auth, "read"), request, filters.area_id
    )
    if filters.q:
        organizations = organizations.filter(
            Q(name__contains=filters.q) | Q(credit_code=filters.q.strip().upper())
        )
    if filters.kind:
        organizations = organizations.filter(kind=filters.kind)
    return organizations.order_by("area_path", "name", "pk")


@router.get(
    "/organizations/{organization_id}",
    response={200: OrganizationOut, **READ},
    summary="组织详情",
)
def organization_detail(request: HttpRequest, organization_id: int) -> Any:
    return _one(Organization.objects.all(), request, organization_id)


@router.post("/organizations", response={201: OrganizationOut, **WRITE}, summary="登记组织")
def organization_create(request: HttpRequest, payload: OrganizationIn) -> Any:
    area = _area(request, payload.area_id)
    data = assets.OrganizationData(**payload.dict(exclude={"area_id"}), area=area)
    return Status(201, assets.organization_create(actor=request.auth, data=data))


@router.patch(
    "/organizations/{organization_id}",
    response={200: OrganizationOut, **WRITE},
    summary="修改组织",
)
def organization_update(
    request: HttpRequest, organization_id: int, payload: OrganizationPatch
) -> Any:
    organization = _one(
        Organization.objects.select_related("area"), request, organization_id, "change"
    )
    refs: dict[str, Any] = {}
    if payload.area_id is not None:
        refs["area"] = _area(request, payload.area_id)
    current = _current(assets.OrganizationData, organization)
    data = _merge(current, payload, required=("kind",), **refs)
    return assets.organization_update(actor=request.auth, organization=organization, data=data)


@router.post(
    "/organizations/{organization_id}/reveal/{field}",
    response={200: RevealOut, **WRITE},
    summary="查看组织的完整联系电话（需授权，记入审计日志）",
)
def organization_reveal(
    request: HttpRequest,
    response: HttpResponse,
    organization_id: int,
    field: Literal["contact_phone"],
) -> Any:
    organization = _one(Organization.objects.select_related("area"), request, organization_id)
    value = core_services.pii_reveal(actor=request.auth, obj=organization, field=field)
    return _revealed(response, field, value)


# --- facilities -----------------------------------------------------------------------------


@router.get("/facilities", response={200: list[FacilityOut], **READ}, summary="设施列表")
@paginate(Pages, page_size=_PAGE)
def facility_list(request: HttpRequest, filters: Query[FacilityFilter]) -> Any:
    facilities = _narrow(
        scoped(Facility.objects.all(), request.auth, "read"), request, filters.area_id
    )
    if filters.q:
        facilities = facilities.filter(Q(name__contains=filters.q) | Q(address__contains=filters.q))
    if filters.kind:
        facilities = facilities.filter(kind=filters.kind)
    return facilities.order_by("area_path", "kind", "name", "pk")


@router.get("/facilities/{facility_id}", response={200: FacilityOut, **READ}, summary="设施详情")
def facility_detail(request: HttpRequest, facility_id: int) -> Any:
    return _one(Facility.objects.all(), request, facility_id)


@router.post("/facilities", response={201: FacilityOut, **WRITE}, summary="登记设施")
def facility_create(request: HttpRequest, payload: FacilityIn) -> Any:
    area = _area(request, payload.area_id)
    data = assets.FacilityData(**payload.dict(exclude={"area_id"}), area=area)
    return Status(201, assets.facility_create(actor=request.auth, data=data))


@router.patch("/facilities/{facility_id}", response={200: FacilityOut, **WRITE}, summary="修改设施")
def facility_update(request: HttpRequest, facility_id: int, payload: FacilityPatch) -> Any:
    facility = _one(Facility.objects.select_related("area"), request, facility_id, "change")
    refs: dict[str, Any] = {}
    if payload.area_id is not None:
        refs["area"] = _area(request, payload.area_id)
    current = _current(assets.FacilityData, facility)
    data = _merge(current, payload, required=("kind",), **refs)
    return assets.facility_update(actor=request.auth, facility=facility, data=data)


# --- statistics -----------------------------------------------------------------------------


@router.get(
    "/stats",
    response={200: StatsOut, **READ},
    summary="人口统计（只有数字：年龄段、人员类型、户数、房屋、人群标签）",
)
def stats(request: HttpRequest, filters: Query[WithinFilter]) -> Any:
    return selectors.area_stats(user=request.auth, within=_within(request, filters.area_id))
