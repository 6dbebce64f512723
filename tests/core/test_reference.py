"""Reference data kept per process: reused, dropped on a write here, expiring for the others."""

from __future__ import annotations

from datetime import date

import pytest

from shequtong.core import calendar, reference, selectors, services
from shequtong.core.choices import Role
from shequtong.core.models import Area, CalendarOverride, RoleGrant
from shequtong.core.reference import ReferenceCache
from tests.core.factories import square


class Loads:
    """A load function that counts its calls and answers what `answer` holds."""

    def __init__(self) -> None:
        self.calls: list[object] = []
        self.answer = "first"

    def __call__(self, key: object) -> str:
        self.calls.append(key)
        return f"{self.answer}:{key}"


@pytest.fixture
def loads() -> Loads:
    return Loads()


@pytest.fixture
def cache(loads: Loads):
    made = ReferenceCache(loads, models=("core.CalendarOverride",))
    yield made
    reference._ALL.remove(made)


def test_a_value_is_loaded_once_per_key(cache, loads):
    assert [cache.get("a"), cache.get("a"), cache.get("b")] == ["first:a", "first:a", "first:b"]
    assert loads.calls == ["a", "b"]


def test_a_write_in_this_process_drops_every_key(db, cache, loads):
    cache.get("a")
    loads.answer = "second"
    CalendarOverride.objects.create(day=date(2027, 1, 4), is_working=False, note="测试")
    assert cache.get("a") == "second:a"
    CalendarOverride.objects.all().delete()
    loads.answer = "third"
    assert cache.get("a") == "third:a"


def test_writes_of_other_models_keep_the_values(db, cache, loads, tree):
    cache.get("a")
    Area.objects.filter(pk=tree.grid_a1a.pk).first().save()
    assert loads.calls == ["a"]


def test_values_expire_after_the_ttl_for_writes_in_other_processes(
    cache, loads, monkeypatch, settings
):
    settings.SHEQUTONG_REFERENCE_TTL = 60
    now = [1000.0]
    monkeypatch.setattr(reference.time, "monotonic", lambda: now[0])
    cache.get("a")
    now[0] += 59
    loads.answer = "second"
    assert cache.get("a") == "first:a"
    now[0] += 2
    assert cache.get("a") == "second:a"


def test_a_load_overtaken_by_a_write_is_not_kept(cache, loads):
    """A save landing while the load reads the old rows: that answer serves its caller only."""

    def racing(key: object) -> str:
        cache.forget()  # the write, committed while this load was reading
        return Loads.__call__(loads, key)

    cache._load = racing
    assert cache.get("a") == "first:a"
    cache._load = loads
    loads.answer = "second"
    assert cache.get("a") == "second:a"


def test_forget_all_drops_every_cache(cache, loads):
    cache.get("a")
    reference.forget_all()
    cache.get("a")
    assert loads.calls == ["a", "a"]


# --- what the platform keeps ----------------------------------------------------------------


def test_the_grid_found_is_a_copy(tree):
    found = selectors.area_for_point(101.705, 26.505)
    found.path = "/changed/"
    assert selectors.area_for_point(101.705, 26.505).path == tree.grid_a1a.path


def test_a_boundary_redrawn_here_routes_the_next_report(tree, district_admin):
    assert selectors.area_for_point(101.905, 26.605) is None
    services.area_update(actor=district_admin, area=tree.grid_a1b, boundary=square(101.90, 26.60))
    assert selectors.area_for_point(101.905, 26.605) == tree.grid_a1b


def test_who_is_told_follows_grants_and_leavers(tree, district_admin, user_with):
    worker = user_with(Role.GRID_WORKER, tree.grid_a1a)
    path = tree.grid_a1a.path
    assert selectors.users_granted(roles={Role.GRID_WORKER}, area_path=path) == [worker]
    newcomer = user_with(Role.GRID_WORKER, tree.grid_a1a)
    assert selectors.users_granted(roles={Role.GRID_WORKER}, area_path=path) == [worker, newcomer]
    services.role_revoke(actor=district_admin, grant=RoleGrant.objects.get(user=worker))
    newcomer.is_active = False
    newcomer.save()
    assert selectors.users_granted(roles={Role.GRID_WORKER}, area_path=path) == []


def test_a_calendar_override_counts_at_once(db, district_admin):
    monday = date(2027, 3, 1)
    assert calendar.is_working_day(monday)
    services.calendar_override_set(actor=district_admin, day=monday, is_working=False, note="停电")
    assert not calendar.is_working_day(monday)
    assert calendar.add_working_days(date(2027, 2, 26), 1) == date(2027, 3, 2)


def test_a_value_read_by_another_thread_before_the_commit_is_dropped_at_commit(
    db, cache, loads, django_capture_on_commit_callbacks
):
    """A write drops the copy at once; another thread may load the old committed row before
    the transaction commits and keep it: the commit drops that copy too."""
    cache.get("a")
    with django_capture_on_commit_callbacks(execute=True):
        CalendarOverride.objects.create(day=date(2027, 1, 4), is_working=False, note="测试")
        cache.get("a")  # what another thread would load meanwhile: the old value
        assert loads.calls == ["a", "a"]
    loads.answer = "committed"
    assert cache.get("a") == "committed:a"


def test_a_sign_in_keeps_the_people_granted_an_area(db, tree, grid_worker, client):
    selectors.users_granted(roles={Role.GRID_WORKER}, area_path=tree.grid_a1a.path)
    loaded = selectors._granted._generation
    client.force_login(grid_worker)  # login() saves last_login
    grid_worker.refresh_from_db()
    assert grid_worker.last_login is not None
    assert selectors._granted._generation == loaded  # last_login saved, nothing dropped
    grid_worker.display_name = "改名"
    grid_worker.save()
    assert selectors._granted._generation > loaded
