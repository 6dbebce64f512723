"""Scoped reads of votes, topics and meetings, and what a resident sees of their own."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from shequtong.core.choices import AreaLevel
from shequtong.core.models import Area, User, community_path
from shequtong.core.public import neighbour_view, public_name
from shequtong.core.scoping import scoped
from shequtong.registry.choices import PersonStatus
from shequtong.registry.models import Person

from .choices import Electorate, TopicStatus, VoteStatus
from .electorates import is_adult
from .models import Ballot, Meeting, RollEntry, Topic, Vote


def vote_list(*, user: User) -> QuerySet[Vote]:
    return scoped(Vote.objects.select_related("estate", "area"), user, "read").order_by(
        "-opens_at", "-pk"
    )


def decision_areas(user: User) -> QuerySet[Area]:
    """Where the user may hold a topic or a vote: the communities and grids they reach."""
    levels = [AreaLevel.COMMUNITY, AreaLevel.GRID]
    return scoped(Area.objects.filter(level__in=levels), user, "read").order_by("path")


def roll_of(vote: Vote) -> QuerySet[RollEntry]:
    return vote.roll.select_related("person", "household__head", "household__dwelling").order_by(
        "-unit_area", "pk"
    )


def counted_by_entry(vote: Vote) -> dict[int, Ballot]:
    rows = Ballot.objects.filter(vote=vote, current=True).select_related("vote")
    return {b.entry_id: b for b in rows}


def votes_of_voter(person: Person) -> QuerySet[Vote]:
    """Votes whose roll names `person` or, for an adult, their household: open ones to cast,
    closed ones to read the result and the roll."""
    if person.status != PersonStatus.ACTIVE:
        return Vote.objects.none()
    on_roll = Q(roll__person=person)
    if person.household_id is not None and is_adult(person):
        on_roll |= Q(roll__household_id=person.household_id)
    return (
        Vote.objects.filter(on_roll)
        .exclude(status=VoteStatus.DRAFT)
        .select_related("estate", "area")
        .distinct()
        .order_by("-opens_at")
    )


def entries_of_voter(person: Person, votes: list[Vote]) -> dict[int, RollEntry]:
    """The roll entry `person` casts for in each vote (their own or their household's)."""
    mine = Q(person=person)
    if person.household_id is not None and is_adult(person):
        mine |= Q(household_id=person.household_id)
    return {e.vote_id: e for e in RollEntry.objects.filter(mine, vote__in=votes)}


def published_roll(vote: Vote, entries: Iterable[RollEntry]) -> list[dict[str, str]]:
    """Entries of the roll as published to the electorate after closing: who voted, how, and
    (owners) with what area — names shortened to the surname (张**), no doors, no choices."""
    rows = []
    for entry in entries:
        if entry.developer:
            who = "开发建设单位"
        elif entry.household_id:
            head = entry.household.head
            who = f"{public_name(head.name)}户" if head else "住户"
        else:
            who = public_name(entry.person.name)
        rows.append(
            {
                "who": who,
                "area": str(entry.unit_area) if vote.electorate == Electorate.OWNERS else "",
                "voted": entry.get_channel_display() if entry.voted_at else "未投票",
            }
        )
    return rows


def topic_list(*, user: User, status: str = "") -> QuerySet[Topic]:
    rows = scoped(Topic.objects.select_related("area", "procedure", "estate"), user, "read")
    return rows.filter(status=status) if status else rows


def meeting_list(*, user: User) -> QuerySet[Meeting]:
    return scoped(Meeting.objects.select_related("topic", "area"), user, "read")


def topic_as_seen(topic: Topic, user: User, *, author: str = "") -> Topic:
    """The topic's texts as a resident reads them: the proposer their own words, every other
    resident of the community through `core.public.neighbour_view` (a proposal that names a
    door, a phone or a neighbour shows none of them). Set on the instance, not saved."""
    own = topic.proposer_id == user.pk
    where = community_path(topic.area_path)
    for field in ("title", "description", "resolution", "outcome_note"):
        seen = neighbour_view(text=getattr(topic, field), author=author, area_path=where, own=own)
        setattr(topic, field, seen[1])
    return topic


def updates_as_seen(topic: Topic, user: User, *, author: str = "") -> list[tuple[Any, str]]:
    own = topic.proposer_id == user.pk
    where = community_path(topic.area_path)
    return [
        (u.created_at, neighbour_view(text=u.text, author=author, area_path=where, own=own)[1])
        for u in topic.updates.all()[:50]
    ]


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
