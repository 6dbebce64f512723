"""Writes of disputes (矛盾纠纷): parties from the registry, mediation sessions, the outcome and,
for a successful mediation, the 人民调解协议书. The case itself moves through the one state
machine (`services.case_act`); these are the dispute's own records, each a timeline step.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.core.models import User
from shequtong.registry.models import Person

from .. import workflow
from ..choices import DisputeOutcome
from ..documents import agreement_pdf
from ..models import Case, Dispute, MediationSession
from .steps import _locked, _step


def _dispute_locked(actor: User, case: Case) -> tuple[Case, Dispute]:
    case = _locked(case)
    roles = workflow.OFFICE | workflow.HOLDERS[case.handler_level]
    if not workflow.may(actor, roles, case):
        raise PermissionDeniedError("您无权办理该纠纷")
    dispute = Dispute.objects.select_for_update().filter(case=case).first()
    if dispute is None:
        raise DomainError("invalid", "该事件不是矛盾纠纷")
    return case, dispute


@transaction.atomic
def dispute_add_party(*, actor: User, case: Case, person: Person) -> Dispute:
    case, dispute = _dispute_locked(actor, case)
    dispute.parties.add(person)
    _step(case, actor, "party", f"登记当事人：{person.name}", case.status, case.status)
    return dispute


@transaction.atomic
def mediation_record(
    *, actor: User, case: Case, held_on: date, place: str, mediators: str, content: str
) -> MediationSession:
    case, dispute = _dispute_locked(actor, case)
    if dispute.outcome != DisputeOutcome.PENDING:
        raise DomainError("invalid_transition", "纠纷已有调解结果，不能再登记调解")
    if held_on > timezone.localdate():
        raise DomainError("invalid", "调解日期不能晚于今天", {"held_on": ["不能晚于今天"]})
    if not mediators.strip() or not content.strip():
        raise DomainError("invalid", "请填写调解员和调解情况", {"content": ["必填"]})
    session = MediationSession.objects.create(
        dispute=dispute,
        held_on=held_on,
        place=place.strip()[:100],
        mediators=mediators.strip()[:100],
        content=content.strip(),
        recorded_by=actor,
    )
    _step(
        case, actor, "mediation", f"调解（{held_on:%m-%d}）", case.status, case.status, note=content
    )
    return session


@transaction.atomic
def dispute_conclude(*, actor: User, case: Case, outcome: str, terms: str = "") -> Dispute:
    """The mediation's result. Success needs the agreed terms and at least one session; it
    typesets the 人民调解协议书 (kept with the case; the handler then resolves the case)."""
    case, dispute = _dispute_locked(actor, case)
    if outcome not in DisputeOutcome.values or outcome == DisputeOutcome.PENDING:
        raise DomainError("invalid", "请选择调解结果", {"outcome": ["请选择"]})
    if dispute.outcome != DisputeOutcome.PENDING:
        raise DomainError("invalid_transition", "纠纷已有调解结果")
    sessions = list(dispute.sessions.all())
    if outcome == DisputeOutcome.MEDIATED:
        if not terms.strip():
            raise DomainError("invalid", "调解成功须填写协议内容", {"terms": ["必填"]})
        if not sessions:
            raise DomainError("invalid", "请先登记至少一次调解", {"outcome": ["尚无调解记录"]})
    dispute.outcome, dispute.terms = outcome, terms.strip()
    dispute.concluded_at = timezone.now()
    if outcome == DisputeOutcome.MEDIATED:
        pdf = agreement_pdf(_agreement_data(case, dispute, sessions))
        dispute.agreement.save(f"{case.number}-调解协议书.pdf", ContentFile(pdf), save=False)
    dispute.save()
    _step(
        case,
        actor,
        "concluded",
        f"调解结果：{DisputeOutcome(outcome).label}",
        case.status,
        case.status,
        note=dispute.terms,
    )
    return dispute


def _agreement_data(
    case: Case, dispute: Dispute, sessions: list[MediationSession]
) -> dict[str, Any]:
    community = next(
        (a for a in case.area.ancestors(include_self=True) if a.level == "community"), None
    )
    return {
        "number": f"调字〔{timezone.localdate():%Y}〕{case.number}号",
        "parties": [
            {
                "name": p.name,
                "gender": p.get_gender_display(),
                "birth": f"{p.birth_date:%Y年%m月%d日}",
                "address": str(p.dwelling or p.area.name),
            }
            for p in dispute.parties.select_related("dwelling", "area")
        ],
        "other_parties": dispute.other_parties,
        "facts": case.description,
        "sessions": [
            {
                "held_on": f"{s.held_on:%Y年%m月%d日}",
                "place": s.place or "调解室",
                "mediators": s.mediators,
                "content": s.content,
            }
            for s in sessions
        ],
        "terms": dispute.terms,
        "committee": f"{community.name if community else case.area.name}人民调解委员会",
    }
