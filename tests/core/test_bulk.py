"""`insert_many`, `insert_together` and `set_column` write what the ORM would, on SQLite and on
PostgreSQL (COPY; one statement of data-modifying CTEs)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from shequtong.core import vault
from shequtong.core.bulk import insert_many, insert_together, reserve_pk, set_column
from shequtong.registry.models import Building, Dwelling, Estate, Household, Person, PersonEvent
from tests.core.factories import AreaTree
from tests.registry.factories import id_number


def _person(tree: AreaTree, n: int, **extra: object) -> Person:
    area = tree.grid_a1a
    return Person(
        name=f"张{n}",
        id_number=id_number(n),
        phone=f"1380000{n:04d}",
        birth_date="1950-01-01",
        area=area,
        area_path=area.path,
        **extra,
    )


def test_insert_many_sets_ids_and_stores_what_the_orm_would(tree: AreaTree) -> None:
    people = insert_many([_person(tree, n) for n in range(3)])

    assert all(p.pk for p in people) and len({p.pk for p in people}) == 3
    stored = Person.objects.get(pk=people[1].pk)
    assert stored.id_number == id_number(1)  # decrypts: the column holds ciphertext
    assert stored.phone == "13800000001"
    assert stored.id_hash == vault.blind_index("id_number", id_number(1))
    assert stored.created_at is not None and stored.updated_at is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM registry_person WHERE id = %s", [people[1].pk])
        (raw,) = cursor.fetchone()
    assert id_number(1) not in raw


def test_children_link_to_ids_reserved_in_the_same_call(tree: AreaTree) -> None:
    people = insert_many([_person(tree, n) for n in range(2)])
    events = insert_many(
        [
            PersonEvent(
                person=p,
                area_id=p.area_id,
                area_path=p.area_path,
                kind="created",
                on="2026-01-01",
                summary="建档",
                changes={"电话": ["138****0000", None]},
            )
            for p in people
        ]
    )

    assert [e.person_id for e in events] == [p.pk for p in people]
    assert PersonEvent.objects.get(pk=events[0].pk).changes == {"电话": ["138****0000", None]}


def test_set_column_fills_only_empty_values(tree: AreaTree) -> None:
    grid = tree.grid_a1a
    estate = Estate.objects.create(name="杨家坪小区", area=tree.comm_a1)
    building = Building.objects.create(estate=estate, number="1栋", area=grid)
    dwelling = Dwelling.objects.create(building=building, unit=1, number="101", area=grid)
    first, second = (Household.objects.create(dwelling=dwelling, area=grid) for _ in range(2))
    keeper, newcomer = insert_many([_person(tree, 7), _person(tree, 8)])
    Household.objects.filter(pk=first.pk).update(head=keeper)

    changed = set_column(Household, "head", {first.pk: newcomer.pk, second.pk: newcomer.pk})

    assert changed == 1
    assert Household.objects.get(pk=first.pk).head_id == keeper.pk
    assert Household.objects.get(pk=second.pk).head_id == newcomer.pk


def _event(person: Person, kind: str) -> PersonEvent:
    return PersonEvent(
        person=person,
        area_id=person.area_id,
        area_path=person.area_path,
        kind=kind,
        on="2026-01-01",
        summary=kind,
        changes={"电话": ["138****0000", None]},
    )


def test_insert_together_writes_a_reserved_parent_and_rows_naming_it(tree: AreaTree) -> None:
    person = _person(tree, 1)
    reserve_pk(person)
    assert person.pk is not None  # known before the rows naming it are built
    other = _person(tree, 2)
    events = [_event(person, "created"), _event(person, "moved")]

    with CaptureQueriesContext(connection) as statements:
        insert_together([person, *events, other])

    if connection.vendor == "postgresql":
        assert len(statements) == 1  # one round trip, atomic on its own

    assert Person.objects.get(pk=person.pk).id_number == id_number(1)
    assert other.pk is not None and Person.objects.get(pk=other.pk).phone == "13800000002"
    stored = {e.pk: e for e in PersonEvent.objects.filter(person=person)}
    assert sorted(stored) == sorted(e.pk for e in events)  # every row got its own id
    assert [stored[e.pk].kind for e in events] == ["created", "moved"]  # ids follow the order
    assert stored[events[0].pk].changes == {"电话": ["138****0000", None]}
    assert not any(obj._state.adding for obj in [person, other, *events])


def test_insert_together_writes_all_or_nothing(tree: AreaTree) -> None:
    insert_many([_person(tree, 5)])
    person = _person(tree, 6)
    clash = _person(tree, 5)  # the same ID number: the unique blind index refuses it

    with pytest.raises(IntegrityError), transaction.atomic():  # as callers do, for SQLite
        reserve_pk(person)
        insert_together([person, _event(person, "created"), clash])

    assert not Person.objects.filter(name="张6").exists()
    assert not PersonEvent.objects.exists()
