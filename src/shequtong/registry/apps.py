from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "shequtong.registry"
    label = "registry"
    verbose_name = "社区全息档案"

    def ready(self) -> None:
        from shequtong.core.audit_labels import register_action_labels
        from shequtong.core.demo import DEMO_EXTENSIONS
        from shequtong.core.public import register_name_source
        from shequtong.web.navigation import NavItem, register_home_panel, register_nav

        from .audit_labels import AUDIT_LABELS
        from .demo import seed_residents
        from .models import Building, Estate, ImportJob, Organization, Person
        from .panels import figures_panel
        from .selectors import names_in_text

        register_name_source(names_in_text)
        register_action_labels(AUDIT_LABELS)
        group = "社区全息档案"
        register_nav(
            NavItem("居民档案", "registry:person_list", Person, group),
            NavItem("小区", "registry:estate_list", Estate, group),
            NavItem("楼栋", "registry:building_list", Building, group),
            NavItem("人口统计", "registry:stats", Person, group, "count"),
            NavItem("单位与设施", "registry:directory_home", Organization, group),
            NavItem("台账导入", "registry:import_list", ImportJob, group, "change"),
        )
        register_home_panel(figures_panel)
        if seed_residents not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(seed_residents)
