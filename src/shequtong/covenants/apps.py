from django.apps import AppConfig


class CovenantsConfig(AppConfig):
    name = "shequtong.covenants"
    label = "covenants"
    verbose_name = "居民公约与小区公约"

    def ready(self) -> None:
        from shequtong.core.audit_labels import register_action_labels
        from shequtong.core.demo import DEMO_EXTENSIONS
        from shequtong.core.policy import register_policy
        from shequtong.web.navigation import NavItem, Tile, register_nav, register_tile

        from .audit_labels import AUDIT_LABELS
        from .demo import seed_covenants
        from .models import Covenant
        from .policy import POLICY_ROWS

        register_policy(POLICY_ROWS)
        register_action_labels(AUDIT_LABELS)
        if seed_covenants not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(seed_covenants)
        register_nav(NavItem("居民公约", "covenants:covenant_list", Covenant, "议事与公开"))
        register_tile(
            Tile(
                "公约",
                "居民公约 · 小区公约 · 提意见",
                "covenants:m_covenants",
                "covenants/icon.svg",
                48,
            )
        )
