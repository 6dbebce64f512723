from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "shequtong.care"
    label = "care"
    verbose_name = "智慧养老"

    def ready(self) -> None:
        from shequtong.core.audit_labels import register_action_labels

        from .audit_labels import AUDIT_LABELS

        register_action_labels(AUDIT_LABELS)
        from shequtong.core.demo import DEMO_EXTENSIONS
        from shequtong.registry.panels import PERSON_PANELS

        from . import receivers  # noqa: F401  (connects the domain-event receivers)
        from .demo import seed_care
        from .panels import person_panel

        if seed_care not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(seed_care)
        if person_panel not in PERSON_PANELS:
            PERSON_PANELS.append(person_panel)
