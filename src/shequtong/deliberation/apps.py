from django.apps import AppConfig


class DeliberationConfig(AppConfig):
    name = "shequtong.deliberation"
    label = "deliberation"
    verbose_name = "议事协商与表决"

    def ready(self) -> None:
        from shequtong.core.audit_labels import register_action_labels
        from shequtong.core.policy import register_policy

        from .policy import POLICY_ROWS

        register_policy(POLICY_ROWS)
        register_action_labels(
            {
                "vote.create": "发起业主表决",
                "vote.open": "开启业主表决",
                "vote.ballot": "投票",
                "vote.close": "结束表决",
            }
        )
