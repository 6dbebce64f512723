"""Importing a person ledger: validate every row, match people by the ID number's keyed hash,
and write only what changed.

Two modes. All-or-nothing checks the whole file first and, only if no row is rejected, writes
it in one transaction. Valid-rows writes each batch of valid rows in its own transaction with
the job's progress, so a killed process leaves whole batches only and a rerun resumes after
the last one. A dry run is the same pass without writes: the preview the console shows.

Re-importing a file changes nothing: each person keeps the fingerprint (`row_digest`) of the
row last applied, and an unchanged row is recognised from it without decrypting anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from shequtong.core import vault
from shequtong.core.audit import audit_record, masked_changes
from shequtong.core.bulk import insert_many, set_column
from shequtong.core.choices import AreaLevel
from shequtong.core.errors import PermissionDeniedError
from shequtong.core.models import Area, User, community_path
from shequtong.core.scoping import can_in_area

from ..choices import DwellingUsage, PersonEventKind, PersonStatus
from ..identity import Identity, check_agrees, parse_id_number
from ..models import (
    Building,
    ColumnMapping,
    Dwelling,
    Estate,
    Household,
    ImportJob,
    Person,
    PersonEvent,
    PersonTag,
    PersonTagAssignment,
)
from ..services.grids import grid_by_location
from ..services.people import (
    PersonData,
    _record_changes,
    _snapshot,
    apply_person_data,
    floor_from_number,
    tags_sync,
)
from . import columns as col
from .readers import ImportFileError, Source, open_table

BATCH = settings.SHEQUTONG_IMPORT_BATCH


def _required() -> Any:
    raise ValidationError("必填")


# Each column's reader, in the order rows are checked.
_READERS: dict[str, Callable[[Any], Any]] = {
    "name": col.read_name,
    "gender": col.read_gender,
    "birth_date": col.read_date,
    "ethnicity": col.read_ethnicity,
    "phone": col.read_phone,
    "estate": lambda v: col.read_text(v, max_length=64) or _required(),
    "building": col.read_building,
    "unit": col.read_unit,
    "number": col.read_room,
    "floor_area": col.read_floor_area,
    "usage": col.read_usage,
    "grid": lambda v: col.read_text(v, max_length=64),
    "relationship": col.read_relationship,
    "residency": col.read_residency,
    "hukou_address": lambda v: col.read_text(v, max_length=200),
    "occupation": lambda v: col.read_text(v, max_length=64),
    "education": col.read_education,
    "political_status": col.read_political_status,
    "moved_in_on": col.read_date,
}
MAX_REPORTED = 20_000  # rejected rows kept in the report; the counts stay exact beyond it


@dataclass(frozen=True)
class PlaceKey:
    estate: str
    building: str
    unit: int
    number: str


@dataclass(slots=True)
class Place:
    """What a person row needs of its dwelling: ids and a path, not the objects (a million-row
    ledger holds a third of a million doors in this cache)."""

    dwelling_id: int
    area_id: int
    area_path: str
    household_id: int | None


@dataclass
class RowPlan:
    row: int
    data: PersonData
    place: PlaceKey
    grid: str
    floor_area: Decimal | None
    usage: str
    id_hash: str
    digest: str
    identity: Identity


@dataclass
class Rejected:
    row: int
    errors: list[tuple[str, str]]  # (column header, message)


@dataclass
class ImportReport:
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("rows", "new", "updated", "unchanged", "rejected", "places"), 0
        )
    )
    rejected: list[Rejected] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)
    committed: bool = False

    def reject(self, item: Rejected) -> None:
        self.counts["rejected"] += 1
        if len(self.rejected) < MAX_REPORTED:
            self.rejected.append(item)


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"": exc.messages}


class _RefusedError(Exception):
    """Rolls an all-or-nothing import back when its write pass finds a rejection."""


class PersonImport:
    def __init__(
        self,
        *,
        community: Area,
        actor: User | None,
        create_places: bool = True,
        all_or_nothing: bool = False,
        dry_run: bool = False,
        job: ImportJob | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        if community.level != AreaLevel.COMMUNITY:
            raise ImportFileError("台账须导入到一个社区")
        if actor is not None and not can_in_area(actor, "change", Person, community.path):
            raise PermissionDeniedError(f"您无权向{community.name}导入台账")
        self.community = community
        self.actor = actor
        self.create_places = create_places
        self.all_or_nothing = all_or_nothing
        self.dry_run = dry_run
        self.job = job
        self.progress = progress
        self.report = ImportReport()
        self.may_reveal_tags = actor is None or can_in_area(
            actor, "reveal", PersonTagAssignment, community.path
        )
        self.tags = {t.name: t for t in PersonTag.objects.all()} | {
            t.code: t for t in PersonTag.objects.all()
        }
        self.grids = {
            a.name: a for a in Area.objects.filter(parent=community, level=AreaLevel.GRID)
        }
        # The standard headers and their synonyms, plus the community's own saved names.
        self.headers = dict(col.HEADERS) | {
            m.header: col.BY_FIELD[m.field]
            for m in ColumnMapping.objects.filter(area=community)
            if m.field in col.BY_FIELD
        }
        # ID hash (as bytes: half the memory of the hex) → first row, for duplicates in the file.
        self.seen: dict[bytes, int] = {}
        self.places: dict[PlaceKey, Place | None] = {}

    # --- reading and checking rows ------------------------------------------------------

    def _columns(self, header: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for index, name in enumerate(header):
            column = self.headers.get(name)
            if column is None:
                if name:
                    self.report.unknown_headers.append(name)
                continue
            if column.field in found:
                raise ImportFileError(f"表头中“{column.label}”出现了两次（第 {index + 1} 列）")
            found[column.field] = index
        missing = [c.label for c in col.PERSON_COLUMNS if c.required and c.field not in found]
        if self.report.unknown_headers:
            self.report.notes.append(
                f"未识别的列已忽略：{'、'.join(self.report.unknown_headers)}"
                "（可在导入页面指定它们对应的字段）"
            )
        if missing:
            raise ImportFileError(
                f"缺少必需列：{'、'.join(missing)}。表头若有合并单元格，请拆开并让每列都有列名"
            )
        return found

    def _plan_row(self, number: int, cells: list[Any], index: dict[str, int]) -> RowPlan:
        """One row to a plan, or a ValidationError naming every bad column of it."""
        errors: dict[str, list[str]] = {}
        values: dict[str, Any] = {}

        def cell(name: str) -> Any:
            position = index.get(name)
            return cells[position] if position is not None and position < len(cells) else None

        for name, read in _READERS.items():
            try:
                values[name] = read(cell(name))
            except ValidationError as exc:
                errors[name] = exc.messages
        identity = None
        try:
            identity = parse_id_number(col.cell_text(cell("id_number")) or _required())
            check_agrees(identity, gender=values.get("gender"), birth_date=values.get("birth_date"))
        except ValidationError as exc:
            for name, messages in _messages(exc).items():
                errors.setdefault(name or "id_number", []).extend(messages)
        tags = []
        for text in col.split_tags(cell("tags")):
            tag = self.tags.get(text)
            if tag is None:
                errors.setdefault("tags", []).append(f"“{text}”不在人群标签目录中")
            elif tag.sensitive and not self.may_reveal_tags:
                errors.setdefault("tags", []).append(f"无权登记敏感标签“{text}”")
            else:
                tags.append(tag.code)
        grid = values.get("grid") or ""
        if grid and grid not in self.grids:
            errors.setdefault("grid", []).append(f"本社区没有网格“{grid}”")
        if identity is not None and "id_number" not in errors:
            id_hash = vault.blind_index("id_number", identity.id_number)
            first = self.seen.setdefault(bytes.fromhex(id_hash), number)
            if first != number:
                errors.setdefault("id_number", []).append(f"与第 {first} 行的身份证号重复")
        if errors:
            raise ValidationError(errors)
        data = PersonData(
            name=values["name"],
            id_number=identity.id_number,
            phone=values["phone"],
            ethnicity=values["ethnicity"],
            residency=values["residency"],
            hukou_address=values["hukou_address"],
            relationship=values["relationship"],
            occupation=values["occupation"],
            education=values["education"],
            political_status=values["political_status"],
            moved_in_on=values["moved_in_on"],
            tags=sorted(tags),
        )
        place = PlaceKey(values["estate"], values["building"], values["unit"], values["number"])
        fingerprint = repr((sorted(data.__dict__.items()), place, grid, values["floor_area"]))
        return RowPlan(
            row=number,
            data=data,
            place=place,
            grid=grid,
            floor_area=values["floor_area"],
            usage=values["usage"],
            id_hash=id_hash,
            digest=hashlib.blake2b(fingerprint.encode(), digest_size=16).hexdigest(),
            identity=identity,
        )

    def _plans(self, path: Source) -> Iterator[list[RowPlan | Rejected]]:
        table = open_table(path, set(self.headers))
        self.report.notes.extend(table.notes)
        self.report.header = table.header
        index = self._columns(table.header)
        labels = {c.field: c.label for c in col.PERSON_COLUMNS}
        header_of = {f: table.header[i] or labels[f] for f, i in index.items()}
        while batch := list(islice(table.rows, BATCH)):
            out: list[RowPlan | Rejected] = []
            for number, cells in batch:
                try:
                    out.append(self._plan_row(number, cells, index))
                except ValidationError as exc:
                    out.append(
                        Rejected(
                            number,
                            [
                                (header_of.get(name, labels.get(name, name)), message)
                                for name, messages in _messages(exc).items()
                                for message in messages
                            ],
                        )
                    )
            yield out

    # --- matching against the database -------------------------------------------------

    def _resolve_places(self, plans: list[RowPlan]) -> dict[PlaceKey, tuple[str, str]]:
        """Find the dwellings of a batch in a few queries; the reason for each one missing."""
        wanted = {p.place for p in plans} - set(self.places)
        problems: dict[PlaceKey, tuple[str, str]] = {}
        if not wanted:
            return problems
        estates = {
            e.name: e
            for e in Estate.objects.filter(area=self.community, name__in={k.estate for k in wanted})
        }
        buildings = {
            (b.estate.name, b.number): b
            for b in Building.objects.filter(
                estate__in=estates.values(), number__in={k.building for k in wanted}
            ).select_related("estate")
        }
        rows = Dwelling.objects.filter(
            building__in=buildings.values(), number__in={k.number for k in wanted}
        ).values_list(
            "building__estate__name",
            "building__number",
            "unit",
            "number",
            "pk",
            "area_id",
            "area_path",
        )
        households = dict(
            Household.objects.filter(dwelling__building__in=buildings.values())
            .order_by("pk")
            .values_list("dwelling_id", "pk")
        )
        dwellings = {
            (estate, building, unit, number): Place(pk, area_id, path, households.get(pk))
            for estate, building, unit, number, pk, area_id, path in rows
        }
        for key in wanted:
            found = dwellings.get((key.estate, key.building, key.unit, key.number))
            if found is None and not self.create_places:
                where = f"{key.estate}{key.building}{key.unit}单元{key.number}"
                if key.estate not in estates:
                    problems[key] = ("小区", f"小区“{key.estate}”不存在")
                elif (key.estate, key.building) not in buildings:
                    problems[key] = ("楼栋", f"楼栋“{key.estate}{key.building}”不存在")
                else:
                    problems[key] = ("房号", f"房屋“{where}”不存在")
                continue
            self.places[key] = found
            if found is None:
                self.report.counts["places"] += 1
        return problems

    def _check(self, batch: list[RowPlan | Rejected]) -> tuple[list[RowPlan], dict[str, dict]]:
        """Reject what the database forbids; return the valid plans and the people they match."""
        plans = [p for p in batch if isinstance(p, RowPlan)]
        for item in batch:
            if isinstance(item, Rejected):
                self.report.reject(item)
        problems = self._resolve_places(plans)
        existing = {
            row["id_hash"]: row
            for row in Person.objects.filter(id_hash__in=[p.id_hash for p in plans]).values(
                "pk", "id_hash", "row_digest", "area_path", "status"
            )
        }
        valid = []
        for plan in plans:
            if plan.place in problems:
                self.report.reject(Rejected(plan.row, [problems[plan.place]]))
                continue
            known = existing.get(plan.id_hash)
            if (
                known
                and not known["area_path"].startswith(self.community.path)
                and self.actor is not None
                and not can_in_area(self.actor, "change", Person, known["area_path"])
            ):
                where = Area.objects.filter(path=community_path(known["area_path"])).first()
                message = f"此人已在{where or '其他社区'}建档，请先由该社区办理迁出"
                self.report.reject(Rejected(plan.row, [("身份证号", message)]))
                continue
            valid.append(plan)
        return valid, existing

    # --- writing ------------------------------------------------------------------------

    def _materialize_places(self, plans: list[RowPlan]) -> None:
        """Create the batch's missing estates, buildings, dwellings and households in bulk:
        a new estate's worth of doors costs a handful of INSERTs, not one transaction each."""
        missing = {p.place: p for p in plans if self.places.get(p.place) is None}
        if not missing:
            return
        names = {k.estate for k in missing}
        estates = {e.name: e for e in Estate.objects.filter(area=self.community, name__in=names)}
        new_estates = [
            Estate(name=n, area=self.community, area_path=self.community.path)
            for n in sorted(names - set(estates))
        ]
        estates |= {e.name: e for e in Estate.objects.bulk_create(new_estates)}
        wanted = {(k.estate, k.building) for k in missing}
        buildings = {
            (b.estate.name, b.number): b
            for b in Building.objects.filter(
                estate__in=[estates[n] for n in names], number__in={b for _, b in wanted}
            ).select_related("estate")
        }
        new_buildings = []
        for estate_name, number in sorted(wanted - set(buildings)):
            plan = next(
                p for k, p in missing.items() if (k.estate, k.building) == (estate_name, number)
            )
            estate = estates[estate_name]
            estate.area = self.community  # read by grid_by_location, without a query
            building = Building(estate=estate, number=number)
            # The ledger's 网格 column, else the grid holding the estate, else the community
            # (listed as unplaced until someone assigns it).
            area = self.grids.get(plan.grid) or grid_by_location(building) or self.community
            building.area, building.area_path = area, area.path
            new_buildings.append(building)
        for building in Building.objects.bulk_create(new_buildings):
            buildings[(building.estate.name, building.number)] = building
        dwellings = []
        for key, plan in missing.items():
            building = buildings[(key.estate, key.building)]
            dwellings.append(
                Dwelling(
                    building=building,
                    area_id=building.area_id,
                    area_path=building.area_path,
                    unit=key.unit,
                    number=key.number,
                    floor=floor_from_number(key.number),
                    floor_area=plan.floor_area,
                    usage=plan.usage or DwellingUsage.SELF_OCCUPIED,
                )
            )
        insert_many(dwellings)
        households = insert_many(
            [Household(dwelling=d, area_id=d.area_id, area_path=d.area_path) for d in dwellings]
        )
        for dwelling, household in zip(dwellings, households, strict=True):
            key = PlaceKey(
                dwelling.building.estate.name,
                dwelling.building.number,
                dwelling.unit,
                dwelling.number,
            )
            self.places[key] = Place(
                dwelling.pk, dwelling.area_id, dwelling.area_path, household.pk
            )
        self._grow_buildings({d.building for d in dwellings})
        audit_record(
            actor=self.actor,
            action="dwelling.import",
            area=self.community,
            object_repr=f"新建房屋 {len(dwellings)} 处",
            changes={
                "estates": [None, len(new_estates)],
                "buildings": [None, len(new_buildings)],
                "dwellings": [None, len(dwellings)],
            },
        )

    @staticmethod
    def _grow_buildings(buildings: set[Building]) -> None:
        """A building is as tall and as wide as the doors the ledgers put in it."""
        for building in buildings:
            size = Dwelling.objects.filter(building=building).aggregate(
                units=Max("unit"), floors=Max("floor")
            )
            units, floors = max(building.units, size["units"]), max(building.floors, size["floors"])
            if (units, floors) != (building.units, building.floors):
                Building.objects.filter(pk=building.pk).update(units=units, floors=floors)
                building.units, building.floors = units, floors

    @staticmethod
    def _household_of(place: Place) -> int:
        """A door the ledgers knew without a household (made in the console) gets one."""
        if place.household_id is None:
            place.household_id = Household.objects.create(
                dwelling_id=place.dwelling_id, area_id=place.area_id, area_path=place.area_path
            ).pk
        return place.household_id

    @staticmethod
    def _place(person: Person, place: Place) -> None:
        person.dwelling_id = place.dwelling_id
        person.area_id, person.area_path = place.area_id, place.area_path

    def _write(self, plans: list[RowPlan], existing: dict[str, dict]) -> None:
        counts = self.report.counts
        new, changed = [], []
        for plan in plans:
            known = existing.get(plan.id_hash)
            if known is None:
                new.append(plan)
            elif known["row_digest"] == plan.digest and known["status"] == PersonStatus.ACTIVE:
                counts["unchanged"] += 1
            else:
                changed.append(plan)
        if self.dry_run:
            counts["new"] += len(new)
            counts["updated"] += len(changed)
            return
        self._create(new)
        self._update(changed)

    def _create(self, plans: list[RowPlan]) -> None:
        if not plans:
            return
        self._materialize_places(plans)
        people = []
        for plan in plans:
            place = self.places[plan.place]
            person = Person(household_id=self._household_of(place), row_digest=plan.digest)
            apply_person_data(person, plan.data, None, plan.identity)
            self._place(person, place)
            people.append(person)
        insert_many(people)
        today = timezone.localdate()
        summary = f"台账导入建档（{self.job.original_name if self.job else '命令行'}）"
        insert_many(
            [
                PersonEvent(
                    person=p,
                    area_id=p.area_id,
                    area_path=p.area_path,
                    kind=PersonEventKind.MOVED_IN if p.moved_in_on else PersonEventKind.CREATED,
                    on=p.moved_in_on or today,
                    actor=self.actor,
                    summary=summary,
                )
                for p in people
            ]
        )
        tags = {t.code: t for t in PersonTag.objects.all()}
        insert_many(
            [
                PersonTagAssignment(
                    person=p,
                    tag=tags[code],
                    area_id=p.area_id,
                    area_path=p.area_path,
                    started_on=p.moved_in_on or today,
                )
                for p, plan in zip(people, plans, strict=True)
                for code in plan.data.tags
            ]
        )
        self._name_heads(people)
        self.report.counts["new"] += len(people)

    @staticmethod
    def _name_heads(people: list[Person]) -> None:
        """The first 户主 a household's ledger names keeps the household: one UPDATE a batch."""
        heads: dict[int, int] = {}
        for person in people:
            if person.relationship == "02":
                heads.setdefault(person.household_id, person.pk)
        set_column(Household, "head", heads)

    def _update(self, plans: list[RowPlan]) -> None:
        if not plans:
            return
        people = {
            p.id_hash: p
            for p in Person.objects.filter(id_hash__in=[p.id_hash for p in plans]).select_related(
                "dwelling"
            )
        }
        self._materialize_places(plans)
        for plan in plans:
            person = people[plan.id_hash]
            before, old_dwelling = _snapshot(person), person.dwelling
            place = self.places[plan.place]
            apply_person_data(person, plan.data, None, plan.identity)
            self._place(person, place)
            person.row_digest = plan.digest
            changes = masked_changes(person, before, _snapshot(person))
            if person.status != PersonStatus.ACTIVE:
                changes["status"] = [person.status, PersonStatus.ACTIVE]
                person.status = PersonStatus.ACTIVE
            if person.dwelling_id != getattr(old_dwelling, "pk", None):
                person.household_id = self._household_of(place)
            person.save()
            if changes:
                _record_changes(self.actor, person, changes, old_dwelling)
                self.report.counts["updated"] += 1
            else:
                self.report.counts["unchanged"] += 1
            tags_sync(actor=self.actor, person=person, codes=plan.data.tags)

    # --- running ------------------------------------------------------------------------

    def _batch(self, batch: list[RowPlan | Rejected]) -> None:
        self.report.counts["rows"] += len(batch)
        valid, existing = self._check(batch)
        self._write(valid, existing)

    def _save_progress(self, last_row: int) -> None:
        if self.job is None or self.dry_run:
            return
        ImportJob.objects.filter(pk=self.job.pk).update(
            committed_through=last_row,
            rows_done=self.report.counts["rows"],
            counts=self.report.counts,
        )

    def run(self, path: Source) -> ImportReport:
        resume_after = self.job.committed_through if self.job and not self.dry_run else 0
        if resume_after:
            # Carried on from the last committed batch, whose counts were saved with it: the
            # rows up to it are skipped, not counted again.
            self.report.counts.update(self.job.counts)
        if self.all_or_nothing and not self.dry_run:
            return self._all_or_nothing(path)
        for batch in self._plans(path):
            batch = [b for b in batch if b.row > resume_after]
            if not batch:
                continue
            with transaction.atomic():
                self._batch(batch)
                self._save_progress(batch[-1].row)
                self._audit_batch(batch)
            if self.progress:
                self.progress(self.report.counts["rows"])
        self.report.committed = not self.dry_run
        return self.report

    def _all_or_nothing(self, path: Source) -> ImportReport:
        """Check everything first; write everything in one transaction only if all is well."""
        checker = PersonImport(
            community=self.community,
            actor=self.actor,
            create_places=self.create_places,
            dry_run=True,
        )
        checked = checker.run(path)
        if checked.counts["rejected"]:
            checked.committed = False
            return checked
        try:
            with transaction.atomic():
                for batch in self._plans(path):
                    self._batch(batch)
                    if self.progress:
                        self.progress(self.report.counts["rows"])
                if self.report.counts["rejected"]:
                    # The ledger changed under the check (a person filed meanwhile): in this
                    # mode any rejection means nothing is written.
                    raise _RefusedError
                self._audit_batch([])
                self._save_progress(self.report.counts["rows"])
        except _RefusedError:
            found = self.report.counts["rejected"]
            self.report.notes.append(
                f"写入时又发现 {found} 行错误，按“全部成功才导入”未写入任何数据"
            )
            self.report.committed = False
            return self.report
        self.report.committed = True
        return self.report

    def _audit_batch(self, batch: list[RowPlan | Rejected]) -> None:
        if self.dry_run:
            return
        rows = [b.row for b in batch]
        audit_record(
            actor=self.actor,
            action="person.import",
            area=self.community,
            object_repr=(self.job.original_name if self.job else "命令行导入")[:200],
            changes={
                "rows": [None, f"{rows[0]}–{rows[-1]}" if rows else "全部"],
                "counts": [None, dict(self.report.counts)],
            },
        )
