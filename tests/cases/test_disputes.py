"""Disputes (矛盾纠纷): parties from the registry, mediation sessions, the outcome, and the
人民调解协议书 typeset as a PDF with a Chinese font embedded."""

from __future__ import annotations

import stat
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from shequtong.cases.choices import DisputeOutcome
from shequtong.cases.services import case_report
from shequtong.cases.services.disputes import dispute_add_party, dispute_conclude, mediation_record
from shequtong.core import vault
from shequtong.core.choices import Role
from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.registry.importing.persons import PersonImport
from shequtong.registry.models import Person
from tests.registry.factories import ledger_rows, write_csv

from .factories import report

pytestmark = pytest.mark.django_db


@pytest.fixture
def neighbours(tree, tmp_path):
    PersonImport(community=tree.comm_a1, actor=None).run(
        write_csv(tmp_path / "台账.csv", ledger_rows(4))
    )
    return list(Person.objects.order_by("pk")[:2])


@pytest.fixture
def staff(tree, user_with):
    return user_with(Role.COMMUNITY_STAFF, tree.comm_a1)


@pytest.fixture
def dispute_case(tree, user_with):
    resident = user_with(Role.RESIDENT, tree.comm_a1)
    return case_report(
        actor=resident,
        report=report(code="dispute-neighbour", description="楼上卫生间漏水到楼下，双方争执赔偿"),
    )


def test_a_mediation_ends_in_an_agreement_pdf(tree, staff, neighbours, dispute_case):
    for person in neighbours:
        dispute_add_party(actor=staff, case=dispute_case, person=person)
    with pytest.raises(DomainError, match="至少一次调解"):
        dispute_conclude(actor=staff, case=dispute_case, outcome="mediated", terms="赔偿 800 元")
    with pytest.raises(DomainError, match="不能晚于今天"):
        mediation_record(
            actor=staff,
            case=dispute_case,
            held_on=timezone.localdate() + timedelta(days=1),
            place="",
            mediators="赵调解",
            content="x",
        )
    mediation_record(
        actor=staff,
        case=dispute_case,
        held_on=date(2026, 11, 20),
        place="社区调解室",
        mediators="赵调解、钱调解",
        content="双方陈述事实，查看漏水现场",
    )
    with pytest.raises(DomainError, match="协议内容"):
        dispute_conclude(actor=staff, case=dispute_case, outcome="mediated", terms="")

    dispute = dispute_conclude(
        actor=staff,
        case=dispute_case,
        outcome="mediated",
        terms="一、楼上住户于 11 月 30 日前修复防水层；\n二、赔偿楼下住户维修费 800 元。",
    )

    assert dispute.outcome == DisputeOutcome.MEDIATED and dispute.concluded_at
    pdf = dispute.agreement.read()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    assert b"WenQuanYi" in pdf or b"Noto" in pdf  # a Chinese font is embedded, not boxes
    # It names the parties: on disk it is encrypted, readable by the platform alone.
    stored = Path(dispute.agreement.path)
    assert stored.read_bytes().startswith(vault.FILE_MAGIC) and b"%PDF" not in stored.read_bytes()
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    actions = list(dispute_case.steps.values_list("action", flat=True))
    assert actions[-4:] == ["party", "party", "mediation", "concluded"]
    with pytest.raises(DomainError, match="已有调解结果"):
        dispute_conclude(actor=staff, case=dispute_case, outcome="failed")


def test_only_those_handling_it_record_it(tree, user_with, dispute_case, neighbours):
    stranger = user_with(Role.COMMUNITY_STAFF, tree.comm_b1)
    with pytest.raises(PermissionDeniedError):
        dispute_add_party(actor=stranger, case=dispute_case, person=neighbours[0])
    garbage = case_report(actor=None, report=report(code="city-garbage"))
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    with pytest.raises(DomainError, match="不是矛盾纠纷"):
        dispute_add_party(actor=staff, case=garbage, person=neighbours[0])


def test_the_case_page_runs_the_dispute(client, tree, staff, neighbours, dispute_case):
    client.force_login(staff)
    assert "矛盾纠纷" in client.get(dispute_case.get_absolute_url()).content.decode()
    client.post(reverse("cases:dispute_party", args=[dispute_case.pk]), {"q": neighbours[0].name})
    assert list(dispute_case.dispute.parties.all()) == [neighbours[0]]
    client.post(
        reverse("cases:mediation", args=[dispute_case.pk]),
        {"held_on": "2026-11-20", "place": "调解室", "mediators": "赵调解", "content": "双方同意"},
    )
    client.post(
        reverse("cases:dispute_conclude", args=[dispute_case.pk]),
        {"outcome": "mediated", "terms": "赔偿 500 元"},
    )
    pdf = client.get(reverse("cases:dispute_agreement", args=[dispute_case.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_a_party_search_with_several_matches_lists_them_to_pick(
    client, tree, staff, neighbours, dispute_case
):
    """It once only said 找到多位居民 and offered nothing to choose from."""
    client.force_login(staff)
    url = reverse("cases:dispute_party", args=[dispute_case.pk])
    several = client.post(url, {"q": "z"})  # the initials of 张三 (zs) and 赵六 (zl)
    assert several.status_code == 200 and "选择当事人" in several.content.decode()
    listed = several.context["people"]
    assert sorted(p.name for p in listed) == ["张三", "赵六"]
    zhao = next(p for p in listed if p.name == "赵六")
    assert zhao.id_number not in several.content.decode()  # the last four only
    client.post(url, {"person": zhao.pk})
    assert list(dispute_case.dispute.parties.all()) == [zhao]
    back = dispute_case.get_absolute_url()
    nobody = client.post(url, {"q": "查无此人"}, HTTP_REFERER=back, follow=True)
    assert "没有找到该居民" in nobody.content.decode() and dispute_case.dispute.parties.count() == 1
