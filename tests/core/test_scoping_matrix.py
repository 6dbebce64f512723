"""Every model × every role at every level it can be granted × every action, against the truth.

The truth is `reviewed_policy.txt`, a table pinned apart from core.policy.POLICY: a POLICY row
changed by hand fails here. For each case the rows of one model are spread over the fixture tree,
the role is granted (only where `role_grant` allows it) at the level's area on the A1a branch,
and `scoped()` must return exactly the rows the table promises: none when the role lacks the
action; else, for area models, the rows whose area lies under the grant area; for owned models
the viewer's own; for global models all; for a department handler only what was summoned to
their department. `can()` must agree row by row, `can_in_area()` area by area, and `.count()`
must match; users holding two grants see the union. Expected rows are computed from the rows'
`area` foreign keys, not from the copied `area_path` scoping filters on, so a stale copy shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db import models, transaction

from shequtong.accounts.models import OrgMembership
from shequtong.cases.models import Case, SavedView
from shequtong.core import services
from shequtong.core.audit import audit_record
from shequtong.core.choices import AreaLevel, DepartmentKind, Role
from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.core.models import (
    ApiToken,
    Area,
    AuditEntry,
    CalendarOverride,
    Department,
    HolidayNotice,
    Notification,
    RoleGrant,
    User,
)
from shequtong.core.policy import ACTIONS, POLICY, ROLE_LEVELS
from shequtong.core.scoping import can, can_in_area, scoped
from tests.care.rows import ROWS as CARE_ROWS
from tests.cases.rows import ROWS as CASE_ROWS
from tests.core.factories import (
    AreaTree,
    DepartmentFactory,
    GrantedUserFactory,
    UserFactory,
    build_area_tree,
)
from tests.covenants.rows import ROWS as COVENANTS_ROWS
from tests.deliberation.rows import ROWS as DELIBERATION_ROWS
from tests.notices.rows import ROWS as NOTICES_ROWS
from tests.registry.rows import ROWS as REGISTRY_ROWS
from tests.surveys.rows import ROWS as SURVEYS_ROWS
from tests.volunteering.rows import ROWS as VOLUNTEERING_ROWS
from tests.volunteering.rows import join as join_organisation

MODELS: dict[str, type[models.Model]] = {label: apps.get_model(label) for label in POLICY}
BASE_ACTIONS = ("read", "change", "export", "count")
ABBREVIATIONS = {
    "DA": Role.DISTRICT_ADMIN,
    "SA": Role.SUBDISTRICT_ADMIN,
    "CS": Role.COMMUNITY_STAFF,
    "GW": Role.GRID_WORKER,
    "DH": Role.DEPARTMENT_HANDLER,
    "AU": Role.AUDITOR,
    "RE": Role.RESIDENT,
    "OS": Role.ORG_STAFF,
}


def _read_reviewed() -> tuple[dict[str, dict[str, frozenset[str]]], dict[str, str]]:
    table: dict[str, dict[str, frozenset[str]]] = {}
    scopes: dict[str, str] = {}
    text = (Path(__file__).parent / "reviewed_policy.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, scope, action, *cells = line.split()
        assert action in ACTIONS and len(cells) == len(ABBREVIATIONS), line
        assert all(c in (abbr, "..") for c, abbr in zip(cells, ABBREVIATIONS, strict=True)), line
        assert scopes.setdefault(label, scope) == scope, line
        table.setdefault(label, {})[action] = frozenset(
            ABBREVIATIONS[c] for c in cells if c != ".."
        )
    return table, scopes


REVIEWED, SCOPES = _read_reviewed()


def scope_of(model: type[models.Model]) -> str:
    if getattr(model, "scope_global", False):
        return "global"
    if getattr(model, "scope_owner_field", None):
        return "owner"
    if getattr(model, "scope_department_field", None):
        return "summoned"
    if getattr(model, "scope_org_field", None):
        return "org"
    return "area"


def test_every_policy_model_has_rows_in_the_matrix():
    assert set(POLICY) == set(ROWS)


def test_policy_is_the_reviewed_table():
    """POLICY, and how each model is scoped, row for row as reviewed."""
    differences = [
        f"{label} {action}: POLICY {sorted(POLICY.get(label, {}).get(action, ()))}, "
        f"reviewed {sorted(REVIEWED.get(label, {}).get(action, ()))}"
        for label in sorted(set(POLICY) | set(REVIEWED))
        for action in ACTIONS
        if POLICY.get(label, {}).get(action, frozenset())
        != REVIEWED.get(label, {}).get(action, frozenset())
    ]
    differences += [
        f"{label}: scoped by {scope_of(model)}, reviewed {SCOPES.get(label)}"
        for label, model in MODELS.items()
        if scope_of(model) != SCOPES.get(label)
    ]
    assert not differences, "\n".join(differences)


def _users(n: int, prefix: str) -> list[User]:
    """Users without password hashing or factories: one INSERT."""
    return User.objects.bulk_create(
        [User(username=f"{prefix}{i}", display_name=f"{prefix}{i}") for i in range(n)]
    )


# --- rows of each model, spread over the tree ------------------------------------------------


def rows_area(tree: AreaTree, viewer: User) -> None:
    """The tree's own areas are the rows."""


def rows_department(tree: AreaTree, viewer: User) -> None:
    Department.objects.bulk_create(
        [
            Department(name="派出所", kind=DepartmentKind.POLICE, area=a, area_path=a.path)
            for a in tree.all
        ]
    )


def rows_rolegrant(tree: AreaTree, viewer: User) -> None:
    (other,) = _users(1, "granted")
    RoleGrant.objects.bulk_create(
        [
            RoleGrant(user=other, role=Role.COMMUNITY_STAFF, area=a, area_path=a.path)
            for a in tree.all
        ]
    )


def rows_user(tree: AreaTree, viewer: User) -> None:
    people = _users(len(tree.all) + 2, "staff")
    grants = [
        RoleGrant(user=u, role=Role.COMMUNITY_STAFF, area=a, area_path=a.path)
        for u, a in zip(people, tree.all, strict=False)
    ]
    # One user granted in two branches (must show once), one with no grant (nobody's).
    twice = people[len(tree.all)]
    grants += [
        RoleGrant(user=twice, role=Role.GRID_WORKER, area=a, area_path=a.path)
        for a in (tree.grid_a1a, tree.grid_b1a)
    ]
    RoleGrant.objects.bulk_create(grants)


def rows_auditentry(tree: AreaTree, viewer: User) -> None:
    for area in tree.all:
        audit_record(actor=None, action="test.note", area=area, object_repr=area.name)
    audit_record(actor=None, action="auth.login_failed", object_repr="nobody")


def rows_calendaroverride(tree: AreaTree, viewer: User) -> None:
    CalendarOverride.objects.bulk_create(
        [
            CalendarOverride(day=date(2026, 5, 9), is_working=True, note="调休"),
            CalendarOverride(day=date(2026, 6, 1), is_working=False, note="本地"),
        ]
    )


def rows_holidaynotice(tree: AreaTree, viewer: User) -> None:
    HolidayNotice.objects.bulk_create(
        [HolidayNotice(year=2027, source="国办发明电"), HolidayNotice(year=2028, source="待定")]
    )


def rows_apitoken(tree: AreaTree, viewer: User) -> None:
    (other,) = _users(1, "owner")
    ApiToken.objects.bulk_create(
        [
            ApiToken(user=owner, name=f"t{i}", prefix=f"p{owner.pk}x{i}", key_hash="0" * 64)
            for owner in (viewer, other)
            for i in range(2)
        ]
    )


ROWS: dict[str, Callable[[AreaTree, User], None]] = {
    "core.area": rows_area,
    "core.department": rows_department,
    "core.rolegrant": rows_rolegrant,
    "core.user": rows_user,
    "core.auditentry": rows_auditentry,
    "core.calendaroverride": rows_calendaroverride,
    "core.holidaynotice": rows_holidaynotice,
    "core.apitoken": rows_apitoken,
    **REGISTRY_ROWS,
    **CASE_ROWS,
    **CARE_ROWS,
    **VOLUNTEERING_ROWS,
    **DELIBERATION_ROWS,
    **NOTICES_ROWS,
    **SURVEYS_ROWS,
    **COVENANTS_ROWS,
}


# --- the truth, from foreign keys ---------------------------------------------------------


def paths_of(obj: models.Model) -> list[str]:
    """The areas a row belongs to, read from its foreign keys."""
    if isinstance(obj, Area):
        return [obj.path]
    if isinstance(obj, User):
        return [g.area.path for g in obj.grants.all()]
    if isinstance(obj, AuditEntry):
        return [obj.area.path] if obj.area_id else [""]
    return [obj.area.path]  # type: ignore[attr-defined]


def _with_areas(qs: models.QuerySet) -> models.QuerySet:
    """Load the areas `paths_of` reads in one or two queries instead of one per row."""
    if qs.model is User:
        return qs.prefetch_related("grants__area")
    if qs.model in (Department, RoleGrant, AuditEntry) or hasattr(qs.model, "area_path"):
        return qs.select_related("area")
    return qs


class Grant(NamedTuple):
    role: str
    area: Area
    department_id: int | None


def expected_pks(label: str, action: str, grants: list[Grant], viewer: User) -> set[int]:
    """The rows the reviewed table promises `viewer`, whose grants are `grants`: the union of
    what each grant opens."""
    model = MODELS[label]
    rows = list(_with_areas(model._default_manager.all()))
    seen: set[int] = set()
    for grant in grants:
        if grant.role not in REVIEWED[label].get(action, frozenset()):
            continue
        if SCOPES[label] == "global":
            return {r.pk for r in rows}
        if SCOPES[label] == "owner":
            return {r.pk for r in rows if r.user_id == viewer.pk}  # type: ignore[attr-defined]
        at_top = grant.area.level == AreaLevel.DISTRICT
        within = {
            r.pk
            for r in rows
            if any(p.startswith(grant.area.path) or (p == "" and at_top) for p in paths_of(r))
        }
        if SCOPES[label] == "summoned" and grant.role == Role.DEPARTMENT_HANDLER:
            field = model.scope_department_field  # type: ignore[attr-defined]
            summoned = model._default_manager.filter(**{field: grant.department_id})
            within &= set(summoned.values_list("pk", flat=True))
        if grant.role == Role.ORG_STAFF:
            # An organisation account: only rows naming one of its organisations, and none of a
            # model that names no organisation.
            field = getattr(model, "scope_org_field", None)
            mine = OrgMembership.objects.filter(user=viewer).values_list("organization_id")
            named = model._default_manager.filter(**{f"{field}__in": mine}) if field else None
            within &= set(named.values_list("pk", flat=True)) if named is not None else set()
        seen |= within
    return seen


def grants_held(viewer: User) -> list[Grant]:
    return [Grant(g.role, g.area, g.department_id) for g in viewer.grants.select_related("area")]


def actions_of(label: str) -> tuple[str, ...]:
    return (*BASE_ACTIONS, *(a for a in POLICY[label] if a not in BASE_ACTIONS))


# Only the grants the platform allows: each role at the levels `role_grant` accepts.
ALLOWED = [
    (role, level)
    for role in Role.values
    for level in AreaLevel.values
    if level in ROLE_LEVELS[role]
]
CASES = [
    pytest.param(label, role, level, action, id=f"{label[5:]}-{role}-{level}-{action}")
    for label in MODELS
    for role, level in ALLOWED
    for action in actions_of(label)
]
# Users holding two grants, each allowed: (role, tree attribute) pairs.
TWO_GRANTS = {
    "grid+office": ((Role.GRID_WORKER, "grid_a1a"), (Role.COMMUNITY_STAFF, "comm_b1")),
    "department+grid": ((Role.DEPARTMENT_HANDLER, "sub_a"), (Role.GRID_WORKER, "grid_b1a")),
    "auditor+office": ((Role.AUDITOR, "sub_b"), (Role.COMMUNITY_STAFF, "comm_a1")),
    "resident+grid": ((Role.RESIDENT, "grid_a2a"), (Role.GRID_WORKER, "comm_a1")),
    "org+office": ((Role.ORG_STAFF, "comm_a1"), (Role.COMMUNITY_STAFF, "comm_b1")),
}
TWO_GRANT_CASES = [
    pytest.param(label, who, action, id=f"{label[5:]}-{who}-{action}")
    for label in MODELS
    for who in TWO_GRANTS
    for action in actions_of(label)
]


@dataclass
class World:
    tree: AreaTree
    viewers: dict[tuple[str, str], User]
    doubles: dict[str, User]


class RollbackError(Exception):
    """Raised to undo the class's transaction."""


@pytest.fixture(scope="class")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The tree, every model's rows and one viewer per role × level, built once for the class.

    Built inside a transaction that is rolled back when the class is done; each test runs in a
    savepoint inside it (pytest-django's `db`), so the ~900 cases share one set of ~120 rows
    instead of rebuilding the tree for each. The matrix only reads, so sharing is safe, and the
    viewers' own grants, users and departments are rows like any other: the truth is computed
    from whatever the database holds.
    """
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                tree = build_area_tree()
                viewers = {
                    (role, level): GrantedUserFactory(role=role, area=tree.by_level[level])
                    for role, level in ALLOWED
                }
                doubles = {}
                for who, ((first, at_first), (second, at_second)) in TWO_GRANTS.items():
                    user = GrantedUserFactory(role=first, area=getattr(tree, at_first))
                    services.role_grant(
                        actor=None, user=user, role=second, area=getattr(tree, at_second)
                    )
                    doubles[who] = user
                some_viewer = viewers[(Role.GRID_WORKER, AreaLevel.GRID)]
                for build in ROWS.values():
                    build(tree, some_viewer)
                # Organisation accounts act for their area's "队伍" (tests/volunteering/rows).
                for (role, level), viewer in viewers.items():
                    if role == Role.ORG_STAFF:
                        join_organisation(viewer, tree.by_level[level])
                join_organisation(doubles["org+office"], tree.comm_a1)
                # Every viewer owns a token, a notification and a saved view: owned rows to find.
                everyone = [*viewers.values(), *doubles.values()]
                ApiToken.objects.bulk_create(
                    ApiToken(user=v, name="own", prefix=f"own{v.pk}", key_hash="0" * 64)
                    for v in everyone
                )
                Notification.objects.bulk_create(
                    Notification(user=v, title="own") for v in everyone
                )
                SavedView.objects.bulk_create(
                    SavedView(user=v, name="own", query="") for v in everyone
                )
                yield World(tree, viewers, doubles)
                raise RollbackError
        except RollbackError:
            pass


@pytest.mark.usefixtures("db")
class TestMatrix:
    @pytest.mark.parametrize(("label", "role", "level", "action"), CASES)
    def test_scoped_returns_exactly_the_policy_rows(self, world, label, role, level, action):
        viewer = world.viewers[(role, level)]
        self.check(world, label, action, viewer)

    @pytest.mark.parametrize(("label", "who", "action"), TWO_GRANT_CASES)
    def test_two_grants_open_the_union(self, world, label, who, action):
        self.check(world, label, action, world.doubles[who])

    @staticmethod
    def check(world: World, label: str, action: str, viewer: User) -> None:
        model = MODELS[label]
        grants = grants_held(viewer)
        expected = expected_pks(label, action, grants, viewer)

        qs = scoped(model._default_manager.all(), viewer, action)
        got = list(qs.values_list("pk", flat=True))
        assert len(got) == len(set(got)), "a row listed twice"
        assert set(got) == expected
        assert qs.count() == len(expected)
        for row in model._default_manager.all():
            assert can(viewer, action, row) == (row.pk in expected), row
        # A row not yet made: may the viewer place one in each area of the tree?
        roles = REVIEWED[label].get(action, frozenset())
        for area in world.tree.all:
            covered = any(g.role in roles and area.path.startswith(g.area.path) for g in grants)
            assert can_in_area(viewer, action, model, area.path) == covered, area.name

    def test_every_model_has_rows_some_viewers_cannot_see(self, world):
        """A check of the matrix itself: rows are spread so that scoping has work to do."""
        for label, model in MODELS.items():
            total = model._default_manager.count()
            assert total >= 2, label
            if getattr(model, "scope_global", False):
                continue
            allowed = next(
                (r, lv)
                for r, lv in ALLOWED
                if r in REVIEWED[label]["read"] and lv != AreaLevel.DISTRICT
            )
            viewer = world.viewers[allowed]
            seen = expected_pks(label, "read", grants_held(viewer), viewer)
            assert 0 < len(seen) < total, label

    def test_a_department_handler_sees_less_than_their_area(self, world):
        """A check of the matrix itself: "summoned to my department" narrows the area."""
        viewer = world.viewers[(Role.DEPARTMENT_HANDLER, AreaLevel.DISTRICT)]
        seen = expected_pks("cases.case", "read", grants_held(viewer), viewer)
        assert 0 < len(seen) < Case.objects.count()
        assert scoped(Case.objects.all(), viewer, "read").count() == len(seen)


# --- beyond one grant ------------------------------------------------------------------------


def test_two_grants_see_the_union(tree):
    viewer = GrantedUserFactory(role=Role.GRID_WORKER, area=tree.grid_a1a)
    RoleGrant.objects.create(
        user=viewer, role=Role.COMMUNITY_STAFF, area=tree.comm_b1, area_path=tree.comm_b1.path
    )
    seen = set(scoped(Area.objects.all(), viewer, "read"))
    assert seen == {tree.grid_a1a, tree.comm_b1, tree.grid_b1a}
    # Only the community grant may export areas, so only its branch is exportable.
    assert set(scoped(Area.objects.all(), viewer, "export")) == {tree.comm_b1, tree.grid_b1a}


def test_nested_grants_do_not_duplicate_rows(tree):
    viewer = GrantedUserFactory(role=Role.SUBDISTRICT_ADMIN, area=tree.sub_a)
    RoleGrant.objects.create(
        user=viewer, role=Role.COMMUNITY_STAFF, area=tree.comm_a1, area_path=tree.comm_a1.path
    )
    got = list(scoped(Area.objects.all(), viewer, "read").values_list("pk", flat=True))
    assert sorted(got) == sorted(a.pk for a in tree.all if a.path.startswith(tree.sub_a.path))


@pytest.mark.parametrize("label", list(MODELS))
def test_superuser_sees_everything(tree, label):
    model = MODELS[label]
    boss = UserFactory(is_superuser=True)
    ROWS[label](tree, boss)
    for action in POLICY[label]:
        assert scoped(model._default_manager.all(), boss, action).count() == (
            model._default_manager.count()
        )


@pytest.mark.parametrize("label", list(MODELS))
def test_inactive_and_anonymous_users_see_nothing(tree, label):
    model = MODELS[label]
    gone = GrantedUserFactory(role=Role.DISTRICT_ADMIN, area=tree.district, is_active=False)
    gone_boss = UserFactory(is_superuser=True, is_active=False)
    ROWS[label](tree, gone)
    assert model._default_manager.exists()
    for action in POLICY[label]:
        for who in (gone, gone_boss, AnonymousUser()):
            assert not scoped(model._default_manager.all(), who, action).exists()
    assert not can(AnonymousUser(), "read", tree.district)


def test_a_user_without_grants_sees_nothing(tree):
    nobody = UserFactory()
    for label, model in MODELS.items():
        ROWS[label](tree, nobody)
        for action in POLICY[label]:
            assert not scoped(model._default_manager.all(), nobody, action).exists(), label


@pytest.mark.parametrize(
    "who", ["grid_worker", "superuser", "anonymous", "inactive"], ids=lambda w: w
)
def test_unknown_action_raises(tree, grid_worker, who):
    user = {
        "grid_worker": grid_worker,
        "superuser": UserFactory(is_superuser=True),
        "anonymous": AnonymousUser(),
        "inactive": UserFactory(is_active=False),
    }[who]
    with pytest.raises(ValueError, match="unknown action"):
        scoped(Area.objects.all(), user, "delete")
    with pytest.raises(ValueError, match="unknown action"):
        can(user, "raed", tree.grid_a1a)


def test_governed_querysets_offer_scoped(tree, grid_worker):
    assert list(Area.objects.scoped(grid_worker, "read")) == [tree.grid_a1a]


# --- role_grant -----------------------------------------------------------------------------

ALL_PAIRS = [(role, level) for role in Role.values for level in AreaLevel.values]


@pytest.mark.parametrize(("role", "level"), ALL_PAIRS, ids=[f"{r}-{lv}" for r, lv in ALL_PAIRS])
def test_role_grant_follows_role_levels(tree, role, level):
    area = tree.by_level[level]
    department = DepartmentFactory(area=tree.district) if role == Role.DEPARTMENT_HANDLER else None
    user = UserFactory()
    if level in ROLE_LEVELS[role]:
        grant = services.role_grant(
            actor=None, user=user, role=role, area=area, department=department
        )
        assert (grant.role, grant.area, grant.area_path) == (role, area, area.path)
    else:
        with pytest.raises(DomainError) as info:
            services.role_grant(actor=None, user=user, role=role, area=area, department=department)
        assert "area" in info.value.fields
        assert "只能授予在" in info.value.message
        assert not RoleGrant.objects.filter(user=user).exists()


def test_department_handler_needs_a_department(tree):
    with pytest.raises(DomainError) as info:
        services.role_grant(
            actor=None, user=UserFactory(), role=Role.DEPARTMENT_HANDLER, area=tree.district
        )
    assert "department" in info.value.fields


def test_unknown_role_is_refused(tree):
    with pytest.raises(DomainError) as info:
        services.role_grant(actor=None, user=UserFactory(), role="mayor", area=tree.district)
    assert "role" in info.value.fields


@pytest.fixture
def sub_a_admin(tree, user_with):
    return user_with(Role.SUBDISTRICT_ADMIN, tree.sub_a)


@pytest.mark.parametrize(
    ("role", "where"),
    [
        (Role.GRID_WORKER, "grid_b1a"),
        (Role.COMMUNITY_STAFF, "comm_b1"),
        (Role.SUBDISTRICT_ADMIN, "sub_b"),
        (Role.AUDITOR, "district"),
        (Role.DISTRICT_ADMIN, "district"),
    ],
)
def test_subdistrict_admin_cannot_grant_outside_or_above(tree, sub_a_admin, role, where):
    user = UserFactory()
    with pytest.raises(PermissionDeniedError):
        services.role_grant(actor=sub_a_admin, user=user, role=role, area=getattr(tree, where))
    assert not RoleGrant.objects.filter(user=user).exists()
    assert not AuditEntry.objects.filter(action="grant.create").exists()


@pytest.mark.parametrize(
    ("role", "where"),
    [
        (Role.GRID_WORKER, "grid_a1a"),
        (Role.GRID_WORKER, "comm_a2"),
        (Role.COMMUNITY_STAFF, "comm_a1"),
        (Role.SUBDISTRICT_ADMIN, "sub_a"),
        (Role.AUDITOR, "sub_a"),
        (Role.RESIDENT, "grid_a2a"),
    ],
)
def test_subdistrict_admin_grants_within_their_subdistrict(tree, sub_a_admin, role, where):
    user = UserFactory()
    area = getattr(tree, where)
    assert not Area.objects.scoped(user, "read").exists()  # reads (and caches) no grants
    grant = services.role_grant(actor=sub_a_admin, user=user, role=role, area=area)
    assert RoleGrant.objects.get(user=user) == grant
    entry = AuditEntry.objects.get(action="grant.create")
    assert (entry.actor, entry.area, entry.object_id) == (sub_a_admin, area, str(grant.pk))
    # The new grant takes effect at once, even on a user object that had read its grants.
    assert Area.objects.filter(pk=area.pk).scoped(user, "read").exists() == (role != Role.RESIDENT)


def test_district_admin_grants_anything(tree, district_admin):
    grant = services.role_grant(
        actor=district_admin, user=UserFactory(), role=Role.DISTRICT_ADMIN, area=tree.district
    )
    assert grant.pk


@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.AUDITOR])
def test_non_admins_cannot_grant(tree, user_with, role):
    actor = user_with(role, tree.comm_a1 if role != Role.AUDITOR else tree.sub_a)
    with pytest.raises(PermissionDeniedError):
        services.role_grant(
            actor=actor, user=UserFactory(), role=Role.GRID_WORKER, area=tree.grid_a1a
        )


def test_grant_twice_is_one_grant_and_one_audit_entry(tree, district_admin):
    user = UserFactory()
    first = services.role_grant(
        actor=district_admin, user=user, role=Role.GRID_WORKER, area=tree.grid_a1a
    )
    again = services.role_grant(
        actor=district_admin, user=user, role=Role.GRID_WORKER, area=tree.grid_a1a
    )
    assert first == again
    assert AuditEntry.objects.filter(action="grant.create").count() == 1


def test_revoke_takes_effect_and_is_audited(tree, district_admin):
    user = UserFactory()
    grant = services.role_grant(
        actor=district_admin, user=user, role=Role.GRID_WORKER, area=tree.grid_a1a
    )
    assert Area.objects.scoped(user, "read").exists()
    grant_id = grant.pk
    services.role_revoke(actor=district_admin, grant=grant)
    assert not Area.objects.scoped(user, "read").exists()
    assert AuditEntry.objects.filter(action="grant.revoke", object_id=str(grant_id)).exists()


def test_organisation_accounts_reach_only_models_naming_an_organisation():
    """An ORG_STAFF grant on a model without `scope_org_field` would open nothing (scoping
    refuses it), so POLICY must not pretend it opens something."""
    offered = [
        label
        for label, actions in POLICY.items()
        if any(Role.ORG_STAFF in roles for roles in actions.values())
        and not getattr(MODELS[label], "scope_org_field", None)
    ]
    assert offered == []
