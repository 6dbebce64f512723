"""Every resident in a grid: an imported ledger's buildings land in the community, where no grid
worker sees them; they are placed by location or in bulk, and the residents (with their tags,
timeline and care file) follow their doors to the grid."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shequtong.care.models import CareProfile
from shequtong.core.choices import Role
from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.core.models import AuditEntry
from shequtong.registry import selectors, services
from shequtong.registry.catalogue import load_tags
from shequtong.registry.importing.persons import PersonImport
from shequtong.registry.models import Building, Estate, Person, PersonTag, PersonTagAssignment
from shequtong.registry.services import assets, grids
from tests.core.factories import square

from .factories import HEADER, person_row, write_csv

# residents_moved is sent on commit; serialized like every transactional test (a flush
# without it re-creates the content types under new ids for the next one).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

IN_A1A = (101.705, 26.505)
IN_A1B = (101.715, 26.505)


def test_an_imported_ledger_is_unplaced_and_its_residents_unseen_by_grid_workers(
    tree, ledger, user_with
):
    worker = user_with(Role.GRID_WORKER, tree.grid_a1a)
    assert set(Building.objects.values_list("area", flat=True)) == {tree.comm_a1.pk}
    assert selectors.person_search(user=worker, q="").count() == 0
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    assert selectors.building_list(user=staff, unplaced=True).count() == 3
    # 人口统计 once summed its grids to less than its total: the unplaced are a row of their own.
    figures = selectors.area_stats(user=staff, within=tree.comm_a1)
    assert [n for _, n in figures.children] == [0, 0] and figures.unplaced == 12
    assert figures.population == 12


def test_placing_a_building_moves_its_doors_residents_tags_and_care(tree, ledger, staff, user_with):
    building = Building.objects.get(number="1栋")
    people = Person.objects.filter(dwelling__building=building)
    elder = people.first()
    profile = CareProfile.objects.create(person=elder, area=elder.area)
    load_tags(PersonTag)  # migration data, gone once another transactional test has flushed
    services.tag_add(actor=None, person=elder, tag=PersonTag.objects.get(code="living_alone"))

    done = grids.buildings_place(actor=staff, buildings=[building], grid=tree.grid_a1b)

    assert (done.buildings, done.residents) == (1, people.count()) and people.count() == 4
    building.refresh_from_db()
    assert building.area == tree.grid_a1b and building.area_path == tree.grid_a1b.path
    assert set(people.values_list("area", flat=True)) == {tree.grid_a1b.pk}
    assert set(building.dwellings.values_list("area_path", flat=True)) == {tree.grid_a1b.path}
    assert list(
        PersonTagAssignment.objects.filter(person__in=people).values_list("area", flat=True)
    ) == [tree.grid_a1b.pk]
    profile.refresh_from_db()
    assert profile.area == tree.grid_a1b  # care followed through residents_moved
    worker = user_with(Role.GRID_WORKER, tree.grid_a1b)
    assert set(selectors.person_search(user=worker, q="").values_list("pk", flat=True)) == set(
        people.values_list("pk", flat=True)
    )
    (entry,) = AuditEntry.objects.filter(action="building.place")
    assert entry.changes == {"area": ["甲一社区", "甲一第二网格"]}


def test_a_building_cannot_go_to_another_communitys_grid_or_by_a_grid_worker(
    tree, ledger, staff, user_with
):
    building = Building.objects.get(number="1栋")
    with pytest.raises(DomainError, match="不在甲二第一网格所在的社区"):
        grids.buildings_place(actor=staff, buildings=[building], grid=tree.grid_a2a)
    with pytest.raises(DomainError, match="请选择网格"):
        grids.buildings_place(actor=staff, buildings=[building], grid=tree.comm_a1)
    outsider = user_with(Role.COMMUNITY_STAFF, tree.comm_a2)
    with pytest.raises(PermissionDeniedError):
        grids.buildings_place(actor=outsider, buildings=[building], grid=tree.grid_a1a)
    building.refresh_from_db()
    assert building.area == tree.comm_a1


def test_a_buildings_location_or_its_estates_boundary_places_it(tree, ledger, staff):
    one, two, three = Building.objects.order_by("number")
    assets.building_update(
        actor=staff,
        building=one,
        data=assets.BuildingData(
            number="1栋", units=one.units, floors=one.floors, lon=IN_A1B[0], lat=IN_A1B[1]
        ),
    )
    one.refresh_from_db()
    assert one.area == tree.grid_a1b  # a new point on an unplaced building places it
    assert set(Person.objects.filter(dwelling__building=one).values_list("area", flat=True)) == {
        tree.grid_a1b.pk
    }

    estate = Estate.objects.get()
    Estate.objects.filter(pk=estate.pk).update(boundary=square(101.702, 26.502, 0.004))
    done = grids.place_by_location(
        actor=staff, buildings=Building.objects.filter(pk__in=[two.pk, three.pk])
    )
    assert done.buildings == 2
    assert set(Building.objects.values_list("number", "area")) == {
        ("1栋", tree.grid_a1b.pk),
        ("2栋", tree.grid_a1a.pk),
        ("3栋", tree.grid_a1a.pk),
    }
    assert selectors.building_list(user=staff, unplaced=True).count() == 0


def test_a_new_building_with_a_point_is_created_in_its_grid(tree, ledger, staff):
    estate = Estate.objects.get()
    building = assets.building_create(
        actor=staff,
        estate=estate,
        data=assets.BuildingData(number="9栋", lon=IN_A1A[0], lat=IN_A1A[1]),
    )
    assert building.area == tree.grid_a1a
    elsewhere = assets.building_create(
        actor=staff, estate=estate, data=assets.BuildingData(number="10栋", lon=0.5, lat=0.5)
    )
    assert elsewhere.area == tree.comm_a1  # outside every grid: left for a person to place


def test_the_ledgers_grid_column_places_new_buildings(tree, tmp_path):
    rows = [[*person_row(n), "甲一第二网格"] for n in range(3)]
    PersonImport(community=tree.comm_a1, actor=None).run(
        write_csv(tmp_path / "台账.csv", rows, header=[*HEADER, "网格"])
    )
    assert set(Building.objects.values_list("area", flat=True)) == {tree.grid_a1b.pk}
    assert set(Person.objects.values_list("area", flat=True)) == {tree.grid_a1b.pk}


# --- the console pages ------------------------------------------------------------------------


def test_the_building_list_offers_the_unplaced_and_places_the_ticked(client, tree, ledger, staff):
    client.force_login(staff)
    page = client.get(reverse("registry:building_list")).content.decode()
    assert "3 栋未归入网格" in page and "甲一第二网格" in page
    one, two, _ = Building.objects.order_by("number")
    response = client.post(
        reverse("registry:buildings_place"),
        {"grid": tree.grid_a1b.pk, "buildings": [one.pk, two.pk], "next": "/console/"},
    )
    assert response.status_code == 302 and response["Location"] == "/console/"
    assert set(Building.objects.filter(area=tree.grid_a1b).values_list("pk", flat=True)) == {
        one.pk,
        two.pk,
    }
    unplaced = client.get(reverse("registry:building_list"), {"unplaced": "1"})
    assert "1 栋未归入网格" in unplaced.content.decode()


def test_an_estate_is_placed_whole_and_bad_choices_are_named(client, tree, ledger, staff):
    client.force_login(staff)
    estate = Estate.objects.get()
    nothing = client.post(reverse("registry:buildings_place"), {"grid": tree.grid_a1a.pk})
    assert "请勾选要归入网格的楼栋或小区" in client.get(nothing["Location"]).content.decode()
    foreign = client.post(
        reverse("registry:buildings_place"), {"grid": tree.grid_a2a.pk, "estates": [estate.pk]}
    )
    assert "所选网格不在您的管辖范围内" in client.get(foreign["Location"]).content.decode()
    client.post(
        reverse("registry:buildings_place"), {"grid": tree.grid_a1a.pk, "estates": [estate.pk]}
    )
    assert set(Building.objects.values_list("area", flat=True)) == {tree.grid_a1a.pk}
    page = client.get(reverse("registry:estate_list")).content.decode()
    assert "将勾选小区的全部楼栋归入" in page


def test_locate_places_what_a_location_can_and_says_what_is_left(client, tree, ledger, staff):
    Building.objects.filter(number="1栋").update(lon=IN_A1A[0], lat=IN_A1A[1])
    client.force_login(staff)
    response = client.post(reverse("registry:buildings_locate"), follow=True)
    text = response.content.decode()
    assert "按位置归入 1 栋楼（4 位居民）；2 栋没有坐标或小区边界" in text
    assert Building.objects.get(number="1栋").area == tree.grid_a1a


def test_a_grid_worker_sees_no_place_form(client, tree, ledger, user_with):
    worker = user_with(Role.GRID_WORKER, tree.grid_a1a)
    client.force_login(worker)
    page = client.get(reverse("registry:building_list")).content.decode()
    assert "归入网格" not in page.replace("未归入网格", "")
