from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shequtong.accounts"
    label = "accounts"
    verbose_name = "居民与组织账号"

    def ready(self) -> None:
        from shequtong.core.audit_labels import register_action_labels
        from shequtong.core.policy import register_policy
        from shequtong.core.scoping import ORGANISATIONS_OF
        from shequtong.web.navigation import NavItem, register_nav, register_portal_panel

        from .audit_labels import AUDIT_LABELS
        from .models import OrgMembership, ResidentClaim
        from .panels import portal_account_panel
        from .policy import POLICY_ROWS
        from .selectors import organisation_ids

        register_policy(POLICY_ROWS)
        register_action_labels(AUDIT_LABELS)
        if organisation_ids not in ORGANISATIONS_OF:
            ORGANISATIONS_OF.append(organisation_ids)
        register_portal_panel(portal_account_panel)
        group = "居民参与"
        register_nav(
            NavItem("实名认证", "accounts:claim_list", ResidentClaim, group),
            NavItem("组织账号", "accounts:org_list", OrgMembership, group),
        )
