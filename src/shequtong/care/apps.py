from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "shequtong.care"
    label = "care"
    verbose_name = "智慧养老"
