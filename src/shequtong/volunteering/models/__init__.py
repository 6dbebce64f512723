"""Volunteering's models by subject: volunteers and their service (activities), the 爱心超市
(shop), 双报到 (dual), and the 红黑榜 (honours)."""

from .activities import (
    MAX_ACTIVITY_MINUTES,
    MAX_PLACES,
    Activity,
    Certificate,
    Commendation,
    ServiceRecord,
    SignUp,
    Volunteer,
)
from .dual import DualFeedback, DualReport
from .honours import Honour, Objection
from .shop import MAX_PRICE, Goods, Redemption, RewardShop

__all__ = [
    "MAX_ACTIVITY_MINUTES",
    "MAX_PLACES",
    "MAX_PRICE",
    "Activity",
    "Certificate",
    "Commendation",
    "DualFeedback",
    "DualReport",
    "Goods",
    "Honour",
    "Objection",
    "Redemption",
    "RewardShop",
    "ServiceRecord",
    "SignUp",
    "Volunteer",
]
