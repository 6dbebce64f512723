"""deliberation's rows of the one POLICY table (core.policy), registered from `ready()`.
Owners vote through their own page (`person_of`), not through these rows."""

from shequtong.core.choices import Role
from shequtong.core.policy import OFFICE, STAFF

_FIELD = OFFICE | {Role.GRID_WORKER}

POLICY_ROWS = {
    "deliberation.vote": {"read": _FIELD, "count": STAFF, "change": OFFICE, "export": OFFICE},
    "deliberation.rollentry": {"read": _FIELD, "count": STAFF, "export": OFFICE},
    "deliberation.ballot": {"read": OFFICE, "count": STAFF, "export": OFFICE},
}
