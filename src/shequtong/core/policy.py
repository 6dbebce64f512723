"""Who may do what: the one declarative table of the platform.

POLICY[model label][action] is the set of roles that may take `action` on rows of that model,
within the areas they are granted. Domain apps add their models' rows here, so that a security
review reads a single table. `core.scoping.scoped` is the only reader of this table.
"""

from __future__ import annotations

from .choices import AreaLevel, Role

ACTIONS: tuple[str, ...] = ("read", "change", "export", "count", "reveal")

STAFF = frozenset(
    {
        Role.DISTRICT_ADMIN,
        Role.SUBDISTRICT_ADMIN,
        Role.COMMUNITY_STAFF,
        Role.GRID_WORKER,
        Role.DEPARTMENT_HANDLER,
        Role.AUDITOR,
    }
)
ADMINS = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN})
OFFICE = ADMINS | {Role.COMMUNITY_STAFF}

POLICY: dict[str, dict[str, frozenset[str]]] = {
    "core.area": {
        "read": STAFF,
        "count": STAFF,
        "export": OFFICE | {Role.AUDITOR},
        "change": ADMINS,
    },
    "core.department": {
        "read": STAFF,
        "count": STAFF,
        "export": ADMINS,
        "change": ADMINS,
    },
    "core.rolegrant": {
        "read": OFFICE | {Role.AUDITOR},
        "count": OFFICE | {Role.AUDITOR},
        "export": ADMINS | {Role.AUDITOR},
        "change": ADMINS,
    },
    "core.user": {
        "read": OFFICE | {Role.AUDITOR},
        "count": OFFICE | {Role.AUDITOR},
        "export": ADMINS,
        "change": ADMINS,
        "reveal": ADMINS,
    },
    "core.auditentry": {
        "read": frozenset({Role.AUDITOR, Role.DISTRICT_ADMIN}),
        "count": frozenset({Role.AUDITOR, Role.DISTRICT_ADMIN}),
        "export": frozenset({Role.AUDITOR}),
    },
    # Global (not area-scoped) configuration.
    "core.calendaroverride": {
        "read": STAFF,
        "count": STAFF,
        "change": frozenset({Role.DISTRICT_ADMIN}),
    },
    "core.holidaynotice": {
        "read": STAFF,
        "count": STAFF,
        "change": frozenset({Role.DISTRICT_ADMIN}),
    },
    # Owned by one user; every signed-in staff member manages their own.
    "core.apitoken": {
        "read": STAFF,
        "count": STAFF,
        "change": STAFF,
    },
    # Owned by one user: everyone, residents included, reads and marks their own.
    "core.notification": {
        "read": STAFF | {Role.RESIDENT},
        "count": STAFF | {Role.RESIDENT},
        "change": STAFF | {Role.RESIDENT},
    },
}

# The registry (社区全息档案). Grid workers keep their grids' ledgers up to date door to door;
# offices export and see full ID and phone numbers; departments and auditors see counts only.
# Sensitive tags (社区矫正 …) need `reveal` on the assignment: the admins of the area.
_REGISTRY_ROWS = {
    "read": OFFICE | {Role.GRID_WORKER},
    "count": STAFF,
    "export": OFFICE,
    "change": OFFICE | {Role.GRID_WORKER},
}
for _model in (
    "registry.estate",
    "registry.building",
    "registry.dwelling",
    "registry.household",
    "registry.vehicle",
    "registry.organization",
    "registry.facility",
    "registry.personevent",
):
    POLICY[_model] = dict(_REGISTRY_ROWS)
POLICY["registry.person"] = {**_REGISTRY_ROWS, "reveal": OFFICE}
POLICY["registry.organization"]["reveal"] = OFFICE
POLICY["registry.persontagassignment"] = {**_REGISTRY_ROWS, "reveal": ADMINS}
POLICY["registry.persontag"] = {
    "read": STAFF,
    "count": STAFF,
    "change": frozenset({Role.DISTRICT_ADMIN}),
}
POLICY["registry.importjob"] = {
    "read": OFFICE | {Role.GRID_WORKER},
    "count": OFFICE | {Role.GRID_WORKER},
    "change": OFFICE,
}
POLICY["registry.columnmapping"] = dict(POLICY["registry.importjob"])

# Cases (事件处置). Grid workers and offices work the cases of their areas; department handlers
# see and work only what was summoned to their department (`scope_department_field`); the
# reporter's phone is revealed to offices only.
_CASE_WORKERS = OFFICE | {Role.GRID_WORKER, Role.DEPARTMENT_HANDLER}
POLICY["cases.case"] = {
    "read": _CASE_WORKERS,
    "count": STAFF,
    "export": OFFICE,
    "change": _CASE_WORKERS,
    "reveal": OFFICE,
}
# Owned by one user: each keeps their own saved case-list filters.
POLICY["cases.savedview"] = {
    "read": _CASE_WORKERS,
    "count": _CASE_WORKERS,
    "change": _CASE_WORKERS,
}
POLICY["cases.category"] = {
    "read": STAFF,
    "count": STAFF,
    "change": frozenset({Role.DISTRICT_ADMIN}),
}

# Elderly care (智慧养老). Grid workers and offices watch over the people of their areas and
# answer alarms; health notes are revealed to offices only; auditors and departments count.
_CARE_ROWS = {
    "read": OFFICE | {Role.GRID_WORKER},
    "count": STAFF,
    "export": OFFICE,
    "change": OFFICE | {Role.GRID_WORKER},
}
POLICY["care.careprofile"] = {**_CARE_ROWS, "reveal": OFFICE}
POLICY["care.device"] = dict(_CARE_ROWS)
POLICY["care.alarm"] = dict(_CARE_ROWS)
POLICY["care.visit"] = dict(_CARE_ROWS)
POLICY["care.careorder"] = dict(_CARE_ROWS)
# Offices set how often people are visited; grid workers read the plans they work to.
POLICY["care.visitplan"] = {**_CARE_ROWS, "change": OFFICE}

# The levels at which a role may be granted: a grid worker over a grid or a community's grids.
ROLE_LEVELS: dict[str, frozenset[str]] = {
    Role.DISTRICT_ADMIN: frozenset({AreaLevel.DISTRICT}),
    Role.SUBDISTRICT_ADMIN: frozenset({AreaLevel.SUBDISTRICT}),
    Role.COMMUNITY_STAFF: frozenset({AreaLevel.COMMUNITY}),
    Role.GRID_WORKER: frozenset({AreaLevel.GRID, AreaLevel.COMMUNITY}),
    Role.DEPARTMENT_HANDLER: frozenset({AreaLevel.DISTRICT, AreaLevel.SUBDISTRICT}),
    Role.AUDITOR: frozenset({AreaLevel.DISTRICT, AreaLevel.SUBDISTRICT}),
    Role.RESIDENT: frozenset({AreaLevel.COMMUNITY, AreaLevel.GRID}),
    Role.ORG_STAFF: frozenset({AreaLevel.SUBDISTRICT, AreaLevel.COMMUNITY}),
}

# Roles an administrator may hand out; nobody grants a role above their own.
GRANTABLE_BY: dict[str, frozenset[str]] = {
    Role.DISTRICT_ADMIN: frozenset(Role.values),
    Role.SUBDISTRICT_ADMIN: frozenset(Role.values) - {Role.DISTRICT_ADMIN},
}


def register_policy(rows: dict[str, dict[str, frozenset[str]]]) -> None:
    """An app's own rows of the table, added from its `ready()` (STYLE.md 24); a label
    declared twice with different rows is a mistake, not an override."""
    for label, actions in rows.items():
        if POLICY.setdefault(label, actions) != actions:
            raise ValueError(f"policy rows for {label} declared twice")


def roles_allowed(model_label: str, action: str) -> frozenset[str]:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    return POLICY.get(model_label, {}).get(action, frozenset())
