from django.apps import AppConfig


class VolunteeringConfig(AppConfig):
    name = "shequtong.volunteering"
    label = "volunteering"
    verbose_name = "志愿服务"

    def ready(self) -> None:
        from shequtong.care.services.orders import VOLUNTEER_POOLS
        from shequtong.core.audit_labels import register_action_labels
        from shequtong.core.demo import DEMO_EXTENSIONS
        from shequtong.core.policy import register_policy
        from shequtong.web.navigation import (
            NavItem,
            Tile,
            register_home_panel,
            register_nav,
            register_tile,
        )

        from . import receivers  # noqa: F401  (connects the domain-event receivers)
        from .audit_labels import AUDIT_LABELS
        from .demo import seed_volunteering
        from .models import Activity, DualReport, Honour, RewardShop, ServiceRecord, Volunteer
        from .panels import indicators_panel
        from .policy import POLICY_ROWS
        from .selectors import volunteer_accounts

        register_policy(POLICY_ROWS)
        register_action_labels(AUDIT_LABELS)
        group = "居民参与"
        register_nav(
            NavItem("志愿者", "volunteering:volunteer_list", Volunteer, group),
            NavItem("志愿活动", "volunteering:activity_list", Activity, group),
            NavItem("服务台账", "volunteering:record_list", ServiceRecord, group),
            NavItem("爱心超市", "volunteering:shop_list", RewardShop, group),
            NavItem("双报到", "volunteering:dual_list", DualReport, group),
            NavItem("红黑榜", "volunteering:honour_list", Honour, group),
        )
        register_tile(
            Tile(
                "志愿服务",
                "活动报名 · 时长 · 爱心币",
                "volunteering:m_home",
                "volunteering/icon.svg",
                order=30,
            )
        )
        register_home_panel(indicators_panel)
        if volunteer_accounts not in VOLUNTEER_POOLS:
            VOLUNTEER_POOLS.append(volunteer_accounts)
        if seed_volunteering not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(seed_volunteering)
