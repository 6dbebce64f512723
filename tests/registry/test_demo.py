"""The demo residents: in every community, placed in grids, the same on every run."""

from __future__ import annotations

import pytest

from shequtong.core.choices import AreaLevel, Role
from shequtong.core.demo import seed_demo
from shequtong.core.models import Area, RoleGrant, User
from shequtong.registry import selectors
from shequtong.registry.demo import PEOPLE_PER_COMMUNITY, ledger_rows
from shequtong.registry.models import Person

pytestmark = pytest.mark.django_db


def test_every_community_gets_its_residents_in_its_grids():
    seed_demo()
    for community in Area.objects.filter(level=AreaLevel.COMMUNITY):
        # Besides the demo resident logins' own records (the participation demo adds those).
        people = Person.objects.filter(area_path__startswith=community.path).exclude(
            claims__user__username__startswith="resident_"
        )
        assert people.count() == PEOPLE_PER_COMMUNITY
        assert not people.filter(area=community).exists()  # every building is in a grid
    worker = User.objects.get(username="grid_yangjiaping_01")
    grid = RoleGrant.objects.get(user=worker, role=Role.GRID_WORKER).area
    seen = selectors.person_search(user=worker)
    assert seen.exists() and set(seen.values_list("area", flat=True)) == {grid.pk}


def test_the_ledger_is_the_same_on_every_run():
    community = Area(name="杨家坪社区", code="500107001001")
    grids = ["第1网格", "第2网格"]
    assert ledger_rows(community, grids, 40, 1) == ledger_rows(community, grids, 40, 1)
    rows = ledger_rows(community, grids, 200, 1)
    doors: dict[tuple[str, ...], list[list[str]]] = {}
    for row in rows:  # estate, building, unit, door: one household behind each door
        doors.setdefault((row[3], row[4], row[6], row[7]), []).append(row)
    children = [r for r in rows if r[8] in ("子", "女")]
    assert len(children) >= 20
    for members in doors.values():
        (head,) = [m for m in members if m[8] == "户主"]
        for member in members:
            if member[8] in ("子", "女"):
                assert member[0][0] == head[0][0], (head[0], member[0])
