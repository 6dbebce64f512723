"""An estate's owners' vote on using the maintenance fund, as its users do it: the owner votes
on a phone, the community keys in a signed paper ballot with its scan, and the tally shows the
four fractions against their thresholds."""

from __future__ import annotations

import pytest

from shequtong.core.demo import seed_demo
from shequtong.deliberation.models import Ballot, RollEntry, SecretBallot, Vote

from .conftest import screenshot
from .test_phone import PHONE, WIDTH
from .test_roles import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_owner_votes_online_and_a_paper_ballot_is_keyed_in(new_page, live_server, tmp_path):
    seed_demo()
    vote = Vote.objects.get(status="open", electorate="owners")
    _, phone = new_page(**PHONE)
    sign_in(phone, live_server, "resident_01", landing="/m/")
    phone.get_by_role("link", name="表决投票 线上投票 · 结果与名册").click()
    card = phone.locator(f"#vote-{vote.pk}")
    card.get_by_role("button", name="同意", exact=True).click()
    phone.get_by_text("截止前可改投").wait_for()
    assert "我的表决：同意（线上" in phone.locator(f"#vote-{vote.pk}").inner_text()
    # The closed vote shows its published result to the owner.
    assert "未达3/4以上" in phone.content()
    screenshot(phone, "votes-phone")
    assert phone.evaluate(WIDTH) <= 390

    # The secret election: one ballot into the box, no way to change it, no link kept.
    election = Vote.objects.get(secret=True)
    card = phone.locator(f"#vote-{election.pk}")
    card.get_by_label("张桂兰").check()
    card.get_by_label("李建国").check()
    card.get_by_role("button", name="投票").click()
    phone.get_by_text("应选 1 人，最多选 1 名候选人").wait_for()
    card = phone.locator(f"#vote-{election.pk}")
    card.get_by_label("李建国").check()
    card.get_by_role("button", name="投票").click()
    phone.get_by_text("无记名票已投入票箱，不能更改").wait_for()
    assert phone.locator(f"#vote-{election.pk} button").count() == 0
    assert "已投票（线上），无记名票不能更改" in phone.locator(f"#vote-{election.pk}").inner_text()
    assert [b.picks for b in SecretBallot.objects.filter(vote=election)].count([1]) == 2
    screenshot(phone, "election-phone")
    assert phone.evaluate(WIDTH) <= 390
    # The closed vote's roll, published to the owners a page at a time.
    closed = Vote.objects.get(status="closed")
    phone.locator(f"#vote-{closed.pk}").get_by_role("link", name="查看投票名册").click()
    phone.locator("#roll li").first.wait_for()
    assert (
        "线上" in phone.locator("#roll").inner_text()
        or "纸质" in phone.locator("#roll").inner_text()
    )
    screenshot(phone, "vote-roll-phone")
    assert phone.evaluate(WIDTH) <= 390

    _, desk = new_page(viewport={"width": 1280, "height": 860})
    sign_in(desk, live_server, "community_yangjiaping_01")
    desk.goto(f"{live_server.url}/console/deliberation/votes/{vote.pk}/")
    waiting = (
        RollEntry.objects.filter(vote=vote, developer=False).exclude(ballots__current=True).first()
    )
    row = desk.locator("#roll tr", has_text=waiting.person.name)
    scan = tmp_path / "signed.pdf"
    scan.write_bytes(b"%PDF-1.4 signed paper ballot")
    row.get_by_label("扫描件").set_input_files(str(scan))
    row.get_by_role("button", name="录入").click()
    desk.get_by_text("已录入，回执码").wait_for()
    assert Ballot.objects.get(entry=waiting, current=True).channel == "paper"
    # A proxy: refused without the trustee's name, accepted with it and the authorisation.
    proxied = (
        RollEntry.objects.filter(vote=vote, developer=False).exclude(ballots__current=True).first()
    )
    row = desk.locator("#roll tr", has_text=proxied.person.name)
    row.get_by_label("方式").select_option("proxy")
    row.get_by_label("扫描件").set_input_files(str(scan))
    row.get_by_role("button", name="录入").click()
    desk.get_by_text("委托投票须填写受托人姓名").wait_for()
    row = desk.locator("#roll tr", has_text=proxied.person.name)
    row.get_by_label("方式").select_option("proxy")
    row.get_by_label("受托人").fill("业主之子")
    row.get_by_label("扫描件").set_input_files(str(scan))
    row.get_by_role("button", name="录入").click()
    desk.get_by_text("已录入，回执码").wait_for()
    assert Ballot.objects.get(entry=proxied, current=True).proxy_name == "业主之子"
    assert "委托（业主之子）" in desk.locator("#roll").inner_text()
    tally = desk.locator("#tally").inner_text()
    for label in (
        "参与表决的专有部分面积",
        "参与表决的业主人数",
        "同意的专有部分面积",
        "同意的业主人数",
    ):
        assert label in tally
    assert "2/3以上" in tally and "过半数" in tally
    screenshot(desk, "votes-console")
