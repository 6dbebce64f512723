"""The writes of case handling, one module per subject (STYLE.md 23): `intake` (a report
from any door, located, de-duplicated, stored with its first steps; merging, reclassifying),
`moves` (the workflow's transitions), `summons` (吹哨报到), `extensions`, `hazards`, `rating`,
`disputes` (mediation and the agreement), `saved_views`, and `steps` (the timeline and who is
told, which they all write through).

Every move locks the case row (`select_for_update`), checks the state machine
(`workflow.check`), writes the new state, one timeline step and its audit entry in the same
transaction, and notifies after commit. So two people pressing buttons at once never both win,
a timeline never shows a move that did not happen, and the audit log (which no one can edit,
unlike the timeline's ordinary rows) says who made each move. The public names are re-exported
here, as callers have always named them (`services.case_act`).
"""

from . import disputes
from .extensions import (
    APPROVERS,
    extension_decide,
    extension_request,
)
from .hazards import (
    hazard_update,
)
from .intake import (
    DESCRIPTION_MAX,
    Report,
    Reported,
    already_reported,
    case_merge,
    case_reclassify,
    case_report,
    check_attributes,
    locate,
    report_once,
    stored_key,
)
from .moves import (
    case_act,
)
from .rating import (
    case_rate,
)
from .saved_views import (
    saved_view_delete,
    saved_view_save,
)
from .steps import (
    grant_users,
    holders,
    reporters,
)
from .summons import (
    summons_respond,
    summons_review,
)

__all__ = [
    "APPROVERS",
    "DESCRIPTION_MAX",
    "Report",
    "Reported",
    "already_reported",
    "case_act",
    "case_merge",
    "case_rate",
    "case_reclassify",
    "case_report",
    "check_attributes",
    "disputes",
    "extension_decide",
    "extension_request",
    "grant_users",
    "hazard_update",
    "holders",
    "locate",
    "report_once",
    "reporters",
    "saved_view_delete",
    "saved_view_save",
    "stored_key",
    "summons_respond",
    "summons_review",
]
