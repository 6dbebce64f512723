"""隐患排查治理: a hazard's register entry."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.core.models import User

from .. import workflow
from ..choices import (
    HazardGrade,
)
from ..models import (
    Case,
    Hazard,
)
from .steps import _locked, _step


@transaction.atomic
def hazard_update(
    *,
    actor: User,
    case: Case,
    grade: str,
    responsible_unit: str,
    measures: str,
    rectify_by: date | None,
) -> Hazard:
    """The register's columns of a hazard: set by the office or the holder as it is worked."""
    case = _locked(case)
    roles = workflow.OFFICE | workflow.HOLDERS[case.handler_level]
    if not workflow.may(actor, roles, case):
        raise PermissionDeniedError("您无权登记该隐患")
    if grade not in HazardGrade.values:
        raise DomainError("invalid", "请选择隐患等级", {"grade": ["一般隐患或重大隐患"]})
    hazard = Hazard.objects.select_for_update().get(case=case)
    before = (hazard.grade, hazard.responsible_unit, hazard.rectify_by)
    hazard.grade, hazard.responsible_unit = grade, responsible_unit.strip()[:100]
    hazard.measures, hazard.rectify_by = measures.strip(), rectify_by
    hazard.save()
    if before != (hazard.grade, hazard.responsible_unit, hazard.rectify_by):
        _step(
            case,
            actor,
            "hazard",
            "登记隐患信息",
            case.status,
            case.status,
            note=f"{hazard.get_grade_display()}；责任单位：{hazard.responsible_unit or '—'}；"
            f"整改期限：{hazard.rectify_by or '—'}",
        )
    return hazard
