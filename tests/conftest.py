"""Fixtures shared by every app's tests: a small area tree and users holding one grant each."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from shequtong.core.choices import AreaLevel, Role
from shequtong.core.models import Area, User
from shequtong.core.reference import forget_all
from tests.core.factories import AreaTree, GrantedUserFactory, build_area_tree


@pytest.fixture(autouse=True)
def _fresh_reference_data() -> None:
    """Each test starts without the reference data an earlier one cached: its rows were rolled
    back, and SQLite hands their primary keys out again."""
    forget_all()


@pytest.fixture
def tree(db: None) -> AreaTree:
    """district ─┬ subdistrict A ─┬ community A1 ─┬ grid A1a
    │                │               └ grid A1b
    │                └ community A2 ── grid A2a
    └ subdistrict B ── community B1 ── grid B1a
    """
    return build_area_tree()


@pytest.fixture
def user_with(db: None) -> Callable[..., User]:
    """`user_with(Role.GRID_WORKER, area)`: a fresh active user holding exactly that grant."""

    def make(role: str, area: Area, **extra: object) -> User:
        return GrantedUserFactory(role=role, area=area, **extra)

    return make


@pytest.fixture
def grid_worker(tree: AreaTree, user_with: Callable[..., User]) -> User:
    return user_with(Role.GRID_WORKER, tree.grid_a1a)


@pytest.fixture
def district_admin(tree: AreaTree, user_with: Callable[..., User]) -> User:
    return user_with(Role.DISTRICT_ADMIN, tree.district)


__all__ = ["AreaLevel"]
