"""Writes of the registry. Each is one transaction, checks the grant, keeps the timeline and
writes its audit entry; nothing is ever deleted — moving out and death are states."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from shequtong.core.audit import audit_record, masked_changes
from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.core.models import Area, User
from shequtong.core.scoping import can, can_in_area

from ..choices import DwellingUsage, PersonEventKind, PersonStatus, Residency
from ..identity import Identity, name_pinyin, parse_id_number
from ..models import Building, Dwelling, Person, PersonEvent, PersonTag, PersonTagAssignment
from ..models.places import MAX_FLOORS, MAX_UNITS, MIN_FLOOR


def _require(actor: User | None, ok: bool, message: str = "您无权修改此区域的档案") -> None:
    """`actor=None` is the system itself (the CLI import, the demo generator)."""
    if actor is not None and not ok:
        raise PermissionDeniedError(message)


# --- places ---------------------------------------------------------------------------------


@transaction.atomic
def dwelling_get_or_create(
    *,
    actor: User | None,
    building: Building,
    unit: int,
    number: str,
    floor: int | None = None,
    floor_area: Decimal | None = None,
    usage: str | None = None,
) -> Dwelling:
    dwelling = Dwelling.objects.filter(building=building, unit=unit, number=number).first()
    if dwelling is not None:
        return dwelling
    _require(actor, actor is None or can(actor, "change", building))
    try:
        floor = floor if floor is not None else floor_from_number(number)
    except ValidationError as exc:
        raise DomainError.from_fields({"number": exc.messages}) from exc
    if not MIN_FLOOR <= floor <= MAX_FLOORS:
        raise DomainError.from_fields({"floor": [f"楼层须为 {MIN_FLOOR}–{MAX_FLOORS}"]})
    if not 1 <= unit <= MAX_UNITS:
        raise DomainError.from_fields({"unit": [f"单元须为 1–{MAX_UNITS}"]})
    dwelling = Dwelling.objects.create(
        building=building,
        area=building.area,
        unit=unit,
        number=number,
        floor=floor,
        floor_area=floor_area,
        usage=usage or DwellingUsage.SELF_OCCUPIED,
    )
    # The building grows to hold what the ledgers say is in it.
    grown = {
        "units": max(building.units, unit),
        "floors": max(building.floors, dwelling.floor),
    }
    if grown != {"units": building.units, "floors": building.floors}:
        Building.objects.filter(pk=building.pk).update(**grown)
        building.units, building.floors = grown["units"], grown["floors"]
    audit_record(actor=actor, action="dwelling.create", obj=dwelling)
    return dwelling


_ASCII_DIGITS = frozenset("0123456789")


def floor_from_number(number: str) -> int:
    """Door plates encode the floor: 302 is on the 3rd, 1204 on the 12th, "2-302" too.

    Only the digits 0–9 count (not ², not full-width), and the floor must be one a building
    can have: a plate like 99999999 is refused (ValidationError), never grown into a building
    of a million floors."""
    digits = "".join(c for c in number.split("-")[-1] if c in _ASCII_DIGITS)
    floor = max(int(digits[:-2]), 1) if len(digits) >= 3 else 1
    if floor > MAX_FLOORS:
        raise ValidationError(f"房号“{number}”对应第 {floor} 层，超出 {MAX_FLOORS} 层的上限")
    return floor


# --- persons --------------------------------------------------------------------------------


@dataclass
class PersonData:
    """A person as a form, the API or one ledger row states it, already validated."""

    name: str
    id_number: str
    phone: str = ""
    ethnicity: str = ""
    residency: str = Residency.REGISTERED
    residency_since: date | None = None
    hukou_address: str = ""
    relationship: str = ""
    occupation: str = ""
    education: str = ""
    political_status: str = ""
    moved_in_on: date | None = None
    tags: list[str] = field(default_factory=list)  # PersonTag codes

    def person_fields(self) -> dict[str, Any]:
        # Shallow on purpose: asdict() deep-copies every value, a tenth of an import's time.
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "tags"}


_TRACKED = (
    "name",
    "phone",
    "ethnicity",
    "residency",
    "residency_since",
    "hukou_address",
    "relationship",
    "occupation",
    "education",
    "political_status",
    "moved_in_on",
    "dwelling_id",
    "area_id",
)


def _snapshot(person: Person) -> dict[str, Any]:
    return {name: getattr(person, name) for name in _TRACKED}


def apply_person_data(
    person: Person,
    data: PersonData,
    dwelling: Dwelling | None,
    identity: Identity | None = None,
) -> None:
    """Set the fields a PersonData carries, and those the ID number and the name imply.

    The import passes the `identity` it has already checked; every other caller has the ID
    number validated here (a ValidationError for a bad one).
    """
    identity = identity or parse_id_number(data.id_number)
    for name, value in data.person_fields().items():
        setattr(person, name, value)
    person.id_number = identity.id_number
    person.id_last4 = identity.id_number[-4:]
    person.gender, person.birth_date = identity.gender, identity.birth_date
    person.name_pinyin, person.name_initials = name_pinyin(data.name)
    person.phone_last4 = data.phone[-4:] if data.phone else ""
    if dwelling is not None:
        person.dwelling = dwelling
        person.area = dwelling.area
        person.area_path = dwelling.area.path


def record_event(
    *,
    person: Person,
    kind: str,
    actor: User | None,
    summary: str,
    on: date | None = None,
    changes: dict[str, Any] | None = None,
) -> PersonEvent:
    return PersonEvent.objects.create(
        person=person,
        area=person.area,
        area_path=person.area_path,
        kind=kind,
        on=on or timezone.localdate(),
        actor=actor,
        summary=summary[:200],
        changes=changes or {},
    )


@transaction.atomic
def person_create(
    *, actor: User | None, data: PersonData, dwelling: Dwelling | None, area: Area | None = None
) -> Person:
    place = dwelling.area if dwelling is not None else area
    if place is None:
        raise DomainError("invalid", "请指定现住房屋或所属网格", {"dwelling": ["必填"]})
    _require(actor, actor is None or can_in_area(actor, "change", Person, place.path))
    person = Person(area=place, area_path=place.path)
    try:
        apply_person_data(person, data, dwelling)
    except ValidationError as exc:
        raise DomainError.from_validation(exc) from exc
    if Person.objects.filter(
        id_hash=Person._meta.get_field("id_hash").lookup_value(person.id_number)
    ).exists():
        raise DomainError(
            "duplicate", "该身份证号已建档，请在原档案上修改", {"id_number": ["已建档"]}
        )
    person.save()
    record_event(
        person=person,
        kind=PersonEventKind.MOVED_IN if data.moved_in_on else PersonEventKind.CREATED,
        actor=actor,
        on=data.moved_in_on,
        summary=f"建档{f'，入住 {dwelling}' if dwelling else ''}",
    )
    tags_sync(actor=actor, person=person, codes=data.tags, on=data.moved_in_on)
    audit_record(actor=actor, action="person.create", obj=person)
    return person


@transaction.atomic
def person_update(
    *, actor: User | None, person: Person, data: PersonData, dwelling: Dwelling | None
) -> dict[str, list[Any]]:
    """Apply a new statement of the person; the changes go to the timeline and the audit log."""
    _require(actor, actor is None or can(actor, "change", person))
    before = _snapshot(person)
    old_dwelling = person.dwelling
    try:
        apply_person_data(person, data, dwelling)
    except ValidationError as exc:
        raise DomainError.from_validation(exc) from exc
    changes = masked_changes(person, before, _snapshot(person))
    if changes:
        person.save()
        _record_changes(actor, person, changes, old_dwelling)
        audit_record(actor=actor, action="person.update", obj=person, changes=changes)
    tags_sync(actor=actor, person=person, codes=data.tags)
    return changes


def _record_changes(
    actor: User | None,
    person: Person,
    changes: dict[str, list[Any]],
    old_dwelling: Dwelling | None,
) -> None:
    if "dwelling_id" in changes:
        record_event(
            person=person,
            kind=PersonEventKind.MOVED_IN,
            actor=actor,
            summary=f"由 {old_dwelling or '—'} 迁入 {person.dwelling}",
        )
    if "phone" in changes:
        record_event(
            person=person,
            kind=PersonEventKind.PHONE_CHANGED,
            actor=actor,
            summary="联系电话变更",
            changes={"phone": changes["phone"]},
        )
    rest = {k: v for k, v in changes.items() if k not in {"dwelling_id", "area_id", "phone"}}
    if rest:
        labels = "、".join(str(Person._meta.get_field(k).verbose_name) for k in rest)
        record_event(
            person=person,
            kind=PersonEventKind.UPDATED,
            actor=actor,
            summary=f"变更：{labels}",
            changes=rest,
        )


@transaction.atomic
def person_move_out(*, actor: User | None, person: Person, on: date, note: str = "") -> Person:
    return _end_residence(actor, person, PersonStatus.MOVED_OUT, on, note)


@transaction.atomic
def person_decease(*, actor: User | None, person: Person, on: date, note: str = "") -> Person:
    return _end_residence(actor, person, PersonStatus.DECEASED, on, note)


def _end_residence(actor: User | None, person: Person, status: str, on: date, note: str) -> Person:
    """The file stays, with its history; the person only leaves the active lists."""
    _require(actor, actor is None or can(actor, "change", person))
    if person.status != PersonStatus.ACTIVE:
        raise DomainError("invalid", f"该居民已是“{person.get_status_display()}”状态")
    if on > timezone.localdate():
        raise DomainError("invalid", "日期不能晚于今天", {"on": ["不能晚于今天"]})
    person.status = status
    if status == PersonStatus.MOVED_OUT:
        person.moved_out_on = on
        kind, summary = PersonEventKind.MOVED_OUT, f"迁出{f'：{note}' if note else ''}"
    else:
        person.deceased_on = on
        kind, summary = PersonEventKind.DECEASED, f"死亡{f'：{note}' if note else ''}"
    person.save(update_fields=["status", "moved_out_on", "deceased_on", "updated_at"])
    PersonTagAssignment.objects.filter(person=person, ended_on__isnull=True).update(ended_on=on)
    record_event(person=person, kind=kind, actor=actor, on=on, summary=summary)
    audit_record(actor=actor, action=f"person.{status}", obj=person, changes={"on": [None, on]})
    return person


# --- tags -----------------------------------------------------------------------------------


def tags_sync(
    *, actor: User | None, person: Person, codes: list[str], on: date | None = None
) -> None:
    """Open the listed tags the person lacks. A ledger that omits a tag does not end it: the
    columns communities keep list what applies, not what stopped applying."""
    if not codes:
        return
    open_codes = set(
        person.tag_assignments.filter(ended_on__isnull=True).values_list("tag__code", flat=True)
    )
    for tag in PersonTag.objects.filter(code__in=set(codes) - open_codes):
        tag_add(actor=actor, person=person, tag=tag, started_on=on)


@transaction.atomic
def tag_add(
    *, actor: User | None, person: Person, tag: PersonTag, started_on: date | None = None
) -> PersonTagAssignment:
    _require(actor, actor is None or can(actor, "change", person))
    if tag.sensitive:
        _require(
            actor,
            actor is None or can_in_area(actor, "reveal", PersonTagAssignment, person.area_path),
            "敏感标签须由具有相应授权的管理员添加",
        )
    started = started_on or timezone.localdate()
    assignment = PersonTagAssignment.objects.create(
        person=person, tag=tag, area=person.area, area_path=person.area_path, started_on=started
    )
    record_event(
        person=person,
        kind=PersonEventKind.TAG_ADDED,
        actor=actor,
        on=started,
        # A sensitive tag is never named on the timeline, which more people can read.
        summary="添加标签：" + ("敏感标签" if tag.sensitive else tag.name),
    )
    audit_record(
        actor=actor, action="person.tag_add", obj=person, changes={"tag": [None, tag.code]}
    )
    return assignment


@transaction.atomic
def tag_end(
    *, actor: User | None, assignment: PersonTagAssignment, ended_on: date | None = None
) -> PersonTagAssignment:
    person = assignment.person
    _require(actor, actor is None or can(actor, "change", person))
    if assignment.ended_on is not None:
        return assignment
    assignment.ended_on = ended_on or timezone.localdate()
    assignment.save(update_fields=["ended_on", "updated_at"])
    record_event(
        person=person,
        kind=PersonEventKind.TAG_ENDED,
        actor=actor,
        on=assignment.ended_on,
        summary="结束标签：" + ("敏感标签" if assignment.tag.sensitive else assignment.tag.name),
    )
    audit_record(
        actor=actor,
        action="person.tag_end",
        obj=person,
        changes={"tag": [assignment.tag.code, None]},
    )
    return assignment
