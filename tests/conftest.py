"""Fixtures shared by every app's tests: a small area tree and users holding one grant each."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.utils.module_loading import autodiscover_modules
from huey.storage import SqliteStorage

from shequtong.core.choices import AreaLevel, Role
from shequtong.core.models import Area, User
from shequtong.core.reference import forget_all
from tests.core.factories import AreaTree, GrantedUserFactory, build_area_tree


@pytest.fixture(autouse=True)
def _fresh_reference_data() -> None:
    """Each test starts without the reference data an earlier one cached: its rows were rolled
    back, and SQLite hands their primary keys out again."""
    forget_all()


@pytest.fixture(autouse=True)
def _empty_task_queue() -> Iterator[None]:
    """Tasks run inline in test mode; what they scheduled (a retry) must not reach the next
    test."""
    yield
    settings.HUEY.flush()


@pytest.fixture
def task_queue(tmp_path) -> Iterator[Any]:
    """Tasks queued for real, in a SQLite queue of this test's own, instead of run inline."""
    huey = settings.HUEY
    storage = huey.storage
    huey.immediate = False
    huey.storage = SqliteStorage(name="shequtong", filename=str(tmp_path / "tasks.sqlite3"))
    yield huey
    huey.immediate = True
    huey.storage = storage


@pytest.fixture
def task_worker(task_queue) -> Iterator[Any]:
    """A real Huey consumer on that queue, in threads of this process (so it sees the test
    database): tasks run as `shequtong worker` runs them. For tests with `transaction=True`,
    since the worker's threads cannot see an open test transaction."""
    autodiscover_modules("tasks")
    consumer = task_queue.create_consumer(workers=2, worker_type="thread", periodic=False)
    consumer._set_signal_handlers = lambda: None  # pytest keeps its own Ctrl-C
    consumer.start()
    yield task_queue
    consumer.stop(graceful=True)


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
