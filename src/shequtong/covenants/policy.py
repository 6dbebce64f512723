"""covenants' rows of the one POLICY table (core.policy), registered from `ready()`.

Residents read the published covenants of where they live, and comment on a version under
consultation, through their own pages (`person_of`), not through these rows. Grid workers read
their community's covenants and comments; the community's office drafts, answers, adopts,
publishes and files them."""

from shequtong.core.choices import Role
from shequtong.core.policy import OFFICE, STAFF

_FIELD = OFFICE | {Role.GRID_WORKER}

POLICY_ROWS = {
    "covenants.covenant": {"read": _FIELD, "count": STAFF, "change": OFFICE},
    "covenants.covenantversion": {"read": _FIELD, "count": STAFF, "change": OFFICE},
    "covenants.covenantcomment": {"read": _FIELD, "count": STAFF, "change": OFFICE},
}
