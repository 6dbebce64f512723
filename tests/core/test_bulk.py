"""`insert_many` and `set_column` write what the ORM would, on SQLite and on PostgreSQL (COPY)."""

from __future__ import annotations

from django.db import connection

from shequtong.core import vault
from shequtong.core.bulk import insert_many, set_column
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
