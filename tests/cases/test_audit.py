"""Every governance action on a case leaves an audit entry, written with the move itself."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shequtong.cases.choices import CaseStatus, Rating, SummonsRole
from shequtong.cases.models import Case, Category, Summons
from shequtong.cases.services import (
    case_act,
    case_merge,
    case_rate,
    case_reclassify,
    case_report,
    extension_decide,
    extension_request,
    summons_respond,
    summons_review,
)
from shequtong.cases.sweep import case_sweep
from shequtong.core.audit import audit_seal, audit_verify
from shequtong.core.errors import DomainError
from shequtong.core.models import AuditEntry
from tests.core.factories import AreaTree

from .factories import jpeg, report
from .test_workflow import people  # noqa: F401  (the fixture: one user per tier)

pytestmark = pytest.mark.django_db


def trail(case: Case) -> list[tuple[str, str, dict]]:
    """(action, actor, changes) of the case's audit entries, oldest first."""
    return list(
        AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk))
        .order_by("pk")
        .values_list("action", "actor_label", "changes")
    )


def names(users: dict) -> dict[str, str]:
    return {k: u.username for k, u in users.items() if hasattr(u, "username")}


def test_intake_and_every_move_are_audited_by_who_made_them(tree: AreaTree, people: dict):  # noqa: F811
    who = names(people)
    case = case_report(actor=people["resident"], report=report())
    assert trail(case) == [
        ("case.report", who["resident"], {"status": [None, "accepted"]}),
        ("case.assign", "系统", {"status": ["accepted", "assigned"]}),
    ]
    entry = AuditEntry.objects.get(action="case.report")
    assert (entry.area_path, entry.object_repr) == (tree.grid_a1a.path, str(case))

    case = case_act(actor=people["grid"], case=case, action="return", note="需执法")
    case = case_act(actor=people["community"], case=case, action="whistle", note="需执法")
    case = case_act(
        actor=people["subdistrict"],
        case=case,
        action="summon",
        note="需执法",
        lead=people["fire_dept"],
    )
    lead = Summons.objects.get(case=case, role=SummonsRole.LEAD)
    summons_respond(actor=people["fire"], summons=lead, accept=False, reason="不属本部门职责")
    summons_review(actor=people["subdistrict"], summons=lead, uphold=False, note="属消防职责")
    case.refresh_from_db()
    case = case_act(
        actor=people["fire"], case=case, action="resolve", note="已清理", photos=[jpeg()]
    )
    case_rate(actor=people["resident"], case=case, rating=Rating.SATISFIED)

    moves = [(action, actor) for action, actor, _ in trail(case)]
    assert moves[2:] == [
        ("case.return", who["grid"]),
        ("case.whistle", who["community"]),
        ("case.summon", who["subdistrict"]),
        ("case.object", who["fire"]),
        ("case.review_objection", who["subdistrict"]),
        ("case.resolve", who["fire"]),
        ("case.rate", who["resident"]),
    ]
    changes = dict((a, c) for a, _, c in trail(case))
    assert changes["case.summon"] == {"lead": [None, "消防救援站"], "co": [None, []]}
    assert changes["case.whistle"] == {"level": [None, "街道"], "status": ["returned", "assigned"]}
    assert changes["case.review_objection"]["upheld"] == [None, False]
    # The free-text note (which may quote the resident) is not copied into the log.
    assert "需执法" not in str(changes)
    audit_seal()
    assert audit_verify().ok


def test_merge_reclassify_and_extensions_are_audited(tree: AreaTree, people: dict):  # noqa: F811
    who = names(people)
    first = case_report(actor=people["resident"], report=report())
    second = case_report(actor=people["resident"], report=report(description="楼道里又堆了"))
    case_merge(actor=people["community"], case=second, into=first)
    assert [a for a, _, _ in trail(second)][-1] == "case.merge"
    assert [a for a, _, _ in trail(first)][-1] == "case.merged"

    other = Category.objects.get(code="hazard-other")
    case_reclassify(actor=people["community"], case=first, category=other)
    assert trail(first)[-1][:2] == ("case.reclassify", who["community"])
    assert trail(first)[-1][2]["to"] == [None, "hazard-other"]

    extension = extension_request(actor=people["grid"], case=first, days=3, reason="等待配件")
    extension_decide(actor=people["community"], extension=extension, approve=True)
    assert [(a, actor) for a, actor, _ in trail(first)][-2:] == [
        ("case.extension", who["grid"]),
        ("case.extension_decided", who["community"]),
    ]


def test_a_refused_move_leaves_no_entry_and_a_rolled_back_one_none_either(people: dict):  # noqa: F811
    case = case_report(actor=people["resident"], report=report())
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError):
        case_act(actor=people["grid"], case=case, action="resolve")  # no after photo
    assert AuditEntry.objects.count() == before
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSIGNED


def test_the_deadline_sweep_audits_each_supervision_as_the_system(people: dict):  # noqa: F811
    case = case_report(actor=people["resident"], report=report())
    Case.objects.filter(pk=case.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert case_sweep().overdue == 1
    action, actor, changes = trail(case)[-1]
    assert (action, actor) == ("case.supervise", "系统")
    assert changes == {"level": [None, "社区"]}
