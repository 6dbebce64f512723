"""The demo district (core.demo) and the commands around it: seed, demo, serve."""

from __future__ import annotations

import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import RequestFactory, override_settings
from shapely.geometry import shape

from shequtong.core.audit import audit_verify
from shequtong.core.choices import AreaLevel, Role
from shequtong.core.demo import DEMO_PASSWORD, DISTRICT_CODE, plan_demo, seed_demo
from shequtong.core.management.commands.demo import console_url
from shequtong.core.management.commands.serve import granian_argv
from shequtong.core.models import Area, AuditEntry, Department, RoleGrant, User

pytestmark = pytest.mark.django_db

ALL_INTERFACES = "0.0.0.0"  # noqa: S104  (the serve command's default, compared, not bound)
PLAN = plan_demo()
PLANNED = [p.username for p in PLAN.people]
GRIDS = len(PLAN.areas_at(AreaLevel.GRID))


@pytest.fixture(scope="class")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo district, seeded once for a class of tests and rolled back after them.

    Each test still runs in its own savepoint (the `db` fixture), so what one test writes
    (a failed login, a second seed) never reaches the next.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo()
        yield
        transaction.set_rollback(True)


def _counts() -> dict[str, int]:
    return {
        "areas": Area.objects.count(),
        "users": User.objects.count(),
        "grants": RoleGrant.objects.count(),
        "departments": Department.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


@pytest.mark.usefixtures("seeded")
class TestTheSeededDistrict:
    # --- the tree and its boundaries -----------------------------------------------------------

    def test_the_tree_has_one_district_two_streets_six_communities_and_about_forty_grids(self):
        per_level = {level: Area.objects.filter(level=level).count() for level in AreaLevel.values}
        assert per_level[AreaLevel.DISTRICT] == 1
        assert per_level[AreaLevel.SUBDISTRICT] == 2
        assert per_level[AreaLevel.COMMUNITY] == 6
        assert 36 <= per_level[AreaLevel.GRID] <= 48
        assert per_level[AreaLevel.GRID] == GRIDS
        district = Area.objects.get(code=DISTRICT_CODE)
        assert district.name == "九龙坡区"
        community = Area.objects.get(name="杨家坪社区")
        assert community.parent.name == "杨家坪街道"
        assert community.parent.parent == district
        # Every community holds 6 to 8 grids, named after it.
        for community in Area.objects.filter(level=AreaLevel.COMMUNITY):
            names = sorted(community.children.values_list("name", flat=True))
            assert 6 <= len(names) <= 8
            assert all(re.fullmatch(rf"{community.name}第\d+网格", name) for name in names)

    def test_every_area_has_a_boundary_inside_its_parents(self):
        for area in Area.objects.select_related("parent"):
            assert area.boundary["type"] == "Polygon"
            geometry = shape(area.boundary)
            assert geometry.is_valid
            if area.parent is not None:
                assert shape(area.parent.boundary).covers(geometry), area.name
        west, south, east, north = shape(Area.objects.get(code=DISTRICT_CODE).boundary).bounds
        assert (west, south, east, north) == (106.47, 29.47, 106.56, 29.54)

    def test_children_tile_their_parent_without_overlapping(self):
        for parent in Area.objects.exclude(level=AreaLevel.GRID):
            children = [shape(child.boundary) for child in parent.children.all()]
            for a, b in combinations(children, 2):
                assert a.intersection(b).area == pytest.approx(0, abs=1e-12)
            # No overlap and the same total area: the children cover the parent exactly.
            assert sum(c.area for c in children) == pytest.approx(shape(parent.boundary).area)

    def test_grids_do_not_overlap_across_the_whole_district(self):
        grids = [shape(g.boundary) for g in Area.objects.filter(level=AreaLevel.GRID)]
        for a, b in combinations(grids, 2):
            assert a.intersection(b).area == pytest.approx(0, abs=1e-12)

    def test_codes_are_twelve_digits_unique_and_nested(self):
        coded = list(Area.objects.exclude(code=None).select_related("parent"))
        assert {a.level for a in coded} == {
            AreaLevel.DISTRICT,
            AreaLevel.SUBDISTRICT,
            AreaLevel.COMMUNITY,
        }
        codes = [a.code for a in coded]
        assert len(codes) == len(set(codes)) == 9
        assert all(re.fullmatch(r"[0-9]{12}", code) for code in codes)
        assert all(code.startswith("500107") for code in codes)
        for area in coded:
            if area.level == AreaLevel.SUBDISTRICT:
                assert area.code.endswith("000")
            if area.level == AreaLevel.COMMUNITY:
                assert area.code[:9] == area.parent.code[:9]

    # --- people --------------------------------------------------------------------------------

    def test_every_role_has_at_least_one_user(self):
        for role in Role:
            assert RoleGrant.objects.filter(role=role).exists(), role.label

    def test_grid_yangjiaping_01_works_one_grid_of_yangjiaping_community(self):
        grants = list(RoleGrant.objects.filter(user__username="grid_yangjiaping_01"))
        assert len(grants) == 1
        assert grants[0].role == Role.GRID_WORKER
        assert grants[0].area.level == AreaLevel.GRID
        assert grants[0].area.parent.name == "杨家坪社区"

    def test_each_grid_has_exactly_one_grid_worker(self):
        for grid in Area.objects.filter(level=AreaLevel.GRID):
            assert RoleGrant.objects.filter(area=grid, role=Role.GRID_WORKER).count() == 1

    def test_street_admins_community_staff_and_department_handlers_sit_where_expected(self):
        assert set(
            RoleGrant.objects.filter(role=Role.SUBDISTRICT_ADMIN).values_list(
                "user__username", "area__name"
            )
        ) == {("street_yangjiaping", "杨家坪街道"), ("street_xiejiawan", "谢家湾街道")}
        staff = RoleGrant.objects.filter(role=Role.COMMUNITY_STAFF).select_related("user", "area")
        assert len(staff) == 6
        assert all(g.area.level == AreaLevel.COMMUNITY for g in staff)
        assert RoleGrant.objects.get(user__username="community_yangjiaping_01").area.name == (
            "杨家坪社区"
        )
        departments = Department.objects.all()
        assert {d.area.level for d in departments} == {AreaLevel.SUBDISTRICT}
        assert {"杨家坪派出所", "谢家湾派出所"} <= {d.name for d in departments}
        for department in departments:
            handler = RoleGrant.objects.get(role=Role.DEPARTMENT_HANDLER, department=department)
            assert handler.area == department.area
            assert handler.user.department == department

    def test_names_are_chinese_and_phones_are_mainland_mobiles(self):
        users = list(User.objects.all())
        assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,3}", u.display_name) for u in users)
        phones = [u.phone for u in users]
        assert all(re.fullmatch(r"1[3-9][0-9]{9}", phone) for phone in phones)
        assert len(set(phones)) == len(phones)

    def test_the_demo_password_signs_in(self):
        request = RequestFactory().post("/console/login/")  # django-axes needs a request
        for username in ("district_admin", "auditor", "grid_yangjiaping_01", "resident_01"):
            user = authenticate(request=request, username=username, password=DEMO_PASSWORD)
            assert user is not None and user.username == username
        assert authenticate(request=request, username="auditor", password="wrong-password") is None

    def test_every_write_is_audited_and_the_chain_verifies(self):
        entries = AuditEntry.objects.all()
        assert entries.filter(action="area.create").count() == Area.objects.count()
        planned = User.objects.filter(username__in=PLANNED)
        assert entries.filter(action="user.create").count() == planned.count() == len(PLANNED)
        # The rest are phone-code accounts the participation demo made (a resident waiting for
        # the community, the volunteer teams' organisation accounts), audited as such.
        others = User.objects.exclude(username__in=PLANNED).count()
        made = entries.filter(action__in=["account.signup", "account.org_open"]).count()
        assert others == made > 0
        assert entries.filter(action="grant.create").count() == RoleGrant.objects.count()
        assert entries.filter(action="department.create").count() == Department.objects.count()
        assert entries.filter(action="demo.seed").count() == 1
        assert audit_verify().ok

    def test_the_database_holds_exactly_the_plan(self):
        assert list(
            User.objects.filter(username__in=PLANNED)
            .order_by("pk")
            .values_list("username", "display_name", "phone")
        ) == [(p.username, p.display_name, p.phone) for p in PLAN.people]
        assert list(Area.objects.order_by("pk").values_list("name", "code", "boundary")) == [
            (a.name, a.code, a.boundary) for a in PLAN.areas
        ]

    def test_seeding_twice_changes_nothing(self):
        before = _counts()
        result = seed_demo()
        assert not result.created
        assert _counts() == before
        assert len(result.logins) == RoleGrant.objects.count()
        assert ("grid_yangjiaping_01", Role.GRID_WORKER.label, "杨家坪社区第1网格") in result.logins


# --- the guarantees of the generator -------------------------------------------------------


@override_settings(
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
)
def test_with_argon2_the_password_is_hashed_once_and_every_user_stores_that_hash():
    """Demo mode's hasher costs ~0.17 s a hash: one hash for all keeps seeding within seconds,
    and the cheap hashes `user_create` made meanwhile must all be replaced before commit."""
    with mock.patch.object(
        Argon2PasswordHasher, "encode", autospec=True, side_effect=Argon2PasswordHasher.encode
    ) as encode:
        seed_demo()
    assert encode.call_count == 1
    planned = [p.username for p in plan_demo().people]
    hashes = set(User.objects.filter(username__in=planned).values_list("password", flat=True))
    assert len(hashes) == 1
    # Accounts that sign in by SMS code only have no password at all.
    assert not any(u.has_usable_password() for u in User.objects.exclude(username__in=planned))
    assert next(iter(hashes)).startswith("argon2$")
    assert User.objects.get(username="street_xiejiawan").check_password(DEMO_PASSWORD)


def test_the_plan_is_the_same_in_every_process(tmp_path):
    """Two fresh interpreters with different hash seeds plan the same district."""
    script = (
        "import dataclasses, json, django; django.setup();"
        "from shequtong.core.demo import plan_demo;"
        "print(json.dumps(dataclasses.asdict(plan_demo()), ensure_ascii=False))"
    )
    outputs = []
    for hash_seed in ("1", "2"):
        env = _env(tmp_path, SHEQUTONG_MODE="test", PYTHONHASHSEED=hash_seed)
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1]
    assert [p["username"] for p in outputs[0]["people"]] == [p.username for p in PLAN.people]
    assert [p["display_name"] for p in outputs[0]["people"]] == [
        p.display_name for p in PLAN.people
    ]


def test_scale_two_doubles_the_grids_and_keeps_everyone_else():
    out = io.StringIO()
    call_command("seed", "--scale", "2", stdout=out)
    assert f"共 {2 * GRIDS} 名网格员" in out.getvalue()
    assert Area.objects.filter(level=AreaLevel.GRID).count() == 2 * GRIDS
    assert Area.objects.filter(level=AreaLevel.COMMUNITY).count() == 6
    assert RoleGrant.objects.filter(role=Role.GRID_WORKER).count() == 2 * GRIDS
    # The scale-1 tour still holds: same streets, same staff, same names.
    others = {p.username: p.display_name for p in PLAN.people if p.role != Role.GRID_WORKER}
    assert (
        dict(User.objects.filter(username__in=others).values_list("username", "display_name"))
        == others
    )
    grant = RoleGrant.objects.get(user__username="grid_yangjiaping_01")
    assert grant.area.parent.name == "杨家坪社区"


def test_plan_refuses_a_scale_below_one():
    with pytest.raises(ValueError):
        plan_demo(scale=0)


# --- commands ------------------------------------------------------------------------------


def test_seed_prints_every_roles_logins_and_the_password():
    out = io.StringIO()
    call_command("seed", stdout=out)
    text = out.getvalue()
    for role in Role:
        assert role.label in text
    for username in ("district_admin", "auditor", "street_yangjiaping", "grid_yangjiaping_01"):
        assert username in text
    assert f"共 {GRIDS} 名网格员" in text
    assert "grid_zhengjie_06" not in text  # only a few grid workers are listed
    assert DEMO_PASSWORD in text


def test_seed_command_rejects_a_scale_below_one():
    with pytest.raises(CommandError):
        call_command("seed", "--scale", "0", stdout=io.StringIO())


@override_settings(MODE="production")
def test_seed_command_refuses_production_mode_without_force():
    with pytest.raises(CommandError, match="生产模式"):
        call_command("seed", stdout=io.StringIO())
    assert not Area.objects.exists()
    call_command("seed", "--force", stdout=io.StringIO())
    assert Area.objects.filter(code=DISTRICT_CODE).exists()


def test_demo_command_needs_demo_mode():
    with pytest.raises(CommandError, match="SHEQUTONG_MODE=demo"):
        call_command("demo", "--no-serve", stdout=io.StringIO())
    assert not Area.objects.exists()


@override_settings(MODE="demo")
def test_demo_command_migrates_seeds_prints_the_url_and_serves_without_reloader():
    out = io.StringIO()
    module = "shequtong.core.management.commands.demo"
    with mock.patch(f"{module}.call_command") as called:
        call_command("demo", "--addr", "127.0.0.1:8123", stdout=out)
    assert [c.args[0] for c in called.call_args_list] == ["migrate", "runserver"]
    assert called.call_args_list[1] == mock.call("runserver", "127.0.0.1:8123", use_reloader=False)
    assert "http://127.0.0.1:8123/console/" in out.getvalue()
    assert "grid_yangjiaping_01" in out.getvalue()
    assert Area.objects.filter(code=DISTRICT_CODE).exists()


@override_settings(MODE="demo")
def test_demo_command_with_no_serve_really_migrates_and_returns():
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    assert "http://127.0.0.1:8000/console/" in out.getvalue()
    assert User.objects.filter(username="district_admin").exists()


@pytest.mark.parametrize(
    ("addr", "url"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000/console/"),
        ("0.0.0.0:9000", "http://127.0.0.1:9000/console/"),
        ("8001", "http://127.0.0.1:8001/console/"),
        ("192.168.1.5:80", "http://192.168.1.5:80/console/"),
    ],
)
def test_console_url_names_an_address_a_browser_can_open(addr, url):
    assert console_url(addr) == url


def test_serve_builds_the_granian_wsgi_command_line():
    assert granian_argv(host=ALL_INTERFACES, port=8000, workers=4, threads=2) == [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        ALL_INTERFACES,
        "--port",
        "8000",
        "--workers",
        "4",
        "--blocking-threads",
        "2",
        "--respawn-failed-workers",
        "shequtong.wsgi:application",
    ]


def test_serve_checks_then_execs_granian_with_one_worker_per_cpu_by_default():
    module = "shequtong.core.management.commands.serve"
    with mock.patch(f"{module}.os.execv") as execv:
        call_command("serve", "--port", "8124", stdout=io.StringIO(), stderr=io.StringIO())
    argv = execv.call_args.args[1]
    assert execv.call_args.args[0] == sys.executable
    assert argv == granian_argv(
        host=ALL_INTERFACES, port=8124, workers=os.cpu_count() or 1, threads=1
    )


def test_serve_rejects_zero_workers():
    with pytest.raises(CommandError):
        call_command("serve", "--workers", "0", stdout=io.StringIO())


def _env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DJANGO_"))}
    env.update(DJANGO_SETTINGS_MODULE="shequtong.settings", SHEQUTONG_VAR_DIR=str(var_dir), **extra)
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (local http)
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def test_serve_really_serves_the_app_with_granian(tmp_path):
    env = _env(tmp_path, SHEQUTONG_MODE="demo")
    cli = [sys.executable, "-m", "shequtong.cli"]
    migrated = subprocess.run(
        [*cli, "migrate", "-v0"], env=env, capture_output=True, text=True, timeout=120
    )
    assert migrated.returncode == 0, migrated.stderr
    port = _free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline, status = time.monotonic() + 30, None
        while time.monotonic() < deadline and server.poll() is None:
            status = _get(f"http://127.0.0.1:{port}/api/v1/openapi.json")
            if status is not None:
                break
            time.sleep(0.2)
        assert status == 200, server.stdout.read() if server.poll() is not None else status
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json") as r:
            assert json.load(r)["openapi"].startswith("3.")
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait(timeout=5)
