from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "shequtong.notices"
    label = "notices"
    verbose_name = "通知公告与三务公开"

    def ready(self) -> None:
        from shequtong.core.audit_labels import register_action_labels
        from shequtong.core.demo import DEMO_EXTENSIONS
        from shequtong.core.policy import register_policy
        from shequtong.web.navigation import (
            NavItem,
            Tile,
            register_nav,
            register_portal_panel,
            register_tile,
        )

        from .audit_labels import AUDIT_LABELS
        from .demo import seed_notices
        from .models import Disclosure, Notice, Publicity
        from .panels import portal_sign_panel
        from .policy import POLICY_ROWS

        register_policy(POLICY_ROWS)
        register_action_labels(AUDIT_LABELS)
        if seed_notices not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(seed_notices)
        group = "议事与公开"
        register_nav(
            NavItem("通知公告", "notices:notice_list", Notice, group),
            NavItem("公告审核", "notices:moderation_queue", Notice, group, action="change"),
            NavItem("公示", "notices:publicity_list", Publicity, group),
            NavItem("三务公开", "notices:disclosure_list", Disclosure, group),
        )
        for tile in (
            Tile("通知公告", "社区通知 · 未读提醒", "notices:m_notices", "notices/icon.svg", 25),
            Tile(
                "公示", "公示内容 · 提意见", "notices:m_publicity", "notices/icon_publicity.svg", 45
            ),
            Tile(
                "三务公开",
                "党务 · 居务 · 财务",
                "notices:m_disclosures",
                "notices/icon_board.svg",
                46,
            ),
        ):
            register_tile(tile)
        register_portal_panel(portal_sign_panel)
