from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "shequtong.web"
    label = "web"
    verbose_name = "界面"

    def ready(self) -> None:
        from shequtong.core.models import ApiToken, Area, AuditEntry, CalendarOverride, User

        from .navigation import NavItem, register_home_panel, register_nav
        from .panels import audit_panel

        register_nav(
            NavItem("区划与网格", "web:area_list", Area, "系统管理"),
            NavItem("人员与授权", "web:staff_list", User, "系统管理"),
            NavItem("审计日志", "web:audit_list", AuditEntry, "系统管理"),
            NavItem("工作日历", "web:calendar", CalendarOverride, "系统管理"),
            NavItem("API 令牌", "web:token_list", ApiToken, "系统管理"),
        )
        register_home_panel(audit_panel)
