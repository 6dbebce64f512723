"""volunteering's rows of the one POLICY table (core.policy), registered from `ready()`.

Organisation accounts (ORG_STAFF) reach only the models that name an organisation
(`scope_org_field`): their activities, sign-ups and records."""

from shequtong.core.choices import Role
from shequtong.core.policy import OFFICE, STAFF

_FIELD = OFFICE | {Role.GRID_WORKER}
_ORG = _FIELD | {Role.ORG_STAFF}

POLICY_ROWS = {
    "volunteering.volunteer": {"read": _FIELD, "count": STAFF, "change": OFFICE, "export": OFFICE},
    "volunteering.activity": {
        "read": _ORG,
        "count": STAFF,
        "change": OFFICE | {Role.ORG_STAFF},
        "export": OFFICE,
    },
    "volunteering.signup": {"read": _ORG, "count": STAFF, "change": OFFICE | {Role.ORG_STAFF}},
    # 志愿服务台账: the recording organisation exports its own.
    "volunteering.servicerecord": {
        "read": _ORG,
        "count": STAFF,
        "export": OFFICE | {Role.ORG_STAFF},
    },
    "volunteering.certificate": {"read": OFFICE, "count": STAFF},
    "volunteering.commendation": {"read": _FIELD, "count": STAFF, "change": OFFICE},
    "volunteering.rewardshop": {"read": _FIELD, "count": STAFF, "change": OFFICE},
    "volunteering.goods": {"read": _FIELD, "count": STAFF, "change": OFFICE},
    "volunteering.redemption": {"read": _FIELD, "count": STAFF, "change": OFFICE},
    # 双报到: a unit's organisation account reads its own report, feedback and summary.
    "volunteering.dualreport": {"read": _ORG, "count": STAFF, "change": OFFICE, "export": OFFICE},
    "volunteering.dualfeedback": {"read": _ORG, "count": STAFF, "change": OFFICE},
    # 红黑榜: run by the community; residents see the published list through their own page.
    "volunteering.honour": {"read": _FIELD, "count": STAFF, "change": OFFICE},
    "volunteering.objection": {"read": _FIELD, "count": STAFF, "change": OFFICE},
}
