"""事中监督: a step of a running topic past its deadline is put before the community's staff,
once, so a procedure cannot stall unseen (「全面实行事前、事中、事后全过程监督」)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.urls import reverse
from django.utils import timezone

from shequtong.core.choices import Role
from shequtong.core.models import RoleGrant, User, community_path
from shequtong.core.notify import Message, notify_many

from ..choices import TopicStatus
from ..models import TopicStep


def steps_overdue_sweep(*, today: date | None = None) -> int:
    """Tell each community's staff of every open step that ran past `due_on`; returns how
    many steps were told. The message names the topic and the step, never a person."""
    today = today or timezone.localdate()
    late = list(
        TopicStep.objects.filter(
            topic__status=TopicStatus.RUNNING,
            opened_at__isnull=False,
            done_at__isnull=True,
            due_on__lt=today,
            overdue_told_at__isnull=True,
        ).select_related("topic")
    )
    if not late:
        return 0
    communities = {community_path(step.area_path) for step in late}
    staff: dict[str, list[User]] = defaultdict(list)
    for grant in RoleGrant.objects.filter(
        role=Role.COMMUNITY_STAFF, area__path__in=communities
    ).select_related("user", "area"):
        staff[grant.area.path].append(grant.user)
    batches = [
        (
            staff[community_path(step.area_path)],
            Message(
                f"议事步骤逾期：{step.topic.title}",
                f"第{step.index + 1}步「{step.name}」应于 {step.due_on:%Y-%m-%d} 前完成",
                reverse("deliberation:topic_detail", args=[step.topic_id]),
                brief="有议事步骤已逾期，请登录社区通处理",
            ),
        )
        for step in late
    ]
    notify_many(batches)
    TopicStep.objects.filter(pk__in=[s.pk for s in late]).update(overdue_told_at=timezone.now())
    return len(late)
