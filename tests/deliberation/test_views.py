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
