from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "shequtong.registry"
    label = "registry"
    verbose_name = "社区全息档案"

    def ready(self) -> None:
        from shequtong.core.audit_labels import register_action_labels

        from .audit_labels import AUDIT_LABELS

        register_action_labels(AUDIT_LABELS)
        from shequtong.core.demo import DEMO_EXTENSIONS
        from shequtong.core.public import register_name_source

        from .demo import seed_residents
        from .selectors import names_in_text

        register_name_source(names_in_text)
        if seed_residents not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(seed_residents)
