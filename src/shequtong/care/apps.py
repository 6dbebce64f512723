from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "shequtong.care"
    label = "care"
    verbose_name = "智慧养老"

    def ready(self) -> None:
        from shequtong.core.demo import DEMO_EXTENSIONS

        from .demo import seed_care

        if seed_care not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(seed_care)
