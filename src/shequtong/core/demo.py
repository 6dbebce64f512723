"""The demo district: one 区, 2 街道, 6 社区, ~40 网格 with boundaries, departments and staff.

Two halves. `plan_demo` is pure: from a fixed seed it decides every name, code, polygon, login
and phone number, so every run (any machine, any PYTHONHASHSEED) yields the same district and
a tour written against it (`grid_yangjiaping_01` …) stays true. `seed_demo` carries the plan
out through the core services, so the demo's own writes are audited like any other.

All demo logins share one public password; `shequtong seed` refuses production mode for that
reason.
"""

from __future__ import annotations

import math
import random
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TextIO

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test.utils import override_settings

from .audit import audit_record
from .choices import AreaLevel, DepartmentKind, Role
from .errors import DomainError
from .models import Area, Department, RoleGrant, User
from .services import area_create, role_grant, user_create

# Public on purpose: printed by `shequtong demo` and `shequtong seed`. Passes Django's validators.
DEMO_PASSWORD = "Shequ@2026demo"  # noqa: S105
DEMO_SEED = 2026
DISTRICT_CODE = "500107000000"

# District box (WGS-84) around 杨家坪/谢家湾 in 九龙坡区, Chongqing.
DISTRICT_BOX = (106.47, 29.47, 106.56, 29.54)  # west, south, east, north
_DIGITS = 6  # ~0.1 m: shared edges are the same rounded float on both sides

# (name, code, pinyin, [(community name, pinyin), …]); the first community is the one
# the README's tour signs into (grid_yangjiaping_01).
SUBDISTRICTS: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "杨家坪街道",
        "500107001000",
        "yangjiaping",
        (("杨家坪社区", "yangjiaping"), ("西郊路社区", "xijiaolu"), ("横街社区", "hengjie")),
    ),
    (
        "谢家湾街道",
        "500107003000",
        "xiejiawan",
        (("谢家湾社区", "xiejiawan"), ("鹤兴路社区", "hexinglu"), ("正街社区", "zhengjie")),
    ),
)

# Departments each street office dispatches to; the name pattern takes the street's short name.
DEPARTMENTS: tuple[tuple[str, str], ...] = (
    (DepartmentKind.POLICE, "{short}派出所"),
    (DepartmentKind.CITY_MANAGEMENT, "{short}城管执法中队"),
    (DepartmentKind.MARKET, "{short}市场监管所"),
    (DepartmentKind.FIRE, "{short}消防救援站"),
    (DepartmentKind.HOUSING, "{short}街道住建办"),
    (DepartmentKind.CIVIL_AFFAIRS, "{short}街道民政办"),
)

GRIDS_PER_COMMUNITY = (6, 8)  # at scale 1, inclusive
RESIDENTS = 4

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢钟谭陆汪范金廖贾夏付方邹熊秦邱江尹雷侯龙陶黎贺顾毛冉向"
)
_GIVEN_PAIRS_TEXT = (
    "建国 志强 秀兰 丽华 晓燕 海峰 思远 雨涵 子轩 欣怡 俊杰 婷婷 浩然 文博 嘉怡 玉梅 春燕 德明 "
    "永红 国庆 红梅 桂芳 晓东 明辉 佳琪 宇航 梓涵 一鸣 诗雨 泽宇 小芳 大勇 雪梅 家豪 伟东 云霞"
)
_GIVEN_PAIRS = tuple(_GIVEN_PAIRS_TEXT.split())
_GIVEN_SINGLE = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚鑫宇浩婷琳彬斌晶"
# Mainland mobile prefixes of the three carriers.
_MOBILE_PREFIXES_TEXT = (
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 "
    "173 177 180 181 182 183 185 186 187 188 189 191 199"
)
_MOBILE_PREFIXES = tuple(_MOBILE_PREFIXES_TEXT.split())


# --- the plan (pure) -----------------------------------------------------------------------


@dataclass(frozen=True)
class AreaPlan:
    name: str  # unique across the demo, so it doubles as the key
    level: str
    parent: str | None
    code: str | None
    boundary: dict[str, Any]


@dataclass(frozen=True)
class DepartmentPlan:
    name: str
    kind: str
    area: str


@dataclass(frozen=True)
class PersonPlan:
    username: str
    display_name: str
    phone: str
    role: str
    area: str
    department: str | None = None


@dataclass(frozen=True)
class DemoPlan:
    areas: tuple[AreaPlan, ...]
    departments: tuple[DepartmentPlan, ...]
    people: tuple[PersonPlan, ...]

    def areas_at(self, level: str) -> list[AreaPlan]:
        return [a for a in self.areas if a.level == level]


def _rect(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def _cuts(rng: random.Random, low: float, high: float, parts: int) -> list[float]:
    """`parts + 1` edges from low to high, unevenly spaced like real boundaries.

    The ends are `low` and `high` themselves, not recomputed, so a child's outer edge is
    bit-for-bit its parent's and containment holds exactly.
    """
    weights = [rng.uniform(0.75, 1.25) for _ in range(parts)]
    total, acc, edges = sum(weights), 0.0, [low]
    for weight in weights[:-1]:
        acc += weight
        edges.append(round(low + (high - low) * acc / total, _DIGITS))
    return [*edges, high]


def _grid_cells(
    rng: random.Random, box: tuple[float, float, float, float], count: int
) -> list[tuple[float, float, float, float]]:
    """Tile `box` with `count` rectangles: rows north to south, cells west to east."""
    west, south, east, north = box
    rows = max(1, round(math.sqrt(count)))
    per_row = [count // rows + (1 if i < count % rows else 0) for i in range(rows)]
    lats = _cuts(rng, south, north, rows)[::-1]  # north first: 第1网格 is the north-west one
    cells = []
    for row, cols in enumerate(per_row):
        top, bottom = lats[row], lats[row + 1]
        lons = _cuts(rng, west, east, cols)
        cells += [(lons[c], bottom, lons[c + 1], top) for c in range(cols)]
    return cells


class _People:
    """Deterministic, distinct Chinese names and mobile numbers."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"{seed}:people")
        self.names: set[str] = set()
        self.phones: set[str] = set()

    def name(self) -> str:
        while True:
            given = (
                self.rng.choice(_GIVEN_PAIRS)
                if self.rng.random() < 0.6
                else self.rng.choice(_GIVEN_SINGLE)
            )
            candidate = self.rng.choice(_SURNAMES) + given
            if candidate not in self.names:
                self.names.add(candidate)
                return candidate

    def phone(self) -> str:
        while True:
            candidate = self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if candidate not in self.phones:
                self.phones.add(candidate)
                return candidate

    def person(
        self, username: str, role: str, area: str, department: str | None = None
    ) -> PersonPlan:
        return PersonPlan(username, self.name(), self.phone(), role, area, department)


def plan_demo(scale: int = 1, seed: int = DEMO_SEED) -> DemoPlan:
    """Everything the demo district holds, decided without touching the database.

    Separate random streams for boundaries, grid counts, grid cells and people, and names
    drawn for the staff before the grid workers: `scale` multiplies the grids and leaves the
    district, street and community boundaries and every non-grid-worker's name and phone as
    they are at scale 1.
    """
    if scale < 1:
        raise ValueError("scale must be at least 1")
    shapes = random.Random(f"{seed}:shapes")
    grid_shapes = random.Random(f"{seed}:grid-shapes")
    counts = random.Random(f"{seed}:counts")

    west, south, east, north = DISTRICT_BOX
    district = "九龙坡区"
    areas = [AreaPlan(district, AreaLevel.DISTRICT, None, DISTRICT_CODE, _rect(*DISTRICT_BOX))]
    departments: list[DepartmentPlan] = []
    # (username, role, area, department): who holds which grant; names come after.
    staff: list[tuple[str, str, str, str | None]] = [
        ("district_admin", Role.DISTRICT_ADMIN, district, None),
        ("auditor", Role.AUDITOR, district, None),
    ]
    grid_workers: list[tuple[str, str, str, str | None]] = []
    first_grids: list[str] = []

    sub_lons = _cuts(shapes, west, east, len(SUBDISTRICTS))
    for s, (sub_name, sub_code, sub_pinyin, communities) in enumerate(SUBDISTRICTS):
        sub_box = (sub_lons[s], south, sub_lons[s + 1], north)
        areas.append(AreaPlan(sub_name, AreaLevel.SUBDISTRICT, district, sub_code, _rect(*sub_box)))
        staff.append((f"street_{sub_pinyin}", Role.SUBDISTRICT_ADMIN, sub_name, None))
        short = sub_name.removesuffix("街道")
        for kind, pattern in DEPARTMENTS:
            dept = pattern.format(short=short)
            departments.append(DepartmentPlan(dept, kind, sub_name))
            staff.append((f"dept_{sub_pinyin}_{kind}", Role.DEPARTMENT_HANDLER, sub_name, dept))
        comm_lats = _cuts(shapes, south, north, len(communities))[::-1]  # north first
        for c, (comm_name, comm_pinyin) in enumerate(communities):
            comm_box = (sub_box[0], comm_lats[c + 1], sub_box[2], comm_lats[c])
            comm_code = f"{sub_code[:9]}{c + 1:03d}"
            areas.append(
                AreaPlan(comm_name, AreaLevel.COMMUNITY, sub_name, comm_code, _rect(*comm_box))
            )
            staff.append((f"community_{comm_pinyin}_01", Role.COMMUNITY_STAFF, comm_name, None))
            count = counts.randint(*GRIDS_PER_COMMUNITY) * scale
            width = max(2, len(str(count)))
            for g, cell in enumerate(_grid_cells(grid_shapes, comm_box, count), start=1):
                grid = f"{comm_name}第{g}网格"
                # Grids have no statistical code: GB/T 10114 codes stop at the community.
                areas.append(AreaPlan(grid, AreaLevel.GRID, comm_name, None, _rect(*cell)))
                grid_workers.append(
                    (f"grid_{comm_pinyin}_{g:0{width}d}", Role.GRID_WORKER, grid, None)
                )
                if g == 1:
                    first_grids.append(grid)

    residents = [
        (f"resident_{i + 1:02d}", Role.RESIDENT, first_grids[i % len(first_grids)], None)
        for i in range(RESIDENTS)
    ]
    people = _People(seed)
    planned = tuple(people.person(*grant) for grant in [*staff, *residents, *grid_workers])
    return DemoPlan(tuple(areas), tuple(departments), planned)


# --- carrying it out -----------------------------------------------------------------------


class Login(NamedTuple):
    username: str
    role: str  # the role's Chinese label
    area: str


@dataclass
class DemoResult:
    logins: list[Login]
    password: str = DEMO_PASSWORD
    created: bool = True
    counts: dict[str, int] = field(default_factory=dict)  # areas per level

    def of_role(self, role: str) -> list[Login]:
        label = Role(role).label
        return [login for login in self.logins if login.role == label]


@contextmanager
def _cheap_hashing() -> Iterator[None]:
    """Let `user_create` hash with MD5 for the moment; `seed_demo` then stores one real hash.

    Every user still goes through `user_create` (validators, phone check, audit entry); only
    the hashing is deferred. Argon2 costs ~0.17 s a user, which would make `shequtong demo`
    take tens of seconds for hashes of the same password. The MD5 hashes never leave the
    transaction: they are all overwritten before it commits.
    """
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


def _department_create(*, name: str, kind: str, area: Area) -> Department:
    """Create a department, audited. (core.services has no department write yet.)"""
    department = Department(name=name, kind=kind, area=area)
    try:
        department.full_clean(exclude=["area_path"])
    except ValidationError as exc:
        raise DomainError.from_validation(exc) from exc
    department.save()
    audit_record(
        actor=None,
        action="department.create",
        obj=department,
        changes={"name": [None, name], "kind": [None, kind]},
    )
    return department


def _logins(district: Area) -> DemoResult:
    """The logins granted inside `district`, role by role, as the database holds them."""
    order = {role: i for i, role in enumerate(Role.values)}
    grants = RoleGrant.objects.filter(area_path__startswith=district.path).select_related(
        "user", "area", "department"
    )
    # By role, then in the plan's order: areas and users were created in it.
    rows = sorted(grants, key=lambda g: (order[g.role], g.area.path_ids, g.user_id))
    logins = [
        Login(
            g.user.username,
            Role(g.role).label,
            f"{g.area.name} · {g.department.name}" if g.department else g.area.name,
        )
        for g in rows
    ]
    counts = {
        level: district.descendants(include_self=True).filter(level=level).count()
        for level in AreaLevel.values
    }
    return DemoResult(logins=logins, counts=counts)


# Domain apps add their demo data here from their AppConfig.ready(): core imports no domain
# app, yet `shequtong demo` shows every module filled. Each is called with the new district
# and the scale, inside the seeding transaction.
DEMO_EXTENSIONS: list[Callable[[Area, int], None]] = []


def seed_demo(scale: int = 1) -> DemoResult:
    """Create the demo district, or, if 九龙坡区 already exists, change nothing.

    Either way the result lists the logins found in the district. One transaction: a failure
    leaves no half district behind.
    """
    existing = Area.objects.filter(code=DISTRICT_CODE).first()
    if existing is not None:
        result = _logins(existing)
        result.created = False
        return result

    plan = plan_demo(scale)
    with transaction.atomic():
        areas: dict[str, Area] = {}
        for spec in plan.areas:
            areas[spec.name] = area_create(
                actor=None,
                name=spec.name,
                level=spec.level,
                parent=areas[spec.parent] if spec.parent else None,
                code=spec.code,
                boundary=spec.boundary,
            )
        departments = {
            spec.name: _department_create(name=spec.name, kind=spec.kind, area=areas[spec.area])
            for spec in plan.departments
        }
        user_ids = []
        with _cheap_hashing():
            for person in plan.people:
                department = departments[person.department] if person.department else None
                user = user_create(
                    actor=None,
                    username=person.username,
                    password=DEMO_PASSWORD,
                    display_name=person.display_name,
                    phone=person.phone,
                    department=department,
                )
                role_grant(
                    actor=None,
                    user=user,
                    role=person.role,
                    area=areas[person.area],
                    department=department,
                )
                user_ids.append(user.pk)
        # One hash with the deployment's real hasher, shared: it is one password.
        User.objects.filter(pk__in=user_ids).update(password=make_password(DEMO_PASSWORD))
        district = areas[plan.areas[0].name]
        audit_record(
            actor=None,
            action="demo.seed",
            obj=district,
            changes={"scale": [None, scale], "users": [None, len(user_ids)]},
        )
        for extend in DEMO_EXTENSIONS:
            extend(district, scale)
    return _logins(district)


# --- printing ------------------------------------------------------------------------------

_SHOWN_GRID_WORKERS = 3


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def print_logins(result: DemoResult, stdout: TextIO) -> None:
    """A table of the demo logins, every role, a few of the many grid workers, and the password."""
    grid_label = Role.GRID_WORKER.label
    grid_workers = [login for login in result.logins if login.role == grid_label]
    rows = [("角色", "用户名", "区域")]
    for role in Role:
        of_role = [login for login in result.logins if login.role == role.label]
        shown = of_role[:_SHOWN_GRID_WORKERS] if role == Role.GRID_WORKER else of_role
        rows += [(login.role, login.username, login.area) for login in shown]
        if role == Role.GRID_WORKER and len(of_role) > len(shown):
            rows.append(("", "…", f"共 {len(grid_workers)} 名网格员"))
    widths = [max(_width(row[i]) for row in rows) + 2 for i in range(2)]
    for role_label, username, area in rows:
        stdout.write(f"  {_pad(role_label, widths[0])}{_pad(username, widths[1])}{area}\n")
    stdout.write(f"\n所有演示账号的密码：{result.password}\n")
    stdout.write("（演示密码是公开的，切勿在生产环境中使用这些账号。）\n")
