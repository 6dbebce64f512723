"""Writes of volunteering, by subject (STYLE.md 23): volunteers, activities (sign-up to
confirmed hours), the bank (time bank and 爱心币 on the ledger), the shop, certificates."""

from .activities import (
    ActivityData,
    activity_close,
    activity_create,
    activity_for_code,
    activity_publish,
    check_in,
    check_out,
    hours_confirm,
    signup,
    signup_cancel,
    signup_select,
    suggested_minutes,
    venue_code,
    volunteer_rate,
)
from .bank import coins_credit, minutes_donate, minutes_give, minutes_withdraw, stars_for
from .certificates import certificate_issue, certificate_pdf
from .dual import dual_end, dual_feedback, dual_report, dual_summary, dual_summary_pdf
from .honours import (
    honour_deliberate,
    honour_nominate,
    honour_object,
    honour_publicise,
    honour_publish,
    objection_answer,
)
from .shop import goods_stock, redeem, redemption_cancel, redemption_collect, shop_create
from .volunteers import (
    volunteer_apply,
    volunteer_commend,
    volunteer_decide,
    volunteer_join_team,
)

__all__ = [
    "ActivityData",
    "activity_close",
    "activity_create",
    "activity_for_code",
    "activity_publish",
    "certificate_issue",
    "certificate_pdf",
    "check_in",
    "check_out",
    "coins_credit",
    "dual_end",
    "dual_feedback",
    "dual_report",
    "dual_summary",
    "dual_summary_pdf",
    "goods_stock",
    "honour_deliberate",
    "honour_nominate",
    "honour_object",
    "honour_publicise",
    "honour_publish",
    "hours_confirm",
    "minutes_donate",
    "minutes_give",
    "minutes_withdraw",
    "objection_answer",
    "redeem",
    "redemption_cancel",
    "redemption_collect",
    "shop_create",
    "signup",
    "signup_cancel",
    "signup_select",
    "stars_for",
    "suggested_minutes",
    "venue_code",
    "volunteer_apply",
    "volunteer_commend",
    "volunteer_decide",
    "volunteer_join_team",
    "volunteer_rate",
]
