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

        from . import receivers  # noqa: F401 — connects the receivers
        from .demo import seed_topics, seed_votes
        from .models import Topic, Vote
        from .policy import POLICY_ROWS

        register_policy(POLICY_ROWS)
        for seed in (seed_votes, seed_topics):
            if seed not in DEMO_EXTENSIONS:
                DEMO_EXTENSIONS.append(seed)
        register_nav(NavItem("议事协商", "deliberation:topic_list", Topic, "议事与公开"))
        register_nav(NavItem("表决", "deliberation:vote_list", Vote, "议事与公开"))
        register_tile(
            Tile(
                "议事协商",
                "提出议题 · 跟踪进展",
                "deliberation:m_topics",
                "deliberation/icon.svg",
                38,
            )
        )
        register_tile(
            Tile(
                "表决投票",
                "线上投票 · 结果与名册",
                "deliberation:m_votes",
                "deliberation/icon.svg",
                40,
            )
        )
        register_action_labels(
            {
                "vote.create": "发起表决",
                "vote.open": "开启表决",
                "vote.ballot": "投票",
                "vote.paper_ballot": "录入无记名纸质票",
                "vote.close": "结束表决",
                "topic.propose": "提出议题",
                "topic.accept": "受理议题",
                "topic.decline": "不予受理议题",
                "topic.end": "终止议题",
                "topic.step": "完成议事步骤",
                "topic.to_case": "决议转办",
                "meeting.create": "召开议事会议",
                "meeting.record": "记录议事会议",
                "procedure.adapt": "修订议事规程",
                "procedure.copy": "新建议事规程",
            }
        )
