"""surveys' rows of the one POLICY table (core.policy), registered from `ready()`.

Residents answer for their own household through their own pages (`person_of`), not through
these rows. The community's office makes, opens and closes surveys; grid workers key in the
answers given at the door and record their calls, for the households of their grids (a
`Response` or `Visit` is placed where its household lives). A grid worker works the
community's surveys that cover their grid (`selectors.survey_list`), not through `scoped` on
the survey row, which lies above their grant."""

from shequtong.core.choices import Role
from shequtong.core.policy import OFFICE, STAFF

_FIELD = OFFICE | {Role.GRID_WORKER}

POLICY_ROWS = {
    "surveys.survey": {"read": _FIELD, "count": STAFF, "change": OFFICE},
    "surveys.question": {"read": _FIELD, "count": STAFF, "change": OFFICE},
    "surveys.response": {"read": _FIELD, "count": STAFF, "change": _FIELD},
    "surveys.visit": {"read": _FIELD, "count": STAFF, "change": _FIELD},
}
