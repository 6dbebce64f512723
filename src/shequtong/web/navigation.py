"""The console's navigation and the per-role home panels.

Each entry shows only to users whose roles allow its page, read from the same POLICY table
that `scoped` enforces, so a link never leads to an empty or forbidden page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from shequtong.care.models import Alarm, CareOrder, CareProfile, Visit
from shequtong.cases.models import Case
from shequtong.core.choices import Role
from shequtong.core.models import ApiToken, Area, AuditEntry, CalendarOverride, User
from shequtong.core.scoping import allowed, roles_of
from shequtong.registry.models import Building, Estate, ImportJob, Organization, Person


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    model: type
    action: str = "read"
    current: bool = False


NAV: tuple[NavItem, ...] = (
    NavItem("事件处置", "cases:case_list", Case),
    NavItem("照护档案", "care:profile_list", CareProfile),
    NavItem("养老告警", "care:alarm_wall", Alarm),
    NavItem("走访", "care:visit_list", Visit),
    NavItem("助老服务", "care:order_list", CareOrder),
    NavItem("居民档案", "registry:person_list", Person),
    NavItem("小区", "registry:estate_list", Estate),
    NavItem("楼栋", "registry:building_list", Building),
    NavItem("人口统计", "registry:stats", Person, "count"),
    NavItem("单位与设施", "registry:directory_home", Organization),
    NavItem("台账导入", "registry:import_list", ImportJob, "change"),
    NavItem("区划与网格", "web:area_list", Area),
    NavItem("人员与授权", "web:staff_list", User),
    NavItem("审计日志", "web:audit_list", AuditEntry),
    NavItem("工作日历", "web:calendar", CalendarOverride),
    NavItem("API 令牌", "web:token_list", ApiToken),
)


def _section(url_name: str | None) -> str | None:
    """`web:area_detail` and `web:area_list` belong to one section, `web:area`."""
    return url_name.rsplit("_", 1)[0] if url_name and "_" in url_name else url_name


def navigation_for(user: User, current_url_name: str | None = None) -> list[NavItem]:
    section = _section(current_url_name)
    return [
        replace(item, current=_section(item.url_name) == section)
        for item in NAV
        if allowed(user, item.action, item.model)
    ]


@dataclass(frozen=True)
class Panel:
    """A home-page block for work a later module brings; until then it says what will appear."""

    title: str
    empty: str


_PANELS: dict[str, tuple[Panel, ...]] = {
    Role.GRID_WORKER: (
        Panel("走访任务", "待走访的独居老人和巡查任务会显示在这里。"),
        Panel("网格全息档案", "本网格的楼栋、房屋、住户和重点人群，导入台账后显示在这里。"),
    ),
    Role.COMMUNITY_STAFF: (
        Panel("居民服务", "待办理的事项申请、场地预约和志愿活动会显示在这里。"),
    ),
    Role.SUBDISTRICT_ADMIN: (Panel("社情指数", "各社区的社情指数和考核指标会显示在这里。"),),
    Role.DISTRICT_ADMIN: (
        Panel("全区概况", "各街道的事件办结率、养老告警和考核指标会显示在这里。"),
        Panel("月度报告", "每月自动生成的社区治理报告会显示在这里。"),
    ),
    Role.AUDITOR: (Panel("审计关注", "个人信息查看、导出和登录失败的记录可在“审计日志”中检索。"),),
}


def panels_for(user: User) -> list[Panel]:
    roles = roles_of(user)
    seen: list[Panel] = []
    for role in Role.values:
        if role in roles:
            seen.extend(p for p in _PANELS.get(role, ()) if p not in seen)
    return seen
