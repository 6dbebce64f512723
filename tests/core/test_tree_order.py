"""Areas in the order people count them: 第1网格, 第2网格 … 第10网格 under their community,
whatever order they were made in (the id path once put 第7、8网格 before 第1网格)."""

from __future__ import annotations

import pytest

from shequtong.core.choices import AreaLevel, Role
from shequtong.core.selectors import in_tree_order
from shequtong.web.scope import scope_choices
from tests.core.factories import area_build

pytestmark = pytest.mark.django_db


def test_siblings_in_natural_order_each_under_its_parent(tree, user_with):
    for name in ("第10网格", "第2网格", "第1网格"):
        area_build(name=name, level=AreaLevel.GRID, parent=tree.comm_a2)
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a2)
    names = [a.name for a in scope_choices(staff)]
    assert names == ["甲二社区", "甲二第一网格", "第1网格", "第2网格", "第10网格"]
    everything = [a.name for a in in_tree_order(type(tree.district).objects.all())]
    assert (
        everything.index("甲一社区")
        < everything.index("甲一第一网格")
        < everything.index("甲二社区")
    )
