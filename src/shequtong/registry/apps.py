from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "shequtong.registry"
    label = "registry"
    verbose_name = "社区全息档案"
