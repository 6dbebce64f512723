"""Owners' votes end to end at the service level: the pre-vote check, the roll (one owner once,
the developer once), every channel, the latest ballot counting, the window, the tally's four
fractions and the recount."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from shequtong.core.choices import Role
from shequtong.core.errors import DomainError
from shequtong.core.models import AuditEntry
from shequtong.deliberation.models import Ballot, RollEntry, Vote
from shequtong.deliberation.services import (
    ballot_cast,
    pre_vote_check,
    recount,
    tally,
    vote_close,
    vote_create,
    vote_open,
)
from shequtong.registry.models import Building, Dwelling, Estate
from tests.volunteering.helpers import person, resident

pytestmark = pytest.mark.django_db


def scan(name: str = "ballot.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 signed ballot", content_type="application/pdf")


@pytest.fixture
def staff(tree, user_with):
    return user_with(Role.COMMUNITY_STAFF, tree.comm_a1)


@pytest.fixture
def estate(tree, caplog):
    """Six units: owners A (2 units, 100 + 50 m²), B (100), C (100) with accounts; D (100) without;
    one unsold unit (the developer, 50 m²). Five owners, 500 m²."""
    place = Estate.objects.create(name="滨江花园", area=tree.comm_a1)
    building = Building.objects.create(estate=place, number="1", area=tree.grid_a1a)
    owners = {}
    for n, key in enumerate("ABC", start=1):
        user, someone = resident(n, tree.grid_a1a, caplog)
        owners[key] = (user, someone)
    owners["D"] = (None, person(9, tree.grid_a1a))
    units = [
        ("101", "A", 100),
        ("102", "A", 50),
        ("201", "B", 100),
        ("202", "C", 100),
        ("301", "D", 100),
        ("302", None, 50),
    ]
    for number, key, area in units:
        Dwelling.objects.create(
            building=building,
            number=number,
            floor=int(number[0]),
            floor_area=Decimal(area),
            owner=owners[key][1] if key else None,
            area=tree.grid_a1a,
        )
    place.owners = owners  # type: ignore[attr-defined]
    return place


def _open(staff, estate, matter="use_fund", **kw) -> Vote:
    now = timezone.now()
    vote = vote_create(
        actor=staff,
        estate=estate,
        title="使用维修资金更换电梯",
        matter=matter,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=7),
        **kw,
    )
    return vote_open(actor=staff, vote=vote)


def test_a_unit_without_an_area_is_named_before_the_vote_opens(staff, estate):
    Dwelling.objects.filter(number="202").update(floor_area=None)
    assert pre_vote_check(estate) == [f"{Dwelling.objects.get(number='202')} 未登记建筑面积"]
    vote = vote_create(
        actor=staff,
        estate=estate,
        title="x",
        matter="use_fund",
        opens_at=timezone.now(),
        closes_at=timezone.now() + timedelta(days=1),
    )
    with pytest.raises(DomainError, match="202 未登记建筑面积"):
        vote_open(actor=staff, vote=vote)
    assert not RollEntry.objects.exists()


def test_the_roll_counts_each_owner_once_and_the_developer_once(staff, estate):
    vote = _open(staff, estate)
    assert (vote.total_owners, vote.total_area) == (5, Decimal("500.00"))
    a = RollEntry.objects.get(vote=vote, person=estate.owners["A"][1])
    assert (a.unit_area, a.units) == (Decimal("150.00"), 2)
    assert RollEntry.objects.get(vote=vote, developer=True).unit_area == Decimal("50.00")


def test_every_channel_and_the_latest_ballot_counts(staff, estate):
    vote = _open(staff, estate)
    (ua, _), (ub, _), (uc, _), (_, d) = (estate.owners[k] for k in "ABCD")
    ballot_cast(actor=ua, vote=vote, choice="disagree")
    ballot_cast(actor=ua, vote=vote, choice="agree")  # changed their mind: this one counts
    ballot_cast(actor=ub, vote=vote, choice="agree")
    d_entry = RollEntry.objects.get(vote=vote, person=d)
    with pytest.raises(DomainError, match="纸质表决票"):
        ballot_cast(actor=staff, vote=vote, choice="agree", channel="paper", entry=d_entry)
    ballot_cast(
        actor=staff, vote=vote, choice="agree", channel="paper", entry=d_entry, document=scan()
    )
    developer = RollEntry.objects.get(vote=vote, developer=True)
    with pytest.raises(DomainError, match="受托人"):
        ballot_cast(
            actor=staff,
            vote=vote,
            choice="disagree",
            channel="proxy",
            entry=developer,
            document=scan("委托书.pdf"),
        )
    ballot_cast(
        actor=staff,
        vote=vote,
        choice="disagree",
        channel="proxy",
        entry=developer,
        document=scan("委托书.pdf"),
        proxy_name="王律师",
    )
    with pytest.raises(DomainError, match="只有社区工作人员"):
        ballot_cast(
            actor=uc, vote=vote, choice="agree", channel="paper", entry=d_entry, document=scan()
        )
    assert Ballot.objects.filter(vote=vote).count() == 5
    assert Ballot.objects.filter(vote=vote, current=True).count() == 4
    result = tally(vote)
    # 4 of 5 owners (80 %) with 400 of 500 m² take part; agree: A, B, D = 3 of 4, 350 of 400 m².
    assert [m["percent"] for m in result["measures"]] == ["80.00%", "80.00%", "87.50%", "75.00%"]
    assert [(m["part"], m["whole"]) for m in result["measures"]] == [
        ("400", "500"),
        ("4", "5"),
        ("350", "400"),
        ("3", "4"),
    ]
    assert result["passed"] and result["by_channel"] == {"online": 2, "paper": 1, "proxy": 1}
    assert AuditEntry.objects.filter(action="vote.ballot").count() == 5


def test_a_special_matter_needs_three_quarters(staff, estate):
    vote = _open(staff, estate, matter="raise_fund")
    for key in "AB":
        ballot_cast(actor=estate.owners[key][0], vote=vote, choice="agree")
    ballot_cast(actor=estate.owners["C"][0], vote=vote, choice="disagree")
    d_entry = RollEntry.objects.get(vote=vote, person=estate.owners["D"][1])
    ballot_cast(
        actor=staff, vote=vote, choice="agree", channel="paper", entry=d_entry, document=scan()
    )
    # 4 of 5 owners, 450 of 500 m²; agree 3 of 4 owners (exactly 3/4), 350 of 450 m² (77.8 %).
    result = tally(vote)
    assert result["passed"], result["failed"]
    ballot_cast(
        actor=staff, vote=vote, choice="disagree", channel="paper", entry=d_entry, document=scan()
    )
    failed = tally(vote)
    assert not failed["passed"] and failed["failed"] == [
        "同意的专有部分面积（占参与表决） 55.56%，未达3/4以上",
        "同意的业主人数（占参与表决） 50.00%，未达3/4以上",
    ]


def test_only_owners_on_the_roll_and_only_in_the_window(staff, estate, tree, caplog):
    vote = _open(staff, estate)
    outsider, _ = resident(20, tree.grid_a1a, caplog)
    with pytest.raises(DomainError, match="不在本次表决的业主名册"):
        ballot_cast(actor=outsider, vote=vote, choice="agree")
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(DomainError, match="已截止"):
        ballot_cast(actor=estate.owners["A"][0], vote=vote, choice="agree")
    later = vote_create(
        actor=staff,
        estate=estate,
        title="下月表决",
        matter="other",
        opens_at=timezone.now() + timedelta(days=30),
        closes_at=timezone.now() + timedelta(days=37),
    )
    later = vote_open(actor=staff, vote=later)
    with pytest.raises(DomainError, match="尚未开始"):
        ballot_cast(actor=estate.owners["A"][0], vote=later, choice="agree")


def test_closing_publishes_the_tally_and_the_recount_reproduces_it(staff, estate):
    vote = _open(staff, estate)
    for key, choice in zip("ABC", ["agree", "agree", "abstain"], strict=True):
        ballot_cast(actor=estate.owners[key][0], vote=vote, choice=choice)
    with pytest.raises(DomainError, match="未到，不能提前结束"):
        vote_close(actor=staff, vote=vote)
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    vote = vote_close(actor=staff, vote=vote)
    # 3 of 5 owners (60 %) take part: below 2/3, named.
    assert vote.result["passed"] is False
    assert vote.result["failed"] == ["参与表决的业主人数 60.00%，未达2/3以上"]
    assert recount(vote)
    with pytest.raises(DomainError, match="已截止"):
        ballot_cast(actor=estate.owners["A"][0], vote=vote, choice="disagree")
    # A ballot changed behind the platform's back shows in the recount.
    Ballot.objects.filter(vote=vote, current=True).update(choice="disagree")
    assert not recount(Vote.objects.get(pk=vote.pk))


def test_only_the_estates_community_runs_its_votes(estate, user_with, tree):
    other = user_with(Role.COMMUNITY_STAFF, tree.comm_b1)
    with pytest.raises(DomainError, match="无权"):
        vote_create(
            actor=other,
            estate=estate,
            title="x",
            matter="other",
            opens_at=timezone.now(),
            closes_at=timezone.now() + timedelta(days=1),
        )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_channels_at_once_for_one_owner_count_once(tree, caplog, user_with):
    if connection.vendor != "postgresql":
        pytest.skip("row locks between connections: the PostgreSQL run proves it")
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    place = Estate.objects.create(name="并发小区", area=tree.comm_a1)
    building = Building.objects.create(estate=place, number="1", area=tree.grid_a1a)
    user, owner = resident(1, tree.grid_a1a, caplog)
    Dwelling.objects.create(
        building=building, number="101", floor_area=Decimal(90), owner=owner, area=tree.grid_a1a
    )
    vote = _open(staff, place)
    entry = RollEntry.objects.get(vote=vote)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def cast(**kw) -> None:
        try:
            barrier.wait()
            ballot_cast(vote=vote, **kw)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=cast, kwargs={"actor": user, "choice": "agree"}),
        threading.Thread(
            target=cast,
            kwargs={
                "actor": staff,
                "choice": "disagree",
                "channel": "paper",
                "entry": entry,
                "document": scan(),
            },
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Ballot.objects.filter(vote=vote).count() == 2
    assert Ballot.objects.filter(vote=vote, current=True).count() == 1


def test_areas_show_to_the_hundredth(staff, estate):
    Dwelling.objects.filter(number="101").update(floor_area=Decimal("100.25"))
    vote = _open(staff, estate)
    ballot_cast(actor=estate.owners["A"][0], vote=vote, choice="agree")
    area = tally(vote)["measures"][0]
    assert (area["part"], area["whole"], area["unit"]) == ("150.25", "500.25", "m²")


def test_a_scan_must_be_a_pdf_or_an_image(staff, estate):
    vote = _open(staff, estate)
    d_entry = RollEntry.objects.get(vote=vote, person=estate.owners["D"][1])
    with pytest.raises(DomainError, match="PDF、JPG 或 PNG"):
        ballot_cast(
            actor=staff,
            vote=vote,
            choice="agree",
            channel="paper",
            entry=d_entry,
            document=scan("宏病毒.docm"),
        )
