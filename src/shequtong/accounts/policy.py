"""accounts' rows of the one POLICY table (core.policy), registered from `ready()`."""

from shequtong.core.choices import Role
from shequtong.core.policy import OFFICE, STAFF

POLICY_ROWS = {
    # The community settles the claims its records could not; grid workers see who waits.
    "accounts.residentclaim": {
        "read": OFFICE | {Role.GRID_WORKER},
        "count": STAFF,
        "change": OFFICE,
        "reveal": OFFICE,
    },
    "accounts.proxy": {"read": OFFICE | {Role.GRID_WORKER}, "count": STAFF},
    # An organisation account sees who else acts for its organisation; offices open them.
    "accounts.orgmembership": {
        "read": OFFICE | {Role.ORG_STAFF},
        "count": STAFF,
        "change": OFFICE,
    },
}
