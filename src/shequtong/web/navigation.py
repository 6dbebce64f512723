"""The console's navigation: each entry shows only to users whose roles allow its page."""

from __future__ import annotations

from dataclasses import dataclass

from shequtong.core.models import ApiToken, Area, AuditEntry, CalendarOverride, User
from shequtong.core.scoping import allowed


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    model: type
    action: str = "read"


NAV: tuple[NavItem, ...] = (
    NavItem("区划与网格", "web:area_list", Area),
    NavItem("人员与授权", "web:staff_list", User),
    NavItem("审计日志", "web:audit_list", AuditEntry),
    NavItem("工作日历", "web:calendar", CalendarOverride),
    NavItem("API 令牌", "web:token_list", ApiToken),
)


def navigation_for(user: User) -> list[NavItem]:
    return [item for item in NAV if allowed(user, item.action, item.model)]
