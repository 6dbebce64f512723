from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shequtong.core"
    label = "core"
    verbose_name = "平台核心"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (audit of logins and lockouts)
