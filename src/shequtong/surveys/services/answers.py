"""A household's answer and the calls at its door.

Any adult member of a household in the survey's place answers for it, online on /m/; a grid
worker or the office keys in the answer given at the door (`channel="visit"`), naming the
member who gave it. The latest answer counts: the household's earlier one stops counting in
the same transaction, under the survey row's lock, so two members answering at once leave
one current answer (and the partial unique constraint would refuse a second). A call without
an answer is a `Visit`; only a refusal given face to face covers the household."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from shequtong.accounts.services import person_of
from shequtong.core.audit import audit_record
from shequtong.core.errors import DomainError
from shequtong.core.models import User
from shequtong.core.scoping import can_in_area
from shequtong.registry.choices import PersonStatus
from shequtong.registry.models import Household, Person

from .. import selectors
from ..choices import Channel, QuestionKind, SurveyStatus, VisitOutcome
from ..models import Question, Response, Survey, Visit
from .surveys import LIMITS, locked


def _chosen(value: Any) -> list[str]:
    if value is None:
        return []
    values = value if isinstance(value, list | tuple) else [value]
    return [str(v).strip() for v in values if str(v).strip()]


def check_answers(questions: list[Question], answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers as stored, each checked against its question; a bad one is refused naming
    the question's number."""
    stored: dict[str, Any] = {}
    for q in questions:
        key = selectors.answer_key(q)
        field, n = key, q.order
        if q.kind == QuestionKind.TEXT:
            raw = answers.get(key)
            text = (raw[0] if isinstance(raw, list | tuple) and raw else raw or "").strip()
            if len(text) > LIMITS.text_answer_chars:
                raise DomainError.on(field, f"第{n}题不能超过 {LIMITS.text_answer_chars} 字")
            if not text and q.required:
                raise DomainError.on(field, f"第{n}题为必答题")
            if text:
                stored[key] = text
            continue
        chosen = list(dict.fromkeys(_chosen(answers.get(key))))
        if not chosen:
            if q.required:
                raise DomainError.on(field, f"第{n}题为必答题")
            continue
        unknown = [c for c in chosen if c not in q.options]
        if unknown:
            raise DomainError.on(field, f"第{n}题没有选项「{unknown[0][:20]}」")
        if q.kind == QuestionKind.SINGLE:
            if len(chosen) > 1:
                raise DomainError.on(field, f"第{n}题为单选题，只能选 1 项")
            stored[key] = chosen[0]
            continue
        if q.max_choices is not None and len(chosen) > q.max_choices:
            raise DomainError.on(field, f"第{n}题最多选{q.max_choices}项")
        stored[key] = [o for o in q.options if o in chosen]  # in the question's order
    return stored


def _accepting(survey: Survey, field: str) -> None:
    now = timezone.now()
    if survey.status != SurveyStatus.OPEN or now >= survey.closes_at:
        raise DomainError.on(field, "问卷已结束")
    if now < survey.opens_at:
        start = timezone.localtime(survey.opens_at).strftime("%m-%d %H:%M")
        raise DomainError.on(field, f"问卷尚未开始，{start} 开始")


def _kept(actor: User, survey: Survey, row: Response | Visit, action: str, changes: dict) -> None:
    """Save a household's row where the household lives, audited on the survey."""
    row.area_id, row.area_path = row.household.area_id, row.household.area_path
    row.full_clean()
    row.save()
    audit_record(actor=actor, action=action, obj=survey, changes=changes)


def _adult_member(person: Person, household: Household, field: str, who: str) -> None:
    if person.household_id != household.pk or person.status != PersonStatus.ACTIVE:
        raise DomainError.on(field, f"{who}不是该户的在住成员")
    if selectors.age_of(person) < selectors.ADULT_AGE:
        raise DomainError.on(field, f"{who}未满 {selectors.ADULT_AGE} 周岁，不能代表本户作答")


@transaction.atomic
def response_submit(
    *,
    actor: User,
    survey: Survey,
    answers: Mapping[str, Any],
    household: Household | None = None,
    person: Person | None = None,
) -> Response:
    """Online (no `household`): the signed-in resident answers for their own household.
    At the door (`household` and the member `person` who answered): keyed in by staff who
    may change answers where the household lives. Either replaces the household's earlier
    answer while the survey is open."""
    if household is None:
        channel = Channel.ONLINE
        person = person_of(actor)
        if person is None:
            raise DomainError.on("survey", "请先完成实名认证")
        household = person.household if person.household_id else None
        if household is None or not selectors.in_scope(survey, household):
            raise DomainError.on("survey", "您家不在本次问卷调查的范围内", "forbidden")
        _adult_member(person, household, "survey", "您")
    else:
        channel = Channel.VISIT
        if not can_in_area(actor, "change", Response, household.area_path):
            raise DomainError.on("household", "您无权为该户录入答卷", "forbidden")
        if not selectors.in_scope(survey, household):
            raise DomainError.on("household", "该户不在本次问卷调查的范围内")
        if person is None:
            raise DomainError.on("person", "请选择作答的家庭成员")
        _adult_member(person, household, "person", "作答人")
    survey = locked(Survey.objects.filter(pk=survey.pk)).get()
    _accepting(survey, "survey")
    stored = check_answers(selectors.questions_of(survey), answers)
    replaced = Response.objects.filter(survey=survey, household=household, current=True).update(
        current=False
    )
    response = Response(
        survey=survey,
        household=household,
        person=person,
        channel=channel,
        answers=stored,
        receipt=secrets.token_hex(5).upper(),
        created_by=actor,
    )
    _kept(
        actor,
        survey,
        response,
        "survey.response",
        {
            "household": [None, household.pk],
            "channel": [None, channel],
            "replaced": [None, bool(replaced)],
        },
    )
    return response


@transaction.atomic
def visit_record(
    *, actor: User, survey: Survey, household: Household, outcome: str, note: str = ""
) -> Visit:
    """A call at the door that brought no answer (a refusal covers the household)."""
    if outcome not in VisitOutcome.values:
        raise DomainError.on("outcome", "请选择走访结果：当面拒答、无人在家或已搬离")
    note = note.strip()
    if len(note) > LIMITS.note_chars:
        raise DomainError.on("note", f"备注不能超过 {LIMITS.note_chars} 字")
    if not can_in_area(actor, "change", Visit, household.area_path):
        raise DomainError.on("household", "您无权为该户记录走访", "forbidden")
    if not selectors.in_scope(survey, household):
        raise DomainError.on("household", "该户不在本次问卷调查的范围内")
    survey = locked(Survey.objects.filter(pk=survey.pk)).get()
    _accepting(survey, "outcome")
    visit = Visit(
        survey=survey,
        household=household,
        outcome=outcome,
        note=note,
        visited_by=actor,
    )
    changes = {"household": [None, household.pk], "outcome": [None, outcome]}
    _kept(actor, survey, visit, "survey.visit", changes)
    return visit
