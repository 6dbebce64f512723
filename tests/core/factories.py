from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import factory

from shequtong.core import services
from shequtong.core.choices import AreaLevel, DepartmentKind, Role
from shequtong.core.models import Area, Department, RoleGrant, User
from shequtong.core.services import area_build

PASSWORD = "Test-pass-2026"


def square(lon: float, lat: float, size: float = 0.01) -> dict[str, Any]:
    """A GeoJSON square with its south-west corner at (lon, lat)."""
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@dataclass
class AreaTree:
    district: Area
    sub_a: Area
    sub_b: Area
    comm_a1: Area
    comm_a2: Area
    comm_b1: Area
    grid_a1a: Area
    grid_a1b: Area
    grid_a2a: Area
    grid_b1a: Area

    @property
    def by_level(self) -> dict[str, Area]:
        """One area of each level, all on the A1a branch."""
        return {
            AreaLevel.DISTRICT: self.district,
            AreaLevel.SUBDISTRICT: self.sub_a,
            AreaLevel.COMMUNITY: self.comm_a1,
            AreaLevel.GRID: self.grid_a1a,
        }

    @property
    def all(self) -> list[Area]:
        return list(self.__dict__.values())


def build_area_tree() -> AreaTree:
    d = area_build(name="测试区", level=AreaLevel.DISTRICT, parent=None, code="510403000000")
    sa = area_build(name="甲街道", level=AreaLevel.SUBDISTRICT, parent=d, code="510403001000")
    sb = area_build(name="乙街道", level=AreaLevel.SUBDISTRICT, parent=d, code="510403002000")
    a1 = area_build(name="甲一社区", level=AreaLevel.COMMUNITY, parent=sa, code="510403001001")
    a2 = area_build(name="甲二社区", level=AreaLevel.COMMUNITY, parent=sa, code="510403001002")
    b1 = area_build(name="乙一社区", level=AreaLevel.COMMUNITY, parent=sb, code="510403002001")
    return AreaTree(
        district=d,
        sub_a=sa,
        sub_b=sb,
        comm_a1=a1,
        comm_a2=a2,
        comm_b1=b1,
        grid_a1a=area_build(
            name="甲一第一网格", level=AreaLevel.GRID, parent=a1, boundary=square(101.70, 26.50)
        ),
        grid_a1b=area_build(
            name="甲一第二网格", level=AreaLevel.GRID, parent=a1, boundary=square(101.71, 26.50)
        ),
        grid_a2a=area_build(
            name="甲二第一网格", level=AreaLevel.GRID, parent=a2, boundary=square(101.72, 26.50)
        ),
        grid_b1a=area_build(
            name="乙一第一网格", level=AreaLevel.GRID, parent=b1, boundary=square(101.80, 26.50)
        ),
    )


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"部门{n}")
    kind = DepartmentKind.POLICE
    area_path = factory.LazyAttribute(lambda o: o.area.path)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"测试用户{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(self: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            self.save()


def GrantedUserFactory(*, role: str, area: Area, **extra: Any) -> User:  # noqa: N802
    """A user with exactly one grant, placed directly (no audit entry to count around) but
    checked by `grant_check`, so only a grant the platform allows can be tested."""
    user = UserFactory(**extra)
    department = None
    if role == Role.DEPARTMENT_HANDLER:
        department = DepartmentFactory(area=area)
    services.grant_check(role=role, area=area, department=department)
    RoleGrant.objects.create(
        user=user, role=role, area=area, area_path=area.path, department=department
    )
    return user
