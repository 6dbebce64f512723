from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "shequtong.care"
    label = "care"
    verbose_name = "智慧养老"

    def ready(self) -> None:
        from shequtong.core.audit_labels import register_action_labels
        from shequtong.core.demo import DEMO_EXTENSIONS
        from shequtong.registry.panels import PERSON_PANELS
        from shequtong.web.navigation import NavItem, register_home_panel, register_nav

        from . import receivers  # noqa: F401  (connects the domain-event receivers)
        from .audit_labels import AUDIT_LABELS
        from .demo import seed_care
        from .models import Alarm, CareOrder, CareProfile, Visit
        from .panels import person_panel, visits_panel

        register_action_labels(AUDIT_LABELS)
        group = "智慧养老"
        register_nav(
            NavItem("照护档案", "care:profile_list", CareProfile, group),
            NavItem("养老告警", "care:alarm_wall", Alarm, group),
            NavItem("走访", "care:visit_list", Visit, group),
            NavItem("助老服务", "care:order_list", CareOrder, group),
        )
        register_home_panel(visits_panel)
        if seed_care not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(seed_care)
        if person_panel not in PERSON_PANELS:
            PERSON_PANELS.append(person_panel)
