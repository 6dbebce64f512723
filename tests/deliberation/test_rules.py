"""Every threshold at its boundary: exactly 2/3 takes part, exactly 3/4 agrees, exactly half
does not; one owner or one square metre below fails, above passes."""

from __future__ import annotations

from fractions import Fraction

import pytest

from shequtong.deliberation.rules import owners_decision, party_meeting, residents_meeting


def decide(voted_owners=60, voted_area=6000, agree_owners=31, agree_area=3100, special=False):
    return owners_decision(
        total_area=Fraction(9000),
        total_owners=90,
        voted_area=Fraction(voted_area),
        voted_owners=voted_owners,
        agree_area=Fraction(agree_area),
        agree_owners=agree_owners,
        special=special,
    )


def test_exactly_two_thirds_takes_part():
    assert decide().passed  # 60/90 owners and 6000/9000 m² are exactly 2/3
    below = decide(voted_owners=59)
    assert not below.passed and below.failed == ["参与表决的业主人数 65.56%，未达2/3以上"]
    below_area = decide(voted_area=Fraction(5999))
    assert not below_area.passed and "参与表决的专有部分面积" in below_area.failed[0]


def test_exactly_half_is_not_more_than_half():
    half = decide(agree_owners=30, agree_area=3000)
    assert not half.passed
    assert half.failed == [
        "同意的专有部分面积（占参与表决） 50.00%，未达过半数",
        "同意的业主人数（占参与表决） 50.00%，未达过半数",
    ]
    assert decide(agree_owners=31, agree_area=Fraction("3000.01")).passed


def test_exactly_three_quarters_passes_a_special_matter():
    assert decide(agree_owners=45, agree_area=4500, special=True).passed  # exactly 3/4
    short = decide(agree_owners=44, agree_area=4500, special=True)
    assert not short.passed and short.failed == ["同意的业主人数（占参与表决） 73.33%，未达3/4以上"]
    assert not decide(agree_owners=45, agree_area=Fraction("4499.99"), special=True).passed


def test_the_area_and_the_headcount_must_both_pass():
    many_small = decide(agree_owners=50, agree_area=2000)  # most owners, little area
    assert not many_small.passed and len(many_small.failed) == 1
    few_large = decide(agree_owners=20, agree_area=5000)  # most area, few owners
    assert not few_large.passed and len(few_large.failed) == 1


def test_nobody_voting_fails_every_share_without_dividing_by_zero():
    nobody = decide(voted_owners=0, voted_area=0, agree_owners=0, agree_area=0)
    assert not nobody.passed and len(nobody.failed) == 4


@pytest.mark.parametrize(
    ("due", "present", "agree", "representatives", "passed"),
    [
        (100, 51, 26, False, True),
        (100, 50, 26, False, False),  # exactly half attending is not more than half
        (100, 51, 25, False, False),  # agree must be more than half of those present (25.5)
        (30, 20, 11, True, True),  # representatives: exactly 2/3 attend
        (30, 19, 11, True, False),
        (30, 20, 10, True, False),  # exactly half of those present
    ],
)
def test_residents_meetings(due, present, agree, representatives, passed):
    outcome = residents_meeting(
        due=due, present=present, agree=agree, representatives=representatives
    )
    assert outcome.passed is passed


@pytest.mark.parametrize(
    ("due", "present", "agree", "passed"),
    [(45, 30, 23, True), (45, 29, 23, False), (45, 30, 22, False), (44, 30, 22, False)],
)
def test_party_meeting_counts_agreement_against_those_due(due, present, agree, passed):
    assert party_meeting(due=due, present=present, agree=agree).passed is passed
