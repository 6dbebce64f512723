"""The case state machine: every transition, who may take it, and what it requires.

This module is the only place that says which moves exist. Services call `check` before they
write; pages call `available` to offer exactly the buttons the user may press. A transition's
`roles` are checked against the user's grants over the case's area — and, for department
handlers, against a live summons of their own department.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shequtong.core.choices import Role
from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.core.models import User
from shequtong.core.scoping import grant_covers

from .choices import CaseStatus, HandlerLevel, SummonsStatus
from .models import Case

S = CaseStatus
OFFICE = frozenset({Role.COMMUNITY_STAFF, Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN})
ABOVE_COMMUNITY = frozenset({Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN})

# Who holds a case at each level: the people who take it, work it, return or resolve it.
HOLDERS: dict[str, frozenset[str]] = {
    HandlerLevel.GRID: frozenset({Role.GRID_WORKER, Role.COMMUNITY_STAFF}),
    HandlerLevel.COMMUNITY: frozenset({Role.COMMUNITY_STAFF}),
    HandlerLevel.SUBDISTRICT: ABOVE_COMMUNITY,
    HandlerLevel.DEPARTMENT: frozenset({Role.DEPARTMENT_HANDLER}),
}
HOLDER = frozenset({"holder"})  # resolved per case through HOLDERS


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    needs_note: bool = False
    # Shown as a primary button (the move that takes the case forward).
    primary: bool = False
    # The category kind it is for ("hazard"), or the kind it is not for ("!hazard").
    kind: str = ""

    def fits(self, case: Case) -> bool:
        if not self.kind:
            return True
        if self.kind.startswith("!"):
            return case.category.kind != self.kind[1:]
        return case.category.kind == self.kind


def _t(
    name: str, label: str, sources: set[str], target: str, roles: frozenset[str], **kw: Any
) -> Transition:
    return Transition(name, label, frozenset(sources), target, roles, **kw)


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        _t(
            "assign", "派遣", {S.ACCEPTED, S.RETURNED, S.ASSIGNED}, S.ASSIGNED, OFFICE, primary=True
        ),
        _t("start", "接单处置", {S.ASSIGNED}, S.IN_PROGRESS, HOLDER, primary=True),
        _t("return", "退回", {S.ASSIGNED, S.IN_PROGRESS}, S.RETURNED, HOLDER, needs_note=True),
        _t(
            "whistle",
            "社区呼叫（上报街道）",
            {S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS, S.RETURNED},
            S.ASSIGNED,
            frozenset({Role.COMMUNITY_STAFF}),
            needs_note=True,
        ),
        _t(
            "summon",
            "街道吹哨（召集部门）",
            {S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS, S.RETURNED},
            S.ASSIGNED,
            ABOVE_COMMUNITY,
            needs_note=True,
        ),
        _t("resolve", "办结", {S.IN_PROGRESS}, S.RESOLVED, HOLDER, needs_note=True, primary=True),
        _t("close", "结案", {S.RESOLVED}, S.CLOSED, OFFICE, kind="!hazard"),
        # A hazard is closed only by an acceptance check on site, with photos (隐患验收).
        _t("verify", "隐患验收", {S.RESOLVED}, S.CLOSED, OFFICE, needs_note=True, kind="hazard"),
        _t("suspend", "挂起", {S.IN_PROGRESS}, S.SUSPENDED, HOLDER | OFFICE, needs_note=True),
        _t("resume", "恢复办理", {S.SUSPENDED}, S.IN_PROGRESS, HOLDER | OFFICE),
        _t("reject", "不予受理", {S.ACCEPTED, S.RETURNED}, S.REJECTED, OFFICE, needs_note=True),
    )
}


# Steps between the street office and departments that the reporter is not shown (on the
# portal or through Open311): objections and their rulings.
STAFF_ONLY_STEPS = ("object", "review_objection")


def _roles(transition: Transition, case: Case) -> frozenset[str]:
    if "holder" not in transition.roles:
        return transition.roles
    return (transition.roles - HOLDER) | HOLDERS[case.handler_level]


def live_departments(case: Case) -> set[int]:
    return {
        s.department_id
        for s in case.summonses.all()
        if s.status in (SummonsStatus.PENDING, SummonsStatus.ACCEPTED, SummonsStatus.OBJECTED)
    }


def may(user: User, roles: frozenset[str], case: Case) -> bool:
    """Whether one of the user's grants with one of `roles` covers this case (a department
    handler's only while their department is summoned to it): `core.scoping.grant_covers`."""
    return grant_covers(user, roles, case.area_path, departments=lambda: live_departments(case))


def check(user: User, name: str, case: Case, *, note: str = "") -> Transition:
    """The transition, if this user may take it now; else a DomainError saying why not."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise DomainError("invalid_transition", f"没有“{name}”这个操作")
    if case.status not in transition.sources or not transition.fits(case):
        raise DomainError(
            "invalid_transition",
            f"事件当前为“{case.get_status_display()}”，不能{transition.label}",
        )
    if not may(user, _roles(transition, case), case):
        raise PermissionDeniedError(f"您无权对此事件执行“{transition.label}”")
    if transition.needs_note and not note.strip():
        raise DomainError(
            "invalid", f"{transition.label}须填写说明", {"note": [f"{transition.label}须填写说明"]}
        )
    return transition


def available(user: User, case: Case) -> list[Transition]:
    """The moves this user may take on this case now, for the page's buttons."""
    return [
        t
        for t in TRANSITIONS.values()
        if case.status in t.sources and t.fits(case) and may(user, _roles(t, case), case)
    ]
