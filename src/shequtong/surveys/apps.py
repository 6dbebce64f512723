from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "shequtong.surveys"
    label = "surveys"
    verbose_name = "问卷与民意调查"

    def ready(self) -> None:
        from shequtong.core.audit_labels import register_action_labels
        from shequtong.core.demo import DEMO_EXTENSIONS
        from shequtong.core.policy import register_policy
        from shequtong.web.navigation import NavItem, Tile, register_nav, register_tile

        from .audit_labels import AUDIT_LABELS
        from .demo import seed_surveys
        from .models import Survey
        from .policy import POLICY_ROWS

        register_policy(POLICY_ROWS)
        register_action_labels(AUDIT_LABELS)
        if seed_surveys not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(seed_surveys)
        register_nav(NavItem("问卷调查", "surveys:survey_list", Survey, "议事与公开"))
        register_tile(
            Tile("问卷调查", "民意征询 · 在线作答", "surveys:m_surveys", "surveys/icon.svg", 42)
        )
