from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "shequtong.cases"
    label = "cases"
    verbose_name = "事件处置"

    def ready(self) -> None:
        from shequtong.core.audit_labels import register_action_labels
        from shequtong.core.demo import DEMO_EXTENSIONS
        from shequtong.web.navigation import (
            NavItem,
            Tile,
            register_home_panel,
            register_nav,
            register_portal_panel,
            register_tile,
        )

        from . import receivers  # noqa: F401  (connects the domain-event receivers)
        from .audit_labels import AUDIT_LABELS
        from .demo import seed_cases
        from .models import Case
        from .panels import portal_cases_panel, tasks_panel

        register_action_labels(AUDIT_LABELS)
        register_nav(NavItem("事件处置", "cases:case_list", Case, "事件处置"))
        register_home_panel(tasks_panel)
        register_tile(
            Tile("随手拍", "拍照上报身边问题", "cases:report", "cases/icons/camera.svg", 10)
        )
        register_tile(
            Tile("我的诉求", "查看进度和评价", "cases:my_cases", "cases/icons/list.svg", 20)
        )
        register_portal_panel(portal_cases_panel)
        if seed_cases not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(seed_cases)
