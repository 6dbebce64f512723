"""Scoped reads of the registry: search, the person file, the building map, area statistics."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from natsort import natsorted

from shequtong.core.choices import AreaLevel
from shequtong.core.errors import NotFoundError
from shequtong.core.models import Area, User, community_path
from shequtong.core.public import name_candidates
from shequtong.core.scoping import can_in_area, scoped
from shequtong.core.vault import normalize_phone

from .choices import PersonStatus
from .identity import normalize_plate
from .models import (
    Building,
    Dwelling,
    Estate,
    Household,
    ImportJob,
    Person,
    PersonEvent,
    PersonTag,
    PersonTagAssignment,
    Vehicle,
)
from .models.places import MAX_DOORS_PER_FLOOR, MAX_FLOORS, MAX_UNITS

_ASCII_WORD = re.compile(r"[a-z]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def person_search(
    *,
    user: User,
    q: str = "",
    action: str = "read",
    include_inactive: bool = False,
    tag: str | None = None,
    within: Area | None = None,
) -> QuerySet[Person]:
    """What staff type into one box: 张三, zhangsan, zs, 1234 (the last four of an ID or a
    phone), a full phone or ID number, an address (杨家坪小区3栋), a plate (川A12345)."""
    people = scoped(Person.objects.all(), user, action)
    if within is not None:
        people = people.filter(area_path__startswith=within.path)
    if not include_inactive:
        people = people.filter(status=PersonStatus.ACTIVE)
    if tag:
        people = people.filter(
            pk__in=visible_tag_assignments(user=user)
            .filter(tag__code=tag, ended_on__isnull=True)
            .values("person")
        )
    q = q.strip()
    if q:
        people = people.filter(_match(q))
    return people


def _match(q: str) -> Q:
    lowered = q.lower().replace(" ", "")
    digits = normalize_phone(q)
    if digits and len(digits) == len(re.sub(r"\s", "", q)):
        if len(digits) == 4:  # the last four of an ID or a phone, or a door (1203)
            return Q(id_last4=digits) | Q(phone_last4=digits) | _doors_numbered(digits)
        if len(digits) == 11:
            return Q(phone_hash=Person._meta.get_field("phone_hash").lookup_value(digits))
        if len(digits) == 3:
            return _doors_numbered(digits)
    if re.fullmatch(r"[0-9]{17}[0-9xX]|[0-9]{15}", q.strip()):
        return Q(id_hash=Person._meta.get_field("id_hash").lookup_value(q.strip()))
    if re.fullmatch(r"[0-9]{3}[0-9xX]", q):
        return Q(id_last4=q.upper())
    if _ASCII_WORD.fullmatch(lowered):
        return Q(name_initials__startswith=lowered) | Q(name_pinyin__startswith=lowered)
    try:
        plate = normalize_plate(q)
    except Exception:
        plate = None
    if plate:
        return Q(pk__in=Vehicle.objects.filter(plate=plate).values("owner"))
    if _CJK.search(q) and not re.search(r"[0-9栋单元室号幢楼-]", q):
        # A surname first (an index serves it on a million rows), or an estate's name. The
        # estates are few: asked first, so a name that is no estate's keeps its index alone.
        estates = list(Estate.objects.filter(name__contains=q.strip()).values_list("pk")[:50])
        if not estates:
            return Q(name__startswith=q)
        return Q(name__startswith=q) | Q(dwelling__building__estate__in=[e for (e,) in estates])
    return _address(q)


def _doors_numbered(number: str) -> Q:
    """The people behind doors with this plate, by the doors' ids (looked up first on the
    plate's index), so the people's own indexes still serve the rest of the search."""
    doors = [pk for (pk,) in Dwelling.objects.filter(number=number).values_list("pk")[:2000]]
    return Q(dwelling__in=doors) if doors else Q(pk__in=[])


# 2-1-1203, 2－1－1203室: building, unit and door, as grid workers write them on a phone.
_DASHED_DOOR = re.compile(r"([0-9A-Za-z]+)\s*[-－—]\s*(\d+)\s*[-－—]\s*(\d{1,5})\s*室?")


def _address(q: str) -> Q:
    """滨江花园 3栋 2单元 302, 3号楼2单元302室 or 3-2-302: each part narrows; a bare word
    matches the estate's name."""
    condition = Q()
    rest = q
    if match := _DASHED_DOOR.search(rest):
        building, unit, room = match.groups()
        condition &= Q(
            dwelling__building__number=f"{building}栋",
            dwelling__unit=int(unit),
            dwelling__number=room,
        )
        rest = rest.replace(match.group(0), " ")
    if match := re.search(r"(\d+)\s*单元", rest):
        condition &= Q(dwelling__unit=int(match.group(1)))
        rest = rest.replace(match.group(0), " ")
    if match := re.search(r"([0-9A-Za-z]+)\s*(栋|号楼|幢)", rest):
        condition &= Q(dwelling__building__number=f"{match.group(1)}栋")
        rest = rest.replace(match.group(0), " ")
    if match := re.search(r"(\d{3,4})\s*[室号]?", rest):
        condition &= Q(dwelling__number=match.group(1))
        rest = rest.replace(match.group(0), " ")
    words = rest.split()
    for word in words:
        condition &= Q(dwelling__building__estate__name__contains=word) | Q(
            hukou_address__contains=word
        )
    return condition


def person_get(*, user: User, pk: int, action: str = "read") -> Person:
    person = (
        scoped(Person.objects.filter(pk=pk), user, action)
        .select_related("dwelling__building__estate", "household__head", "area")
        .first()
    )
    if person is None:
        raise NotFoundError()
    return person


def visible_tag_assignments(*, user: User) -> QuerySet[PersonTagAssignment]:
    """Ordinary tags where the user may read; sensitive ones only under a `reveal` grant."""
    readable = scoped(PersonTagAssignment.objects.all(), user, "read")
    revealable = scoped(PersonTagAssignment.objects.all(), user, "reveal")
    return readable.filter(Q(tag__sensitive=False) | Q(pk__in=revealable.values("pk")))


def tag_catalogue(*, user: User, area: Area | None = None) -> list[PersonTag]:
    tags = list(PersonTag.objects.all())
    path = area.path if area else None
    return [
        t
        for t in tags
        if not t.sensitive
        or (path and can_in_area(user, "reveal", PersonTagAssignment, path))
        or (path is None and user.is_superuser)
    ]


@dataclass
class PersonFile:
    """全息档案: everything one page shows about one person, each part read under its grant."""

    person: Person
    tags: list[PersonTagAssignment]
    household: list[Person]
    events: list[PersonEvent]
    vehicles: list[Vehicle]


def person_file(*, user: User, pk: int) -> PersonFile:
    person = person_get(user=user, pk=pk)
    tags = list(
        visible_tag_assignments(user=user)
        .filter(person=person)
        .select_related("tag")
        .order_by("ended_on", "-started_on")
    )
    household = (
        list(
            scoped(Person.objects.filter(household=person.household_id), user, "read").order_by(
                "relationship", "birth_date"
            )
        )
        if person.household_id
        else []
    )
    events = list(scoped(person.events.select_related("actor"), user, "read")[:200])
    vehicles = list(scoped(person.vehicles.all(), user, "read"))
    return PersonFile(person, tags, household, events, vehicles)


# --- the building map -----------------------------------------------------------------------


@dataclass
class Door:
    dwelling: Dwelling | None
    unit: int
    floor: int
    residents: int = 0
    tags: list[str] = field(default_factory=list)
    position: int | None = None  # the door's place on its floor: 03 of 1203


@dataclass
class BuildingMap:
    """楼栋图: floors from the top down, each row the doors of every unit side by side, each
    door in its unit's column for its position, so 1203 sits above 1103 on every phone."""

    building: Building
    units: list[int]
    widths: list[int]  # door columns of each unit, as `units`
    floors: list[tuple[int, list[Door]]]
    residents: int
    dwellings: int

    @property
    def heads(self) -> list[tuple[int, int]]:
        return list(zip(self.units, self.widths, strict=True))


def door_position(dwelling: Dwelling) -> int | None:
    """The last two digits of a plate that is the floor then two digits (1203 on floor 12 is
    03); other plates (商铺1, 12A) have no position and take the columns after the numbered."""
    number = dwelling.number
    if not (number.isascii() and number.isdigit() and len(number) > 2):
        return None
    if int(number[:-2]) != dwelling.floor or int(number[-2:]) == 0:
        return None
    return int(number[-2:])


def building_get(*, user: User, pk: int) -> Building:
    building = (
        scoped(Building.objects.filter(pk=pk), user, "read")
        .select_related("estate", "area")
        .first()
    )
    if building is None:
        raise NotFoundError()
    return building


def building_map(*, user: User, pk: int) -> BuildingMap:
    building = building_get(user=user, pk=pk)
    dwellings = list(
        scoped(Dwelling.objects.filter(building=building), user, "read").annotate(
            people=Count("residents", filter=Q(residents__status=PersonStatus.ACTIVE))
        )
    )
    badges: dict[int, set[str]] = {}
    for dwelling_id, tag_name in (
        visible_tag_assignments(user=user)
        .filter(person__dwelling__building=building, ended_on__isnull=True)
        .values_list("person__dwelling_id", "tag__name")
    ):
        badges.setdefault(dwelling_id, set()).add(tag_name)

    def door(d: Dwelling, position: int | None) -> Door:
        return Door(d, d.unit, d.floor, d.people, sorted(badges.get(d.pk, ())), position)

    placed: dict[tuple[int, int, int], Dwelling] = {}  # (unit, floor, position)
    loose: dict[tuple[int, int], list[Dwelling]] = {}  # (unit, floor): plates with no position
    for dwelling in sorted(dwellings, key=lambda d: d.number):
        position = door_position(dwelling)
        key = (dwelling.unit, dwelling.floor, position or 0)
        if position is None or key in placed:
            loose.setdefault((dwelling.unit, dwelling.floor), []).append(dwelling)
        else:
            placed[key] = dwelling
    # Bounded by what is stored: the doors there are, and the building's declared size only
    # within what a building can be (a row written before the limits cannot blow the map up).
    declared = min(building.dwellings_per_floor, MAX_DOORS_PER_FLOOR)
    units = sorted({*range(1, min(building.units, MAX_UNITS) + 1), *(d.unit for d in dwellings)})
    stored_floors = {*range(1, min(building.floors, MAX_FLOORS) + 1), *(d.floor for d in dwellings)}
    columns = {
        unit: sorted({*range(1, declared + 1), *(p for u, _, p in placed if u == unit)})
        for unit in units
    }
    extra = {
        unit: max([0, *(len(here) for (u, _), here in loose.items() if u == unit)])
        for unit in units
    }
    floors = []
    for floor in sorted(stored_floors, reverse=True):
        doors = []
        for unit in units:
            for position in columns[unit]:
                here = placed.get((unit, floor, position))
                doors.append(door(here, position) if here else Door(None, unit, floor))
            rest = loose.get((unit, floor), [])
            doors += [door(d, None) for d in rest]
            doors += [Door(None, unit, floor) for _ in range(extra[unit] - len(rest))]
        floors.append((floor, doors))
    return BuildingMap(
        building=building,
        units=units,
        widths=[len(columns[unit]) + extra[unit] for unit in units],
        floors=floors,
        residents=sum(d.people for d in dwellings),
        dwellings=len(dwellings),
    )


def building_list(
    *, user: User, within: Area | None = None, unplaced: bool = False
) -> QuerySet[Building]:
    """`unplaced`: only the buildings still filed under a community, which no grid worker
    walks (an imported ledger's, until they are placed in grids)."""
    buildings = scoped(Building.objects.all(), user, "read").select_related("estate", "area")
    if within is not None:
        buildings = buildings.filter(area_path__startswith=within.path)
    if unplaced:
        buildings = buildings.filter(area__level=AreaLevel.COMMUNITY)
    return buildings.annotate(
        dwelling_count=Count("dwellings", distinct=True),
        resident_count=Count(
            "dwellings__residents",
            filter=Q(dwellings__residents__status=PersonStatus.ACTIVE),
            distinct=True,
        ),
    ).order_by("estate__name", "number")


def placeable_grids(*, user: User, within: Area | None = None) -> list[Area]:
    """The grids this user may put buildings in, in natural order (第2网格 before 第10网格):
    those of communities where they may change buildings, since an unplaced building is
    filed under its community (a grid worker of one grid places none)."""
    grids = scoped(Area.objects.filter(level=AreaLevel.GRID), user, "read").select_related("parent")
    if within is not None:
        grids = grids.filter(path__startswith=within.path)
    mine = [g for g in grids if g.parent and can_in_area(user, "change", Building, g.parent.path)]
    return natsorted(mine, key=lambda g: (g.parent.name if g.parent else "", g.name))


def estate_list(*, user: User, within: Area | None = None) -> QuerySet[Estate]:
    estates = scoped(Estate.objects.all(), user, "read")
    if within is not None:
        estates = estates.filter(area_path__startswith=within.path)
    return estates.annotate(
        building_count=Count("buildings"),
        unplaced_count=Count("buildings", filter=Q(buildings__area__level=AreaLevel.COMMUNITY)),
    ).order_by("area_path", "name")


# --- statistics -----------------------------------------------------------------------------

AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("0–6岁", 0, 6),
    ("7–17岁", 7, 17),
    ("18–34岁", 18, 34),
    ("35–59岁", 35, 59),
    ("60–79岁", 60, 79),
    ("80岁以上", 80, 200),
)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _born_between(oldest: int, youngest: int, today: date) -> Q:
    """Born so that the age today is in [youngest, oldest]."""
    latest = _years_before(today, youngest)
    earliest = _years_before(today, oldest + 1)
    return Q(birth_date__gt=earliest, birth_date__lte=latest)


@dataclass
class AreaStats:
    area: Area | None
    population: int
    by_band: list[tuple[str, int, int]]  # band, men, women
    by_residency: dict[str, int]
    households: int
    dwellings: int
    vacant: int
    tags: list[tuple[str, int]]
    children: list[tuple[Area, int]]
    unplaced: int  # filed under the area itself, in none of its children (so none is missed)


def area_stats(*, user: User, within: Area | None = None) -> AreaStats:
    """Counted under the `count` grant: departments and auditors see numbers, not names."""
    today = timezone.localdate()
    people = scoped(Person.objects.filter(status=PersonStatus.ACTIVE), user, "count")
    dwellings = scoped(Dwelling.objects.all(), user, "count")
    households = scoped(Household.objects.all(), user, "count")
    if within is not None:
        people = people.filter(area_path__startswith=within.path)
        dwellings = dwellings.filter(area_path__startswith=within.path)
        households = households.filter(area_path__startswith=within.path)
    aggregates = {}
    for label, youngest, oldest in AGE_BANDS:
        span = _born_between(oldest, youngest, today)
        aggregates[f"{label}|male"] = Count("pk", filter=span & Q(gender="male"))
        aggregates[f"{label}|female"] = Count("pk", filter=span & Q(gender="female"))
    counts = people.aggregate(total=Count("pk"), **aggregates)
    by_band = [
        (label, counts[f"{label}|male"], counts[f"{label}|female"]) for label, _, _ in AGE_BANDS
    ]
    by_residency = dict(people.values_list("residency").annotate(n=Count("pk")))
    tags = list(
        visible_tag_assignments(user=user)
        .filter(ended_on__isnull=True, person__in=people)
        .values_list("tag__name")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    children: list[tuple[Area, int]] = []
    unplaced = 0
    if within is not None:
        # One GROUP BY over the paths in use, summed under each child, not a COUNT per child.
        by_path = dict(people.order_by().values_list("area_path").annotate(n=Count("pk")))
        for child in natsorted(Area.objects.filter(parent=within), key=lambda a: a.name):
            n = sum(v for path, v in by_path.items() if path.startswith(child.path))
            children.append((child, n))
        unplaced = by_path.get(within.path, 0)
    return AreaStats(
        area=within,
        population=counts["total"],
        by_band=by_band,
        by_residency=by_residency,
        households=households.filter(members__status=PersonStatus.ACTIVE).distinct().count(),
        dwellings=dwellings.count(),
        vacant=dwellings.filter(residents__isnull=True).count(),
        tags=tags,
        children=children,
        unplaced=unplaced,
    )


def import_jobs(*, user: User) -> QuerySet[ImportJob]:
    return scoped(ImportJob.objects.all(), user, "read").select_related("area", "created_by")


def import_job_get(*, user: User, pk: int, action: str = "read") -> ImportJob:
    job = scoped(ImportJob.objects.filter(pk=pk), user, action).select_related("area").first()
    if job is None:
        raise NotFoundError()
    return job


def names_in_text(text: str, area_path: str) -> list[str]:
    """Names of the residents of the community around `area_path` that occur in `text`: the
    registry's part of the public view (core.public), which takes them out of public text.
    Not scoped to a user: it answers which words to hide, never shows a row."""
    candidates = name_candidates(text)
    if not candidates or not area_path:
        return []
    people = Person.objects.filter(
        area_path__startswith=community_path(area_path), name__in=candidates
    )
    return list(people.values_list("name", flat=True).distinct())
