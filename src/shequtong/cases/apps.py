from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "shequtong.cases"
    label = "cases"
    verbose_name = "事件处置"

    def ready(self) -> None:
        from shequtong.core.demo import DEMO_EXTENSIONS

        from . import receivers  # noqa: F401  (connects the domain-event receivers)
        from .demo import seed_cases

        if seed_cases not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(seed_cases)

        from django.db.models.signals import post_delete, post_save

        from .models import Category, CategoryAttribute
        from .tree import forget

        for model in (Category, CategoryAttribute):
            post_save.connect(forget, sender=model, dispatch_uid=f"tree-{model.__name__}-save")
            post_delete.connect(forget, sender=model, dispatch_uid=f"tree-{model.__name__}-del")
