"""The demo's notices and 三务公开 (notices/demo.py, run by `shequtong demo`): every part of the
module shows something, and what waits for resident_01 on /m/ is there."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from shequtong.core.demo import seed_demo
from shequtong.core.models import User
from shequtong.notices import selectors
from shequtong.notices.models import Disclosure, Notice, NoticeRead, Publicity, Supervisor
from shequtong.notices.periods import period_of

pytestmark = pytest.mark.django_db


def test_the_demo_fills_notices_publicity_and_the_three_boards():
    seed_demo()
    resident = User.objects.get(username="resident_01")
    audiences = set(Notice.objects.values_list("audience", flat=True))
    assert {"community", "estate", "tag"} <= audiences
    assert NoticeRead.objects.filter(user=resident).count() == 1
    publicity = Publicity.objects.get(title="2026年度社区惠民资金项目安排公示")
    [comment] = publicity.comments.all()
    assert comment.author == resident and comment.answer
    seat = Supervisor.objects.get(user=resident)
    quarter = period_of(timezone.localdate())
    published = Disclosure.objects.filter(status="published", period=quarter, area=seat.area)
    assert sorted(published.values_list("board", flat=True)) == ["finance", "party", "residence"]
    finance = published.get(board="finance")
    totals = selectors.finance_totals(finance)
    assert finance.items.count() == 6 and totals["balance"] == totals["income"] - totals["expense"]
    assert all(d.signed_by == seat for d in published)
    [waiting] = selectors.to_sign(resident)
    assert waiting.period == period_of(timezone.localdate(), month=True)
    phone = Client()
    phone.force_login(resident)
    home = phone.get("/m/").content.decode()
    assert "三务公开" in home and "1 项待审核" in home
    assert (
        f"{quarter[:4]}年第{quarter[-1]}季度财务公开"
        in phone.get("/m/disclosures/").content.decode()
    )
    assert seed_demo().created is False  # a second run changes nothing
    assert Disclosure.objects.count() == 4
