from django.apps import AppConfig


class CovenantsConfig(AppConfig):
    name = "shequtong.covenants"
    label = "covenants"
    verbose_name = "居民公约与小区公约"
