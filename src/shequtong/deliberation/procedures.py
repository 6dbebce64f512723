"""The procedure templates shipped with the platform, and how a step is checked.

四议两公开 follows 民政部、中组部's description (党组织提议 → 两委商议 → 党员大会审议 → 居民会议或
居民代表会议决议 → 决议公开 → 实施结果公开); 一事一议 and 业主共同决定 are the short chains a
single matter or an estate's owners go through; 集中民意 puts a renovation to every household
first and goes on only when 60 % or more agree (「大多数住户(60%以上)有整治要求」). Deadlines
are working days (core.calendar). A community copies a template the first time it uses or
adapts it (`services.procedures`).
"""

from __future__ import annotations

from typing import Any, TypedDict

from shequtong.core.errors import DomainError

from .choices import StepKind


class StepSpec(TypedDict):
    name: str
    kind: str
    actor: str
    needs: str
    days: int


MAX_STEPS = 12
MAX_DAYS = 120


def _step(name: str, kind: str, actor: str, needs: str, days: int) -> StepSpec:
    return {"name": name, "kind": kind, "actor": actor, "needs": needs, "days": days}


_PUBLISH_RESOLUTION = _step(
    "决议公开", StepKind.PUBLISH, "社区居委会", "决议公告（公示不少于7天）", 2
)
_PUBLISH_RESULT = _step("实施结果公开", StepKind.PUBLISH, "社区居委会", "实施结果公告", 60)

SHIPPED: dict[str, tuple[str, list[StepSpec]]] = {
    "four_deliberations": (
        "四议两公开",
        [
            _step("党组织提议", StepKind.PROPOSE, "社区党组织", "提议书", 3),
            _step("两委商议", StepKind.DISCUSS, "社区两委", "联席会议纪要", 5),
            _step("党员大会审议", StepKind.PARTY_REVIEW, "社区党员大会", "会议记录及表决结果", 10),
            _step(
                "居民会议或居民代表会议决议",
                StepKind.RESOLVE,
                "居民会议或居民代表会议",
                "决议及表决结果",
                10,
            ),
            _PUBLISH_RESOLUTION,
            _PUBLISH_RESULT,
        ],
    ),
    "one_matter": (
        "一事一议",
        [
            _step("提出议题", StepKind.PROPOSE, "社区居委会", "议题说明", 3),
            _step("议事会协商", StepKind.DISCUSS, "社区议事会", "协商记录", 10),
            _step("居民会议决议", StepKind.RESOLVE, "居民会议或居民代表会议", "决议及表决结果", 10),
            _PUBLISH_RESOLUTION,
            _PUBLISH_RESULT,
        ],
    ),
    "collective_opinion": (
        "集中民意",
        [
            _step("提出整治需求", StepKind.PROPOSE, "社区居委会或网格", "需求说明及初步方案", 5),
            _step("入户征求意见", StepKind.SURVEY, "社区居委会、网格员", "问卷及覆盖情况", 20),
            _step("两委商议", StepKind.DISCUSS, "社区两委", "联席会议纪要", 5),
            _PUBLISH_RESOLUTION,
            _PUBLISH_RESULT,
        ],
    ),
    "owners_decision": (
        "业主共同决定",
        [
            _step("提出议题", StepKind.PROPOSE, "业主委员会或社区居委会", "议题说明及方案", 5),
            _step("业主共同决定", StepKind.OWNERS_VOTE, "业主大会", "表决结果", 20),
            _PUBLISH_RESOLUTION,
            _PUBLISH_RESULT,
        ],
    ),
}


def clean_steps(raw: list[dict[str, Any]]) -> list[StepSpec]:
    """An adapted chain, checked: every error names the step by its number."""
    steps: list[StepSpec] = []
    errors: list[str] = []
    for n, row in enumerate(raw, start=1):
        name = str(row.get("name", "")).strip()
        if not name:
            continue
        kind = str(row.get("kind", ""))
        try:
            days = int(row.get("days", ""))
        except (TypeError, ValueError):
            days = -1
        if kind not in StepKind.values:
            errors.append(f"第{n}步「{name}」：请选择步骤类型")
        if not 1 <= days <= MAX_DAYS:
            errors.append(f"第{n}步「{name}」：时限须为 1–{MAX_DAYS} 个工作日")
        steps.append(
            _step(
                name[:60],
                kind,
                str(row.get("actor", "")).strip()[:60] or "社区居委会",
                str(row.get("needs", "")).strip()[:120],
                max(days, 1),
            )
        )
    if not steps:
        errors.append("请至少填写一个步骤")
    if len(steps) > MAX_STEPS:
        errors.append(f"步骤不能超过 {MAX_STEPS} 个")
    if errors:
        raise DomainError("invalid", "；".join(errors), {"steps": errors})
    return steps
