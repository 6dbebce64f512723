"""The count of a vote from its stored ballots: the fractions of the electorate's rule, each
against its threshold, or an election's standings. `tally` is what closing publishes and
`recount` what must reproduce it."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count

from ..choices import SPECIAL_MATTERS, Choice, Electorate
from ..models import Ballot, SecretBallot, Vote
from ..rules import Measure, Outcome, election, electorate_vote, owners_decision


def _shown(value: Fraction | int) -> str:
    """A count as itself, an area in m² to the hundredth (areas are registered to 0.01 m²)."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return f"{Decimal(value.numerator) / Decimal(value.denominator):.2f}"


def _owners_outcome(vote: Vote) -> Outcome:
    counted = Ballot.objects.filter(vote=vote, current=True).select_related("entry")
    voted_area = agree_area = Fraction(0)
    voted = agree = 0
    for ballot in counted:
        area = Fraction(ballot.entry.unit_area)
        voted += 1
        voted_area += area
        if ballot.choice == Choice.AGREE:
            agree += 1
            agree_area += area
    return owners_decision(
        total_area=Fraction(vote.total_area or 0),
        total_owners=vote.total_owners or 0,
        voted_area=voted_area,
        voted_owners=voted,
        agree_area=agree_area,
        agree_owners=agree,
        special=vote.matter in SPECIAL_MATTERS,
    )


def _counted(vote: Vote) -> Any:
    """The counted ballots: each named voter's latest, or every ballot in a secret box."""
    if vote.secret:
        return SecretBallot.objects.filter(vote=vote)
    return Ballot.objects.filter(vote=vote, current=True)


def choices_counted(vote: Vote) -> dict[str, int]:
    rows = _counted(vote)
    counts = dict(rows.values_list("choice").annotate(n=Count("pk")).order_by("choice"))
    return {c: counts.get(c, 0) for c in Choice.values}


def tally(vote: Vote) -> dict[str, Any]:
    """The fractions of the electorate's rule from the counted ballots, each against its
    threshold: the four of 民法典第278条 for owners, attendance and agreement otherwise, the
    turnout and each candidate's votes in an election."""
    if vote.candidates:
        return _election_tally(vote)
    counts = choices_counted(vote)
    if vote.electorate == Electorate.OWNERS:
        outcome = _owners_outcome(vote)
    else:
        outcome = electorate_vote(
            electorate=vote.electorate,
            due=vote.total_owners or 0,
            voted=sum(counts.values()),
            agree=counts[Choice.AGREE],
        )
    return {
        "passed": outcome.passed,
        "failed": outcome.failed,
        "measures": _measures(vote, outcome.measures),
        "choices": {Choice(c).label: n for c, n in counts.items()},
        "ballots": sum(counts.values()),
        "by_channel": _by_channel(vote),
    }


def _election_tally(vote: Vote) -> dict[str, Any]:
    votes = [0] * len(vote.candidates)
    ballots = 0
    for picks in _counted(vote).values_list("picks", flat=True):
        ballots += 1
        for p in picks:
            votes[p] += 1
    outcome = election(
        due=vote.total_owners or 0,
        voted=ballots,
        votes=dict(zip(vote.candidates, votes, strict=True)),
        seats=vote.seats or 1,
    )
    return {
        "passed": outcome.passed,
        "failed": outcome.failed,
        "measures": _measures(vote, (outcome.turnout,)),
        "candidates": [
            {
                "name": c.name,
                "votes": c.votes,
                "percent": f"{float(c.share) * 100:.2f}%",
                "elected": c.elected,
            }
            for c in outcome.standings
        ],
        "seats": vote.seats,
        "ballots": ballots,
        "by_channel": _by_channel(vote),
    }


def _measures(vote: Vote, measures: tuple[Measure, ...]) -> list[dict[str, Any]]:
    head = "户" if vote.electorate == Electorate.HOUSEHOLDS else "人"
    return [
        {
            "label": m.label,
            "part": _shown(m.part),
            "whole": _shown(m.whole),
            "unit": "m²" if "面积" in m.label else head,
            "percent": m.percent,
            "rule": m.rule,
            "met": m.met,
        }
        for m in measures
    ]


def _by_channel(vote: Vote) -> dict[str, int]:
    voters = vote.roll.exclude(voted_at=None)
    return dict(voters.values_list("channel").annotate(n=Count("pk")).order_by("channel"))


def recount(vote: Vote) -> bool:
    """Whether the stored ballots reproduce the published result."""
    return vote.result == tally(vote)
