from django.apps import AppConfig


class DeliberationConfig(AppConfig):
    name = "shequtong.deliberation"
    label = "deliberation"
    verbose_name = "议事协商与表决"

    def ready(self) -> None:
        from shequtong.core.audit_labels import register_action_labels
        from shequtong.core.demo import DEMO_EXTENSIONS
        from shequtong.core.policy import register_policy
        from shequtong.web.navigation import NavItem, Tile, register_nav, register_tile

        from .demo import seed_votes
        from .models import Vote
        from .policy import POLICY_ROWS

        register_policy(POLICY_ROWS)
        if seed_votes not in DEMO_EXTENSIONS:
            DEMO_EXTENSIONS.append(seed_votes)
        register_nav(NavItem("业主表决", "deliberation:vote_list", Vote, "居民参与"))
        register_tile(
            Tile(
                "业主表决",
                "线上投票 · 查看结果",
                "deliberation:m_votes",
                "deliberation/icon.svg",
                40,
            )
        )
        register_action_labels(
            {
                "vote.create": "发起业主表决",
                "vote.open": "开启业主表决",
                "vote.ballot": "投票",
                "vote.close": "结束表决",
            }
        )
