"""Owners' votes spread over the fixture tree, for the isolation matrix (tests/core): a vote
in every area with one owner on its roll and one ballot."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from shequtong.core.models import User
from shequtong.deliberation.models import Ballot, RollEntry, Vote
from shequtong.registry.models import Estate
from tests.core.factories import AreaTree


def _votes(tree: AreaTree) -> list[Vote]:
    found = list(Vote.objects.filter(title="矩阵表决").order_by("pk"))
    if found:
        return found
    now = timezone.now()
    made = []
    for area in tree.all:
        estate = Estate.objects.create(name=f"表决小区{area.pk}", area=area)
        made.append(
            Vote.objects.create(
                estate=estate,
                title="矩阵表决",
                matter="other",
                opens_at=now,
                closes_at=now + timedelta(days=1),
                area=area,
                total_area=100,
                total_owners=1,
                status="open",
            )
        )
    for vote in made:
        entry = RollEntry.objects.create(
            vote=vote, developer=True, unit_area=100, units=1, area=vote.area
        )
        Ballot.objects.create(
            vote=vote,
            entry=entry,
            choice="agree",
            channel="online",
            receipt=f"R{vote.pk:06d}",
            area=vote.area,
        )
    return made


def rows_vote(tree: AreaTree, viewer: User) -> None:
    _votes(tree)


ROWS: dict[str, Callable[[AreaTree, User], None]] = {
    "deliberation.vote": rows_vote,
    "deliberation.rollentry": rows_vote,
    "deliberation.ballot": rows_vote,
}
