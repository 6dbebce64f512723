"""The owners' vote pages: staff create, open and key in ballots with their scans; the owner
votes on /m/ and reads the published result; nobody else sees the roll."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from shequtong.core.choices import Role
from shequtong.deliberation.models import Ballot, RollEntry, Vote
from shequtong.deliberation.services import ballot_cast, vote_close, vote_create, vote_open
from tests.deliberation.test_votes import estate, staff  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_a_vote_from_the_console_and_the_phone(staff, estate, user_with, tree):  # noqa: F811
    client = Client()
    client.force_login(staff)
    now = timezone.localtime()
    form = {
        "electorate": "owners",
        "estate": estate.pk,
        "title": "使用维修资金更换电梯",
        "matter": "use_fund",
        "opens_at": (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
    }
    response = client.post("/console/deliberation/votes/", form)
    vote = Vote.objects.get()
    assert response.url == f"/console/deliberation/votes/{vote.pk}/"
    client.post(f"/console/deliberation/votes/{vote.pk}/action/", {"action": "open"})
    vote.refresh_from_db()
    assert vote.status == "open" and vote.total_owners == 5
    d_entry = RollEntry.objects.get(vote=vote, person=estate.owners["D"][1])
    scan = SimpleUploadedFile("票.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    keyed = {
        "action": "key",
        "entry": d_entry.pk,
        "channel": "paper",
        "choice": "agree",
        "document": scan,
    }
    client.post(f"/console/deliberation/votes/{vote.pk}/action/", keyed)
    ballot = Ballot.objects.get(entry=d_entry)
    assert ballot.channel == "paper" and ballot.document.name.startswith("ballots/")
    assert b"signed" not in Path(ballot.document.path).read_bytes()  # sealed at rest
    page = client.get(f"/console/deliberation/votes/{vote.pk}/").content.decode()
    assert "参与表决的专有部分面积" in page and "纸质" in page
    # The owner votes on the phone; the latest counts.
    owner = Client()
    owner.force_login(estate.owners["A"][0])
    owner.post("/m/votes/", {"vote": vote.pk, "choice": "disagree"})
    owner.post("/m/votes/", {"vote": vote.pk, "choice": "agree"})
    assert Ballot.objects.get(entry__person=estate.owners["A"][1], current=True).choice == "agree"
    assert "我的表决：同意" in owner.get("/m/votes/").content.decode()
    # Someone of another community sees nothing of it.
    other = Client()
    other.force_login(user_with(Role.COMMUNITY_STAFF, tree.comm_b1))
    assert other.get(f"/console/deliberation/votes/{vote.pk}/").status_code == 404
    # After closing the roll is published to the owners: surnames, areas, channels; no choices.
    roll = f"/m/votes/{vote.pk}/roll/"
    assert owner.get(roll).status_code == 404  # not before closing
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now())
    vote_close(actor=staff, vote=vote)
    published = owner.get(roll).content.decode().split('id="roll"')[1]
    a_name, d_name = estate.owners["A"][1].name, estate.owners["D"][1].name
    assert f"{a_name[0]}{'*' * (len(a_name) - 1)} · 150.00 m² · 线上" in published
    assert f"{d_name[0]}{'*' * (len(d_name) - 1)} · 100.00 m² · 纸质" in published
    assert "开发建设单位 · 50.00 m² · 未投票" in published
    assert a_name not in published and "同意" not in published
    outsider = Client()
    outsider.force_login(user_with(Role.COMMUNITY_STAFF, tree.comm_b1))
    assert outsider.get(roll).url == "/m/me/claim/"  # no registry person: no roll


def test_a_secret_election_from_the_console_form(staff, tree, caplog):  # noqa: F811
    from tests.volunteering.helpers import person, resident

    voter, _ = resident(1, tree.grid_a1a, caplog)
    person(2, tree.grid_a1a)
    client = Client()
    client.force_login(staff)
    now = timezone.localtime()
    form = {
        "electorate": "residents",
        "area": tree.comm_a1.pk,
        "title": "居民小组长选举",
        "secret": "on",
        "candidates": "张桂兰\n\n李建国\n",
        "seats": "1",
        "opens_at": (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    }
    client.post("/console/deliberation/votes/", form)
    vote = Vote.objects.get()
    assert (vote.secret, vote.candidates, vote.seats) == (True, ["张桂兰", "李建国"], 1)
    client.post(f"/console/deliberation/votes/{vote.pk}/action/", {"action": "open"})
    entry = RollEntry.objects.get(vote=vote, person__name="居民002")
    sheet = SimpleUploadedFile("签到.pdf", b"%PDF-1.4 sheet", content_type="application/pdf")
    keyed = {"action": "key", "entry": entry.pk, "channel": "paper"}
    client.post(f"/console/deliberation/votes/{vote.pk}/action/", keyed | {"document": sheet})
    assert vote.secret_ballots.count() == 0  # the voter is marked, the box untouched
    page = client.get(f"/console/deliberation/votes/{vote.pk}/").content.decode()
    assert "张桂兰、李建国（应选 1 人）" in page and "已投票 1 / 2 人；票箱 0 张" in page
    assert "李建国</td>" not in page.split('id="roll"')[1]  # the roll shows no choice
    boxed = {"action": "box", "picks": ["1"]}
    client.post(f"/console/deliberation/votes/{vote.pk}/action/", boxed)
    assert list(vote.secret_ballots.values_list("picks", flat=True)) == [[1]]
    phone = Client()
    phone.force_login(voter)
    m = phone.get("/m/votes/").content.decode()
    assert 'name="picks" value="0"' in m and "最多选 1 名" in m
    refused = phone.post("/m/votes/", {"vote": vote.pk, "picks": ["0", "1"]})
    assert refused.status_code == 400 and "最多选 1 名候选人" in refused.content.decode()
    assert vote.secret_ballots.count() == 1
    phone.post("/m/votes/", {"vote": vote.pk, "picks": ["0"]})
    assert vote.secret_ballots.count() == 2


def test_a_secret_vote_shows_only_its_turnout_until_it_closes(staff, tree, caplog):  # noqa: F811
    from tests.volunteering.helpers import resident

    voter, _ = resident(1, tree.grid_a1a, caplog)
    now = timezone.now()
    vote = vote_create(
        actor=staff,
        area=tree.comm_a1,
        electorate="residents",
        secret=True,
        title="组长选举",
        candidates=["张桂兰", "李建国"],
        seats=1,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=1),
    )
    vote = vote_open(actor=staff, vote=vote)
    ballot_cast(actor=voter, vote=vote, choice="", picks=[0])
    client = Client()
    client.force_login(staff)
    page = client.get(f"/console/deliberation/votes/{vote.pk}/").content.decode()
    assert "已投票 1 / 1 人" in page and 'id="standings"' not in page
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now())
    vote_close(actor=staff, vote=vote)
    page = client.get(f"/console/deliberation/votes/{vote.pk}/").content.decode()
    assert 'id="standings"' in page and "当选" in page
