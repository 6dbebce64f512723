"""notices' rows of the one POLICY table (core.policy), registered from `ready()`.

Residents read what is addressed to them through their own pages (`person_of`), not through
these rows. Organisation accounts reach only their own organisation's notices
(`Notice.scope_org_field`); the community's office decides on them. Who has read a notice is
read by the staff of where the reader lives; the unread list is the registry's persons, scoped
by the registry's own rows."""

from shequtong.core.choices import Role
from shequtong.core.policy import OFFICE, STAFF

_FIELD = OFFICE | {Role.GRID_WORKER}

POLICY_ROWS = {
    "notices.notice": {
        "read": _FIELD | {Role.ORG_STAFF},
        "count": STAFF,
        "change": OFFICE | {Role.ORG_STAFF},
    },
    "notices.noticeread": {"read": _FIELD, "count": STAFF},
    "notices.publicity": {"read": _FIELD, "count": STAFF, "change": OFFICE},
    "notices.publicitycomment": {"read": _FIELD, "count": STAFF, "change": OFFICE},
    "notices.supervisor": {"read": OFFICE, "count": STAFF, "change": OFFICE},
    # 三务公开 is audited: auditors read the boards as well as count them.
    "notices.disclosure": {
        "read": _FIELD | {Role.AUDITOR},
        "count": STAFF,
        "change": OFFICE,
    },
    "notices.disclosureattachment": {
        "read": _FIELD | {Role.AUDITOR},
        "count": STAFF,
        "change": OFFICE,
    },
    "notices.financeitem": {
        "read": _FIELD | {Role.AUDITOR},
        "count": STAFF,
        "change": OFFICE,
    },
}
