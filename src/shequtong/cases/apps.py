from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "shequtong.cases"
    label = "cases"
    verbose_name = "事件处置"

    def ready(self) -> None:
        from shequtong.core.audit_labels import register_action_labels

        from .audit_labels import AUDIT_LABELS

        register_action_labels(AUDIT_LABELS)
        from shequtong.core.demo import DEMO_EXTENSIONS

        from . import receivers  # noqa: F401  (connects the domain-event receivers)
        from .demo import seed_cases

        if seed_cases not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(seed_cases)
