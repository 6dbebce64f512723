"""Writes of the core: validation with clear messages, permissions, audit entries."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from shequtong.core import selectors, services
from shequtong.core.audit import audit_verify
from shequtong.core.choices import AreaLevel, Role
from shequtong.core.errors import DomainError, NotFoundError, PermissionDeniedError
from shequtong.core.models import ApiToken, Area, AuditEntry, CalendarOverride, User
from tests.core.factories import UserFactory, square

pytestmark = pytest.mark.django_db


# --- area_create ----------------------------------------------------------------------------


def test_area_create_builds_the_path_and_audits(tree, district_admin):
    grid = services.area_create(
        actor=district_admin,
        name="乙一第二网格",
        level=AreaLevel.GRID,
        parent=tree.comm_b1,
        boundary=square(101.81, 26.50),
    )
    assert grid.path == f"{tree.comm_b1.path}{grid.pk}/"
    assert grid.depth == 3
    assert (grid.min_lon, grid.min_lat) == pytest.approx((101.81, 26.50))
    entry = AuditEntry.objects.get(action="area.create")
    assert (entry.actor, entry.area, entry.object_id) == (district_admin, grid, str(grid.pk))
    assert entry.changes["name"] == [None, "乙一第二网格"]


@pytest.mark.parametrize(
    ("level", "parent", "message"),
    [
        (AreaLevel.GRID, "sub_a", "网格的上级须为社区/村"),
        (AreaLevel.COMMUNITY, "district", "社区/村的上级须为街道/乡镇"),
        (AreaLevel.SUBDISTRICT, None, "街道/乡镇的上级须为区/县"),
        (AreaLevel.DISTRICT, "district", "区/县是最高层级，不能有上级"),
    ],
)
def test_area_create_checks_the_parent_level(tree, level, parent, message):
    with pytest.raises(DomainError) as info:
        services.area_create(
            actor=None,
            name="新区划",
            level=level,
            parent=getattr(tree, parent) if parent else None,
        )
    assert info.value.fields == {"parent": [message]}
    assert info.value.message == message
    assert not Area.objects.filter(name="新区划").exists()


def test_area_create_refuses_an_unknown_level(tree):
    with pytest.raises(DomainError) as info:
        services.area_create(actor=None, name="x", level="province", parent=None)
    assert "level" in info.value.fields


@pytest.mark.parametrize(
    "code", ["51040300100", "5104030011011", "51040300100A", "５１０４０３００１００３"]
)
def test_area_create_checks_the_code(tree, code):
    with pytest.raises(DomainError) as info:
        services.area_create(
            actor=None, name="甲三社区", level=AreaLevel.COMMUNITY, parent=tree.sub_a, code=code
        )
    assert info.value.fields == {"code": ["行政区划代码应为 12 位数字"]}


def test_area_create_refuses_a_duplicate_code_and_name(tree):
    with pytest.raises(DomainError) as info:
        services.area_create(
            actor=None,
            name="甲三社区",
            level=AreaLevel.COMMUNITY,
            parent=tree.sub_a,
            code=tree.comm_a1.code,
        )
    assert list(info.value.fields) == ["code"]
    with pytest.raises(DomainError) as info:
        services.area_create(
            actor=None, name=tree.comm_a1.name, level=AreaLevel.COMMUNITY, parent=tree.sub_a
        )
    assert info.value.fields


BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}


@pytest.mark.parametrize(
    ("boundary", "message"),
    [
        (BOWTIE, "自相交"),
        ({"type": "Point", "coordinates": [101.7, 26.5]}, "Polygon 或 MultiPolygon"),
        ({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "Polygon 或 MultiPolygon"),
        ([[0, 0], [1, 0], [1, 1]], "Polygon 或 MultiPolygon"),
        (square(181.0, 26.5), "超出经纬度范围"),
        (square(101.7, 90.5), "超出经纬度范围"),
        (square(-181.0, 0), "超出经纬度范围"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}, "无法解析"),
        ({"type": "Polygon", "coordinates": []}, "自相交或为空"),
        ({"type": "Polygon"}, "无法解析"),
    ],
)
def test_area_create_checks_the_boundary(tree, boundary, message):
    with pytest.raises(DomainError) as info:
        services.area_create(
            actor=None, name="新网格", level=AreaLevel.GRID, parent=tree.comm_a2, boundary=boundary
        )
    assert list(info.value.fields) == ["boundary"]
    assert message in info.value.fields["boundary"][0]


def test_area_create_accepts_a_multipolygon(tree):
    parts = [square(101.73, 26.5)["coordinates"], square(101.75, 26.5)["coordinates"]]
    grid = services.area_create(
        actor=None,
        name="飞地网格",
        level=AreaLevel.GRID,
        parent=tree.comm_a2,
        boundary={"type": "MultiPolygon", "coordinates": parts},
    )
    assert (grid.min_lon, grid.max_lon) == pytest.approx((101.73, 101.76))


def test_area_create_needs_change_on_the_parent(tree, grid_worker, user_with):
    with pytest.raises(PermissionDeniedError):
        services.area_create(
            actor=grid_worker, name="新网格", level=AreaLevel.GRID, parent=tree.comm_a1
        )
    sub_b_admin = user_with(Role.SUBDISTRICT_ADMIN, tree.sub_b)
    with pytest.raises(PermissionDeniedError):
        services.area_create(
            actor=sub_b_admin, name="新网格", level=AreaLevel.GRID, parent=tree.comm_a1
        )
    grid = services.area_create(
        actor=sub_b_admin, name="新网格", level=AreaLevel.GRID, parent=tree.comm_b1
    )
    assert grid.parent == tree.comm_b1


def test_only_a_superuser_or_the_system_creates_a_district(tree, district_admin):
    with pytest.raises(PermissionDeniedError):
        services.area_create(
            actor=district_admin, name="邻区", level=AreaLevel.DISTRICT, parent=None
        )
    boss = UserFactory(is_superuser=True)
    district = services.area_create(actor=boss, name="邻区", level=AreaLevel.DISTRICT, parent=None)
    assert district.path == f"/{district.pk}/"


# --- area_update ----------------------------------------------------------------------------


def test_area_update_audits_the_changed_fields(tree, district_admin):
    grid = tree.grid_a1a
    services.area_update(actor=district_admin, area=grid, name="甲一一网格", code="510403001101")
    grid.refresh_from_db()
    assert (grid.name, grid.code) == ("甲一一网格", "510403001101")
    entry = AuditEntry.objects.get(action="area.update")
    assert entry.changes == {"name": ["甲一第一网格", "甲一一网格"], "code": [None, "510403001101"]}
    assert entry.area == grid


def test_area_update_of_the_boundary_moves_the_bounding_box(tree, district_admin):
    services.area_update(actor=district_admin, area=tree.grid_a1a, boundary=square(101.90, 26.60))
    tree.grid_a1a.refresh_from_db()
    assert tree.grid_a1a.min_lon == pytest.approx(101.90)
    assert selectors.area_for_point(101.905, 26.605) == tree.grid_a1a
    assert set(AuditEntry.objects.get(action="area.update").changes) == {"boundary"}


def test_area_update_validates_and_changes_nothing_on_error(tree, district_admin):
    with pytest.raises(DomainError) as info:
        services.area_update(actor=district_admin, area=tree.grid_a1a, code="12")
    assert info.value.fields == {"code": ["行政区划代码应为 12 位数字"]}
    with pytest.raises(DomainError):
        services.area_update(actor=district_admin, area=tree.grid_a1b, boundary=BOWTIE)
    assert Area.objects.get(pk=tree.grid_a1a.pk).code is None
    assert not AuditEntry.objects.filter(action="area.update").exists()


def test_area_update_needs_change(tree, grid_worker):
    with pytest.raises(PermissionDeniedError):
        services.area_update(actor=grid_worker, area=tree.grid_a1a, name="我的网格")


# --- area_for_point -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lon", "lat", "grid"),
    [
        (101.705, 26.505, "grid_a1a"),
        (101.715, 26.505, "grid_a1b"),
        (101.725, 26.509, "grid_a2a"),
        (101.805, 26.501, "grid_b1a"),
    ],
)
def test_area_for_point_picks_the_grid(tree, lon, lat, grid):
    assert selectors.area_for_point(lon, lat) == getattr(tree, grid)


@pytest.mark.parametrize(("lon", "lat"), [(101.75, 26.505), (101.705, 26.52), (0.0, 0.0)])
def test_area_for_point_outside_every_grid_is_none(tree, lon, lat):
    assert selectors.area_for_point(lon, lat) is None


def test_area_for_point_tests_the_shape_not_just_the_box(tree):
    triangle = {
        "type": "Polygon",
        "coordinates": [[[102.0, 27.0], [102.02, 27.0], [102.0, 27.02], [102.0, 27.0]]],
    }
    grid = services.area_create(
        actor=None, name="三角网格", level=AreaLevel.GRID, parent=tree.comm_b1, boundary=triangle
    )
    assert selectors.area_for_point(102.002, 27.002) == grid
    assert selectors.area_for_point(102.018, 27.018) is None  # inside the box, outside the shape


# --- users and personal data ----------------------------------------------------------------


def test_user_create_stores_the_phone_normalized(district_admin):
    user = services.user_create(
        actor=district_admin,
        username="lisi",
        password="Str0ng-pass-2026",
        display_name="李四",
        phone="+86 139-1234-5678",
    )
    user.refresh_from_db()
    assert user.phone == "13912345678"
    assert user.check_password("Str0ng-pass-2026")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"password": "12345678"}, "password"),
        ({"password": "short"}, "password"),
        ({"username": "bad name!"}, "username"),
    ],
)
def test_user_create_reports_the_field(district_admin, kwargs, field):
    args = {"username": "zhaoliu", "password": "Str0ng-pass-2026", "display_name": "赵六"}
    with pytest.raises(DomainError) as info:
        services.user_create(actor=district_admin, **{**args, **kwargs})
    assert list(info.value.fields) == [field]
    assert not User.objects.filter(username=args["username"]).exists()


def test_pii_reveal_for_an_admin_is_audited(tree, district_admin, grid_worker):
    phone = services.pii_reveal(actor=district_admin, obj=grid_worker, field="phone")
    assert phone == User.objects.get(pk=grid_worker.pk).phone
    assert len(phone) == 11
    entry = AuditEntry.objects.get(action="pii.reveal")
    assert (entry.actor, entry.object_id, entry.area) == (
        district_admin,
        str(grid_worker.pk),
        tree.grid_a1a,
    )
    assert phone not in str(entry.changes)
    assert audit_verify().ok


def test_pii_reveal_is_refused_to_a_grid_worker(tree, grid_worker, user_with):
    colleague = user_with(Role.GRID_WORKER, tree.grid_a1a)
    with pytest.raises(PermissionDeniedError):
        services.pii_reveal(actor=grid_worker, obj=colleague, field="phone")
    assert not AuditEntry.objects.filter(action="pii.reveal").exists()


def test_pii_reveal_outside_the_admins_area_is_refused(tree, user_with):
    sub_b_admin = user_with(Role.SUBDISTRICT_ADMIN, tree.sub_b)
    in_a = user_with(Role.GRID_WORKER, tree.grid_a1a)
    with pytest.raises(PermissionDeniedError):
        services.pii_reveal(actor=sub_b_admin, obj=in_a, field="phone")


def test_pii_reveal_of_a_field_that_is_not_personal_data(district_admin, grid_worker):
    with pytest.raises(DomainError) as info:
        services.pii_reveal(actor=district_admin, obj=grid_worker, field="password")
    assert info.value.code == "invalid"


# --- API tokens -----------------------------------------------------------------------------


def test_api_token_round_trip(grid_worker):
    token, plaintext = services.api_token_create(actor=grid_worker, name="  采集终端 ")
    assert token.name == "采集终端"
    assert plaintext.startswith(f"sqt_{token.prefix}_")
    assert plaintext.split("_", 2)[2] not in token.key_hash
    assert services.api_token_authenticate(plaintext) == grid_worker
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t + "x",
        lambda t: t[:-1],
        lambda t: t.replace("sqt_", "abc_", 1),
        lambda t: "sqt_deadbeef0000_" + t.split("_", 2)[2],
        lambda t: "",
        lambda t: "sqt",
    ],
)
def test_api_token_authenticate_refuses_wrong_tokens(grid_worker, mangle):
    _, plaintext = services.api_token_create(actor=grid_worker, name="终端")
    assert services.api_token_authenticate(mangle(plaintext)) is None


def test_api_token_revoked_expired_or_of_an_inactive_user_is_refused(grid_worker):
    token, plaintext = services.api_token_create(actor=grid_worker, name="终端")
    services.api_token_revoke(actor=grid_worker, token=token)
    assert services.api_token_authenticate(plaintext) is None
    assert AuditEntry.objects.filter(action="token.revoke").count() == 1

    token, plaintext = services.api_token_create(
        actor=grid_worker, name="终端", expires_at=timezone.now() + timedelta(days=1)
    )
    assert services.api_token_authenticate(plaintext) == grid_worker
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.api_token_authenticate(plaintext) is None

    _, plaintext = services.api_token_create(actor=grid_worker, name="终端")
    User.objects.filter(pk=grid_worker.pk).update(is_active=False)
    assert services.api_token_authenticate(plaintext) is None


def test_api_token_of_another_user_cannot_be_revoked(grid_worker, district_admin):
    token, _ = services.api_token_create(actor=grid_worker, name="终端")
    with pytest.raises(NotFoundError):
        services.api_token_revoke(actor=district_admin, token=token)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"name": "  "}, "name"), ({"expires_at": timezone.now() - timedelta(days=1)}, "expires_at")],
)
def test_api_token_create_validates(grid_worker, kwargs, field):
    with pytest.raises(DomainError) as info:
        services.api_token_create(actor=grid_worker, **{"name": "终端", **kwargs})
    assert field in info.value.fields


# --- calendar overrides ---------------------------------------------------------------------


def test_calendar_override_is_for_district_admins(district_admin, grid_worker):
    with pytest.raises(PermissionDeniedError):
        services.calendar_override_set(
            actor=grid_worker, day=date(2026, 5, 9), is_working=False, note="x"
        )
    override = services.calendar_override_set(
        actor=district_admin, day=date(2026, 5, 9), is_working=False, note="本地调整"
    )
    services.calendar_override_set(
        actor=district_admin, day=date(2026, 5, 9), is_working=True, note="改回"
    )
    assert CalendarOverride.objects.get().is_working is True
    assert CalendarOverride.objects.get().pk == override.pk
    assert AuditEntry.objects.filter(action="calendar.override").count() == 2
    with pytest.raises(DomainError):
        services.calendar_override_set(
            actor=district_admin, day=date(2026, 5, 10), is_working=True, note=" "
        )
