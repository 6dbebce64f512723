from .areas import Area, GovernedModel, GovernedQuerySet, community_path
from .audit import AuditChainHead, AuditEntry
from .calendar import CalendarOverride, HolidayNotice
from .notifications import Notification
from .users import ApiToken, Department, RoleGrant, User

__all__ = [
    "ApiToken",
    "Area",
    "AuditChainHead",
    "AuditEntry",
    "CalendarOverride",
    "Department",
    "GovernedModel",
    "GovernedQuerySet",
    "HolidayNotice",
    "Notification",
    "RoleGrant",
    "User",
    "community_path",
]
