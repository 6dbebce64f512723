"""双报到 (report, feedback, the year's summary) and the 红黑榜 (nomination, deliberation, 公示
with objections, publication, expiry; the black list's deliberation record and masked names)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from shequtong.core.choices import Role
from shequtong.core.errors import DomainError
from shequtong.registry.choices import OrganizationKind
from shequtong.registry.models import Organization
from shequtong.volunteering.choices import CheckinMethod, HonourStatus
from shequtong.volunteering.models import Honour
from shequtong.volunteering.selectors import honour_board
from shequtong.volunteering.services import (
    check_in,
    dual_feedback,
    dual_report,
    dual_summary,
    dual_summary_pdf,
    honour_deliberate,
    honour_nominate,
    honour_object,
    honour_publicise,
    honour_publish,
    hours_confirm,
    objection_answer,
    signup,
)
from tests.registry.factories import credit_code
from tests.volunteering.helpers import activity, person, resident, volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(tree):
    return Organization.objects.create(
        name="区供电公司", kind=OrganizationKind.UNIT, credit_code=credit_code(1), area=tree.comm_a1
    )


def test_a_unit_reports_serves_and_gets_its_years_summary(tree, staff, unit, caplog):
    report = dual_report(
        actor=staff, community=tree.comm_a1, organization=unit, commitment="每季度义诊"
    )
    with pytest.raises(DomainError, match="已报到"):
        dual_report(actor=staff, community=tree.comm_a1, organization=unit)
    user, someone = resident(1, tree.grid_a1a, caplog)
    v = volunteer(staff, user, someone)
    event = activity(staff, tree.comm_a1, organization=unit)
    entry = signup(actor=user, activity=event, volunteer=v)
    check_in(actor=user, activity=event, volunteer=v, method=CheckinMethod.QR)
    hours_confirm(actor=staff, entry=entry, minutes=90)
    year = timezone.localdate().year
    dual_feedback(actor=staff, report=report, year=year, grade="excellent", text="服务及时")
    with pytest.raises(DomainError, match="已反馈"):
        dual_feedback(actor=staff, report=report, year=year, grade="good", text="再评")
    summary = dual_summary(report, year)
    assert (summary.activities, summary.services, summary.minutes, summary.people) == (1, 1, 90, 1)
    assert summary.feedback.get_grade_display() == "优秀"
    assert dual_summary_pdf(summary).startswith(b"%PDF")


def test_a_party_member_reports_to_the_community_they_live_in(tree, staff, caplog):
    user, member = resident(2, tree.grid_a1a, caplog, political_status="01")
    report = dual_report(
        actor=user, community=tree.comm_a1, person=member, workplace="区税务局", self_report=True
    )
    assert report.kind == "party_member"
    _, other = resident(3, tree.grid_a1a, caplog)
    with pytest.raises(DomainError, match="不是中共党员"):
        dual_report(actor=staff, community=tree.comm_a1, person=other)
    user4, far = resident(4, tree.grid_b1a, caplog, political_status="01")
    with pytest.raises(DomainError, match="居住地"):
        dual_report(actor=user4, community=tree.comm_a1, person=far, self_report=True)
    with pytest.raises(DomainError, match="无权"):
        dual_report(actor=user4, community=tree.comm_a1, person=member)


def _nominated(staff, tree, kind="red", n=10):
    someone = person(n, tree.grid_a1a, name="王大爷")
    return honour_nominate(
        actor=staff,
        community=tree.comm_a1,
        kind=kind,
        person=someone,
        title="高空抛物" if kind == "black" else "见义勇为",
        reason="经多次劝导",
    )


def test_an_entry_goes_from_nomination_to_the_published_list(tree, staff):
    honour = _nominated(staff, tree)
    with pytest.raises(DomainError, match="评议通过后"):
        honour_publicise(actor=staff, honour=honour)
    honour = honour_deliberate(
        actor=staff,
        honour=honour,
        held_on=timezone.localdate(),
        record="居民代表 9 人参会",
        votes_for=5,
        votes_total=9,
    )
    assert honour.status == HonourStatus.DELIBERATED
    honour = honour_publicise(actor=staff, honour=honour)
    assert honour.notice_until == timezone.localdate() + timedelta(days=7)
    with pytest.raises(DomainError, match="期满后"):
        honour_publish(actor=staff, honour=honour)
    Honour.objects.filter(pk=honour.pk).update(
        notice_until=timezone.localdate() - timedelta(days=1)
    )
    honour = honour_publish(actor=staff, honour=Honour.objects.get(pk=honour.pk))
    assert honour.status == HonourStatus.PUBLISHED
    assert honour.expires_on == timezone.localdate() + timedelta(days=365)
    assert honour_board(tree.comm_a1.path) == [honour]
    Honour.objects.filter(pk=honour.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    assert honour_board(tree.comm_a1.path) == []  # expired by rule


def test_half_the_votes_is_not_a_majority(tree, staff):
    honour = honour_deliberate(
        actor=staff,
        honour=_nominated(staff, tree),
        held_on=timezone.localdate(),
        record="4 比 4",
        votes_for=4,
        votes_total=8,
    )
    assert honour.status == HonourStatus.WITHDRAWN
    with pytest.raises(DomainError, match="赞成票不能超过"):
        honour_deliberate(
            actor=staff,
            honour=_nominated(staff, tree, n=11),
            held_on=timezone.localdate(),
            record="x",
            votes_for=9,
            votes_total=8,
        )


def test_an_objection_upheld_withdraws_the_entry(tree, staff, caplog):
    honour = _nominated(staff, tree)
    honour = honour_deliberate(
        actor=staff,
        honour=honour,
        held_on=timezone.localdate(),
        record="通过",
        votes_for=3,
        votes_total=3,
    )
    honour = honour_publicise(actor=staff, honour=honour)
    neighbour, _ = resident(20, tree.grid_a1b, caplog)
    outsider, _ = resident(21, tree.grid_b1a, caplog)
    with pytest.raises(DomainError, match="本社区实名居民"):
        honour_object(actor=outsider, honour=honour, text="不实")
    objection = honour_object(actor=neighbour, honour=honour, text="事迹不实")
    Honour.objects.filter(pk=honour.pk).update(
        notice_until=timezone.localdate() - timedelta(days=1)
    )
    with pytest.raises(DomainError, match="未处理的异议"):
        honour_publish(actor=staff, honour=honour)
    objection_answer(actor=staff, objection=objection, upheld=True, answer="经核实，异议成立")
    assert Honour.objects.get(pk=honour.pk).status == HonourStatus.WITHDRAWN


def test_a_black_list_entry_needs_its_record_and_shows_masked_inside_the_community(
    tree, staff, caplog
):
    honour = _nominated(staff, tree, kind="black")
    with pytest.raises(IntegrityError), transaction.atomic():
        Honour.objects.filter(pk=honour.pk).update(status="published")  # the database refuses
    honour = honour_deliberate(
        actor=staff,
        honour=honour,
        held_on=timezone.localdate(),
        record="道德评议会 7 人",
        votes_for=6,
        votes_total=7,
    )
    honour = honour_publicise(actor=staff, honour=honour)
    neighbour, _ = resident(30, tree.grid_a1a, caplog)
    client = Client()
    client.force_login(neighbour)
    page = client.get("/m/volunteer/board/").content.decode()
    assert (
        "高空抛物" in page and "王**" in page and "王大爷" not in page and "经多次劝导" not in page
    )
    outsider, _ = resident(31, tree.grid_b1a, caplog)
    client.force_login(outsider)
    assert "高空抛物" not in client.get("/m/volunteer/board/").content.decode()
    assert Client().get("/m/volunteer/board/").status_code == 302  # no public surface


def test_only_the_communitys_staff_nominate(tree, user_with):
    someone = person(40, tree.grid_a1a)
    with pytest.raises(DomainError, match="无权"):
        honour_nominate(
            actor=user_with(Role.COMMUNITY_STAFF, tree.comm_b1),
            community=tree.comm_a1,
            kind="red",
            person=someone,
            title="x",
            reason="y",
        )
