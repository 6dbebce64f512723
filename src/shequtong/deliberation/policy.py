"""deliberation's rows of the one POLICY table (core.policy), registered from `ready()`.
Owners vote, and residents propose and follow topics, through their own pages (`person_of`),
not through these rows. Grid workers read their grid's topics and meetings; the community's
office runs them."""

from shequtong.core.choices import Role
from shequtong.core.policy import OFFICE, STAFF

_FIELD = OFFICE | {Role.GRID_WORKER}

POLICY_ROWS = {
    "deliberation.vote": {"read": _FIELD, "count": STAFF, "change": OFFICE, "export": OFFICE},
    "deliberation.rollentry": {"read": _FIELD, "count": STAFF, "export": OFFICE},
    "deliberation.ballot": {"read": OFFICE, "count": STAFF, "export": OFFICE},
    "deliberation.procedure": {"read": _FIELD, "count": STAFF, "change": OFFICE},
    "deliberation.topic": {"read": _FIELD, "count": STAFF, "change": OFFICE, "export": OFFICE},
    "deliberation.topicstep": {"read": _FIELD, "count": STAFF},
    "deliberation.topicupdate": {"read": _FIELD, "count": STAFF},
    "deliberation.meeting": {"read": _FIELD, "count": STAFF, "change": OFFICE},
    "deliberation.invitee": {"read": _FIELD, "count": STAFF},
    "deliberation.meetingfile": {"read": _FIELD, "count": STAFF},
}
