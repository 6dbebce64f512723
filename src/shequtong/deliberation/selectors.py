"""Scoped reads of owners' votes, and what an owner sees of their own."""

from __future__ import annotations

from django.db.models import QuerySet

from shequtong.core.models import User
from shequtong.core.scoping import scoped
from shequtong.registry.models import Person

from .choices import VoteStatus
from .models import Ballot, RollEntry, Vote


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
