from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "shequtong.registry"
    label = "registry"
    verbose_name = "社区全息档案"

    def ready(self) -> None:
        from shequtong.core.demo import DEMO_EXTENSIONS

        from .demo import seed_residents

        if seed_residents not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(seed_residents)
