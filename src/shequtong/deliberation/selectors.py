"""Scoped reads of votes, topics and meetings, and what a resident sees of their own."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from shequtong.core.models import User, community_path
from shequtong.core.scoping import scoped
from shequtong.registry.models import Person

from .choices import TopicStatus, VoteStatus
from .models import Ballot, Meeting, RollEntry, Topic, Vote


def vote_list(*, user: User) -> QuerySet[Vote]:
    return scoped(Vote.objects.select_related("estate", "area"), user, "read").order_by(
        "-opens_at", "-pk"
    )


def roll_of(vote: Vote) -> QuerySet[RollEntry]:
    return vote.roll.select_related("person").order_by("-unit_area", "pk")


def counted_by_entry(vote: Vote) -> dict[int, Ballot]:
    return {b.entry_id: b for b in Ballot.objects.filter(vote=vote, current=True)}


def votes_of_owner(person: Person) -> QuerySet[Vote]:
    """Votes whose roll names `person`: open ones to cast, closed ones to read the result."""
    return (
        Vote.objects.filter(roll__person=person)
        .exclude(status=VoteStatus.DRAFT)
        .select_related("estate")
        .order_by("-opens_at")
    )


def topic_list(*, user: User, status: str = "") -> QuerySet[Topic]:
    rows = scoped(Topic.objects.select_related("area", "procedure", "estate"), user, "read")
    return rows.filter(status=status) if status else rows


def meeting_list(*, user: User) -> QuerySet[Meeting]:
    return scoped(Meeting.objects.select_related("topic", "area"), user, "read")


def topics_for_resident(person: Person, user: User) -> QuerySet[Topic]:
    """What a resident follows: their own proposals, and the topics under way or done in
    their community (their estate's and building's included) — not others' pending ones."""
    shown = Q(area_path__startswith=community_path(person.area_path)) & Q(
        status__in=[TopicStatus.RUNNING, TopicStatus.DONE, TopicStatus.ENDED]
    )
    return (
        Topic.objects.filter(shown | Q(proposer=user))
        .select_related("procedure", "estate")
        .order_by("-created_at", "-pk")
    )
