"""Votes and topics spread over the fixture tree, for the isolation matrix (tests/core): in
every area a vote with one owner on its roll and one ballot, and a procedure and a topic with
a step, an update and a meeting with an invitee and a file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from shequtong.core.models import User
from shequtong.deliberation.models import (
    Ballot,
    Invitee,
    Meeting,
    MeetingFile,
    Procedure,
    RollEntry,
    Topic,
    TopicStep,
    TopicUpdate,
    Vote,
)
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


def rows_topic(tree: AreaTree, viewer: User) -> None:
    if Topic.objects.filter(title="矩阵议题").exists():
        return
    now = timezone.now()
    for area in tree.all:
        Procedure.objects.create(
            area=area, key="one_matter", lineage="one_matter", name="一事一议", steps=[]
        )
        topic = Topic.objects.create(
            area=area, title="矩阵议题", description="内容", source="committees", level="community"
        )
        TopicStep.objects.create(
            topic=topic, area=area, index=0, name="提议", kind="propose", actor="两委", days=3
        )
        TopicUpdate.objects.create(topic=topic, area=area, text="进展")
        meeting = Meeting.objects.create(
            topic=topic, area=area, kind="council", title="议事会", starts_at=now, place="会议室"
        )
        Invitee.objects.create(meeting=meeting, area=area, name="列席代表", role="npc")
        attached = MeetingFile(meeting=meeting, area=area, name="纪要.pdf")
        attached.file.save("纪要.pdf", ContentFile(b"%PDF-1.4"), save=False)
        attached.save()


ROWS: dict[str, Callable[[AreaTree, User], None]] = {
    "deliberation.vote": rows_vote,
    "deliberation.rollentry": rows_vote,
    "deliberation.ballot": rows_vote,
    **{
        f"deliberation.{name}": rows_topic
        for name in (
            "procedure",
            "topic",
            "topicstep",
            "topicupdate",
            "meeting",
            "invitee",
            "meetingfile",
        )
    },
}
