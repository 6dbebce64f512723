"""Votes of residents, households, representatives and party members: the roll from the
registry, one vote per household whoever casts it, the meeting rule each electorate decides by
(at its boundary), and secret ballots that keep no link between voter and choice."""

from __future__ import annotations

import datetime
import threading
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from shequtong.accounts.services import claim_submit
from shequtong.core.choices import Role
from shequtong.core.errors import DomainError
from shequtong.core.models import AuditEntry
from shequtong.deliberation.models import Ballot, RollEntry, SecretBallot, Vote
from shequtong.deliberation.rules import election, electorate_vote
from shequtong.deliberation.services import (
    ballot_cast,
    paper_ballot_count,
    recount,
    tally,
    vote_close,
    vote_create,
    vote_open,
)
from shequtong.registry.models import Building, Dwelling, Estate, Household, Person
from tests.volunteering.helpers import person, resident, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tree, user_with):
    return user_with(Role.COMMUNITY_STAFF, tree.comm_a1)


@pytest.fixture
def homes(tree, caplog):
    """Two households in community A1: 101 (two adults with accounts and a child), 102 (one
    adult with an account); an adult without an account elsewhere in the community."""
    estate = Estate.objects.create(name="滨江花园", area=tree.comm_a1)
    building = Building.objects.create(estate=estate, number="1", area=tree.grid_a1a)
    made = {}
    for number in ("101", "102"):
        dwelling = Dwelling.objects.create(
            building=building, number=number, floor=1, area=tree.grid_a1a
        )
        made[number] = Household.objects.create(dwelling=dwelling, area=tree.grid_a1a)
    people = {
        "father": resident(1, tree.grid_a1a, caplog),
        "mother": resident(2, tree.grid_a1a, caplog),
        "neighbour": resident(3, tree.grid_a1a, caplog),
    }
    child = person(4, tree.grid_a1a, born=date.today() - timedelta(days=365 * 10))
    Person.objects.filter(pk__in=[people["father"][1].pk, people["mother"][1].pk, child.pk]).update(
        household=made["101"]
    )
    Person.objects.filter(pk=people["neighbour"][1].pk).update(household=made["102"])
    person(5, tree.grid_a1b)  # no account, no household
    return made, people, child


def _vote(staff, area, electorate, *, secret=False, **kw) -> Vote:
    now = timezone.now()
    vote = vote_create(
        actor=staff,
        area=area,
        electorate=electorate,
        secret=secret,
        title="选举居民小组长",
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=1),
        **kw,
    )
    return vote_open(actor=staff, vote=vote)


def _close(staff, vote: Vote) -> Vote:
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now())
    return vote_close(actor=staff, vote=vote)


def test_adult_residents_are_rolled_children_are_not(tree, staff, homes):
    _, _, child = homes
    vote = _vote(staff, tree.comm_a1, "residents")
    assert vote.total_owners == 4
    assert not RollEntry.objects.filter(vote=vote, person=child).exists()


def test_a_household_votes_once_whoever_of_its_adults_casts(tree, staff, homes):
    _, people, _ = homes
    vote = _vote(staff, tree.comm_a1, "households")
    assert vote.total_owners == 2
    ballot_cast(actor=people["father"][0], vote=vote, choice="disagree")
    ballot_cast(actor=people["mother"][0], vote=vote, choice="agree")  # the household's latest
    assert Ballot.objects.filter(vote=vote, current=True).count() == 1
    assert Ballot.objects.get(vote=vote, current=True).choice == "agree"
    result = tally(vote)
    assert result["choices"] == {"同意": 1, "不同意": 0, "弃权": 0}
    assert result["measures"][0]["unit"] == "户"


def test_a_child_cannot_cast_the_household_vote(tree, staff, homes, caplog):
    _, _, child = homes
    vote = _vote(staff, tree.comm_a1, "households")
    user = sign_in("13900000004", caplog)
    claim_submit(user=user, name=child.name, id_number=child.id_number, community=None)
    with pytest.raises(DomainError, match="您不在本次表决的投票人名册中"):
        ballot_cast(actor=user, vote=vote, choice="agree")


def test_a_voter_outside_the_electorate_is_refused(tree, staff, homes, caplog):
    vote = _vote(staff, tree.grid_a1b, "residents")  # only the grid A1b resident without account
    _, people, _ = homes
    with pytest.raises(DomainError, match="您不在本次表决的投票人名册中"):
        ballot_cast(actor=people["father"][0], vote=vote, choice="agree")


def test_an_empty_electorate_is_named_when_the_vote_opens(tree, staff, homes):
    vote = vote_create(
        actor=staff,
        area=tree.comm_a1,
        electorate="representatives",
        title="x",
        opens_at=timezone.now(),
        closes_at=timezone.now() + timedelta(days=1),
    )
    with pytest.raises(DomainError, match="没有登记居民代表"):
        vote_open(actor=staff, vote=vote)


def test_an_owners_vote_cannot_be_secret_and_needs_an_estate(tree, staff):
    estate = Estate.objects.create(name="x", area=tree.comm_a1)
    base = dict(actor=staff, title="x", opens_at=timezone.now())
    base["closes_at"] = base["opens_at"] + timedelta(days=1)
    with pytest.raises(DomainError, match="业主共同决定须由业主签名表决，不能无记名"):
        vote_create(**base, estate=estate, matter="use_fund", secret=True)
    with pytest.raises(DomainError, match="业主表决须选择小区"):
        vote_create(**base, matter="use_fund")
    with pytest.raises(DomainError, match="须选择社区或网格"):
        vote_create(**base, electorate="residents", area=tree.sub_a)


@pytest.mark.parametrize(
    ("electorate", "due", "voted", "agree", "passed"),
    [
        # 居民会议 by ballot: more than half vote, more than half of them agree.
        ("residents", 10, 5, 5, False),  # exactly half voted: not more than half
        ("residents", 10, 6, 3, False),  # exactly half of the voters agree
        ("residents", 10, 6, 4, True),
        ("households", 4, 3, 2, True),
        # 居民代表会议: at least 2/3 vote (exactly 2/3 is enough), more than half of them agree.
        ("representatives", 9, 6, 4, True),
        ("representatives", 9, 5, 5, False),
        ("representatives", 9, 6, 3, False),
        # 党员大会: at least 2/3 vote, more than half of all members agree.
        ("party", 6, 4, 3, False),  # 3 of 6 is exactly half of those due
        ("party", 6, 4, 4, True),
    ],
)
def test_each_electorate_decides_by_its_meeting_rule(electorate, due, voted, agree, passed):
    assert (
        electorate_vote(electorate=electorate, due=due, voted=voted, agree=agree).passed is passed
    )


def test_a_secret_ballot_keeps_no_link_between_voter_and_choice(tree, staff, homes):
    _, people, _ = homes
    vote = _vote(staff, tree.comm_a1, "residents", secret=True)
    ballot = ballot_cast(actor=people["father"][0], vote=vote, choice="disagree")
    assert isinstance(ballot, SecretBallot)
    # The box: a random key, the choice (or the candidates picked) and the receipt, nothing else.
    assert {f.name for f in SecretBallot._meta.get_fields()} == {
        "id",
        "vote",
        "choice",
        "picks",
        "receipt",
    }
    assert not Ballot.objects.filter(vote=vote).exists()
    entry = RollEntry.objects.get(vote=vote, person=people["father"][1])
    assert entry.channel == "online" and entry.voted_at is not None
    logged = AuditEntry.objects.filter(action="vote.ballot").latest("pk")
    assert "disagree" not in str(logged.changes) and "choice" not in logged.changes
    with pytest.raises(DomainError, match="无记名投票一经投出不能更改"):
        ballot_cast(actor=people["father"][0], vote=vote, choice="agree")


def test_a_secret_vote_merges_channels_and_recounts_from_the_box(tree, staff, homes):
    _, people, _ = homes
    vote = _vote(staff, tree.comm_a1, "residents", secret=True)
    ballot_cast(actor=people["father"][0], vote=vote, choice="agree")
    ballot_cast(actor=people["mother"][0], vote=vote, choice="agree")
    other = RollEntry.objects.get(vote=vote, person__name="居民005")
    sheet = SimpleUploadedFile("sheet.pdf", b"%PDF-1.4 proxy", content_type="application/pdf")
    with pytest.raises(DomainError, match="委托投票须填写受托人姓名"):
        ballot_cast(
            actor=staff, vote=vote, entry=other, choice="agree", channel="proxy", document=sheet
        )
    ballot_cast(
        actor=staff,
        vote=vote,
        entry=other,
        choice="",
        channel="proxy",
        document=sheet,
        proxy_name="居民003",
    )
    # The neighbour tries online after being keyed in on paper: refused, nothing counted twice.
    neighbour = RollEntry.objects.get(vote=vote, person=people["neighbour"][1])
    paper = SimpleUploadedFile("p.pdf", b"%PDF-1.4 sign-in", content_type="application/pdf")
    assert (
        ballot_cast(
            actor=staff, vote=vote, entry=neighbour, channel="paper", document=paper, choice=""
        )
        is None
    )
    with pytest.raises(DomainError, match="通过纸质投票"):
        ballot_cast(actor=people["neighbour"][0], vote=vote, choice="agree")
    # Marking a paper voter put nothing in the box; the two paper ballots go in without voters,
    # and no more than the roll's voters.
    assert SecretBallot.objects.filter(vote=vote).count() == 2
    paper_ballot_count(actor=staff, vote=vote, choice="disagree")
    paper_ballot_count(actor=staff, vote=vote, choice="abstain")
    with pytest.raises(DomainError, match="票箱已有 4 张票，与已投票人数相等"):
        paper_ballot_count(actor=staff, vote=vote, choice="agree")
    assert not AuditEntry.objects.filter(action="vote.paper_ballot", changes__has_key="choice")
    # The roll keeps the day a voter voted, never the hour.
    times = {
        e.voted_at.astimezone(timezone.get_current_timezone()).time()
        for e in vote.roll.exclude(voted_at=None)
    }
    assert times == {datetime.time(0, 0)}
    before = list(SecretBallot.objects.filter(vote=vote).values_list("receipt", flat=True))
    vote = _close(staff, vote)
    after = SecretBallot.objects.filter(vote=vote)
    assert sorted(after.values_list("receipt", flat=True)) == sorted(before)  # rewritten, kept
    assert vote.result["choices"] == {"同意": 2, "不同意": 1, "弃权": 1}
    assert vote.result["by_channel"] == {"online": 2, "paper": 1, "proxy": 1}
    assert vote.result["passed"] is False  # 2 of 4 voters agree: not more than half
    assert recount(vote)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="row locks between connections: the PostgreSQL run"
)
def test_two_channels_at_once_put_one_secret_ballot_in_the_box(tree, staff, homes):
    _, people, _ = homes
    vote = _vote(staff, tree.comm_a1, "residents", secret=True)
    entry = RollEntry.objects.get(vote=vote, person=people["father"][1])
    outcomes: list[str] = []

    def online() -> None:
        try:
            ballot_cast(actor=people["father"][0], vote=vote, choice="agree")
            outcomes.append("ok")
        except DomainError:
            outcomes.append("refused")
        finally:
            connection.close()

    def paper() -> None:
        doc = SimpleUploadedFile("p.pdf", b"%PDF-1.4", content_type="application/pdf")
        try:
            ballot_cast(
                actor=staff, vote=vote, entry=entry, choice="agree", channel="paper", document=doc
            )
            outcomes.append("ok")
        except DomainError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=online), threading.Thread(target=paper)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    entry.refresh_from_db()
    # One channel won: online put its ballot in the box; paper marked the voter only.
    boxed = 1 if entry.channel == "online" else 0
    assert SecretBallot.objects.filter(vote=vote).count() == boxed


@pytest.mark.parametrize(
    ("voted", "votes", "seats", "elected", "tied", "valid"),
    [
        # 10 on the roll: exactly half voting is not more than half, the election is void.
        (5, {"甲": 5, "乙": 4}, 1, set(), (), False),
        # 6 voted: exactly 3 of 6 is not more than half; 4 of 6 is.
        (6, {"甲": 3, "乙": 4}, 1, {"乙"}, (), True),
        # More above half than seats: the most votes first.
        (6, {"甲": 6, "乙": 5, "丙": 4}, 2, {"甲", "乙"}, (), True),
        # Tied for the last seat: neither is elected, both stand again.
        (6, {"甲": 6, "乙": 4, "丙": 4}, 2, {"甲"}, ("乙", "丙"), True),
    ],
)
def test_an_election_counts_by_the_law(voted, votes, seats, elected, tied, valid):
    outcome = election(due=10, voted=voted, votes=votes, seats=seats)
    assert outcome.passed is valid
    assert {s.name for s in outcome.standings if s.elected} == elected
    assert outcome.tied == tied


def test_an_election_that_fills_too_few_seats_says_how_many_are_missing():
    outcome = election(due=10, voted=6, votes={"甲": 5, "乙": 3, "丙": 2}, seats=2)
    assert [s.name for s in outcome.standings if s.elected] == ["甲"]
    assert outcome.failed == ["当选人数不足应选人数，尚缺 1 名，须另行选举"]


def test_a_secret_election_takes_up_to_the_seats_and_publishes_the_standings(tree, staff, homes):
    _, people, _ = homes
    with pytest.raises(DomainError, match="应选人数须在 1 到 3 之间"):
        _vote(staff, tree.comm_a1, "residents", secret=True, candidates=["甲", "乙", "丙"])
    vote = _vote(
        staff, tree.comm_a1, "residents", secret=True, candidates=["甲", "乙", "丙"], seats=2
    )
    with pytest.raises(DomainError, match="应选 2 人，最多选 2 名候选人"):
        ballot_cast(actor=people["father"][0], vote=vote, choice="", picks=[0, 1, 2])
    with pytest.raises(DomainError, match="所选候选人不在候选人名单中"):
        ballot_cast(actor=people["father"][0], vote=vote, choice="", picks=[5])
    first = ballot_cast(actor=people["father"][0], vote=vote, choice="", picks=["0", "1"])
    assert first.shown == "甲、乙"
    ballot_cast(actor=people["mother"][0], vote=vote, choice="", picks=[0])
    ballot_cast(actor=people["neighbour"][0], vote=vote, choice="", picks=[])  # 弃权
    vote = _close(staff, vote)
    assert vote.result["passed"] is True  # 3 of 4 voted
    assert [(c["name"], c["votes"], c["elected"]) for c in vote.result["candidates"]] == [
        ("甲", 2, True),  # 2 of 3 ballots
        ("乙", 1, False),
        ("丙", 0, False),
    ]
    assert recount(vote)


def test_an_owners_vote_has_no_candidates(tree, staff):
    estate = Estate.objects.create(name="x", area=tree.comm_a1)
    with pytest.raises(DomainError, match="业主表决不设候选人"):
        vote_create(
            actor=staff,
            estate=estate,
            matter="committee",
            title="x",
            candidates=["甲"],
            seats=1,
            opens_at=timezone.now(),
            closes_at=timezone.now() + timedelta(days=1),
        )


def test_a_household_whose_members_moved_out_has_no_vote_nor_does_a_mover(tree, staff, homes):
    made, people, _ = homes
    Person.objects.filter(household=made["102"]).update(status="moved_out")
    vote = _vote(staff, tree.comm_a1, "households")
    assert vote.total_owners == 1
    with pytest.raises(DomainError, match="您不在本次表决的投票人名册中"):
        ballot_cast(actor=people["neighbour"][0], vote=vote, choice="agree")


def test_a_community_vote_cannot_stand_for_an_owners_decision(tree, staff, homes):
    from shequtong.deliberation import services

    vote = _close(staff, _vote(staff, tree.comm_a1, "residents"))
    estate = Estate.objects.get(name="滨江花园")
    topic = services.topic_propose(
        actor=staff,
        area=tree.comm_a1,
        estate=estate,
        title="更换电梯",
        description="1栋电梯老化",
        source="owners_committee",
        level="estate",
    )
    procedure = services.procedure_for(community=tree.comm_a1, key="owners_decision")
    topic = services.topic_accept(actor=staff, topic=topic, procedure=procedure)
    topic = services.step_complete(actor=staff, topic=topic, index=0, note="业委会提出").topic
    with pytest.raises(DomainError, match="请选择本小区的业主表决"):
        services.step_complete(actor=staff, topic=topic, index=1, vote=vote)
