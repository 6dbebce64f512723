"""Making a survey: its place and window, its questions (only while a draft), the consent
question of 集中民意, then opening it to the households and closing it (the households and
those agreeing fixed then)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from shequtong.core.audit import audit_record
from shequtong.core.choices import AreaLevel
from shequtong.core.errors import DomainError
from shequtong.core.models import Area, User
from shequtong.core.scoping import can, can_in_area
from shequtong.registry.models import Building, Estate

from .. import selectors
from ..choices import QuestionKind, SurveyStatus
from ..models import Question, Survey


@dataclass(frozen=True)
class Limits:
    questions: int = 50
    options: int = 20
    option_chars: int = 100
    question_chars: int = 300
    text_answer_chars: int = 500
    title_chars: int = 200
    intro_chars: int = 5000
    note_chars: int = 200


LIMITS = Limits()


def locked(rows: QuerySet[Survey]) -> QuerySet[Survey]:
    """The survey's row locked for the change (FOR NO KEY UPDATE on PostgreSQL: the answers'
    foreign keys to it do not wait)."""
    no_key = connection.features.has_select_for_no_key_update
    return rows.select_for_update(no_key=no_key)


def _place(
    area: Area | None, estate: Estate | None, building: Building | None
) -> tuple[Area, Estate | None, Building | None]:
    if building is not None:
        return building.area, None, building
    if estate is not None:
        return estate.area, estate, None
    if area is None or area.level not in (AreaLevel.COMMUNITY, AreaLevel.GRID):
        raise DomainError.on("area", "请选择问卷调查的社区、网格、小区或楼栋")
    return area, None, None


def _check_text(title: str, intro: str, opens_at: datetime, closes_at: datetime) -> None:
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = ["请填写问卷标题"]
    elif len(title.strip()) > LIMITS.title_chars:
        errors["title"] = [f"问卷标题不能超过 {LIMITS.title_chars} 字"]
    if len(intro.strip()) > LIMITS.intro_chars:
        errors["intro"] = [f"说明不能超过 {LIMITS.intro_chars} 字"]
    if closes_at <= opens_at:
        errors["closes_at"] = ["截止时间须晚于开始时间"]
    if errors:
        raise DomainError.from_fields(errors)


def _editable(actor: User, survey: Survey) -> Survey:
    """The survey locked, if the actor may change it and it is still a draft."""
    survey = locked(Survey.objects.filter(pk=survey.pk)).get()
    if not can(actor, "change", survey):
        raise DomainError.on("survey", "您无权修改该问卷", "forbidden")
    if survey.status != SurveyStatus.DRAFT:
        raise DomainError.on("survey", "问卷已发布，不能再修改")
    return survey


@transaction.atomic
def survey_create(
    *,
    actor: User,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    intro: str = "",
    area: Area | None = None,
    estate: Estate | None = None,
    building: Building | None = None,
) -> Survey:
    """A draft survey of a building, an estate, or a community's or grid's households."""
    place, estate, building = _place(area, estate, building)
    if not can_in_area(actor, "change", Survey, place.path):
        raise DomainError.on("area", "您无权在该范围发起问卷", "forbidden")
    _check_text(title, intro, opens_at, closes_at)
    survey = Survey(
        area=place,
        estate=estate,
        building=building,
        title=title.strip(),
        intro=intro.strip(),
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=actor,
    )
    survey.full_clean()
    survey.save()
    audit_record(actor=actor, action="survey.create", obj=survey)
    return survey


@transaction.atomic
def survey_update(
    *, actor: User, survey: Survey, title: str, intro: str, opens_at: datetime, closes_at: datetime
) -> Survey:
    survey = _editable(actor, survey)
    _check_text(title, intro, opens_at, closes_at)
    before = {"title": survey.title, "opens_at": survey.opens_at, "closes_at": survey.closes_at}
    survey.title, survey.intro = title.strip(), intro.strip()
    survey.opens_at, survey.closes_at = opens_at, closes_at
    survey.full_clean()
    survey.save()
    after = {"title": survey.title, "opens_at": survey.opens_at, "closes_at": survey.closes_at}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    audit_record(actor=actor, action="survey.update", obj=survey, changes=changes)
    return survey


def _options(
    kind: str, options: list[str], max_choices: int | None
) -> tuple[list[str], int | None]:
    if kind not in QuestionKind.values:
        raise DomainError.on("kind", "请选择题型：单选、多选或填空")
    if kind == QuestionKind.TEXT:
        return [], None
    cleaned = [o.strip() for o in options if o and o.strip()]
    if len(cleaned) < 2:
        raise DomainError.on("options", "选择题至少要有 2 个选项")
    if len(cleaned) > LIMITS.options:
        raise DomainError.on("options", f"每题最多 {LIMITS.options} 个选项")
    for option in cleaned:
        if len(option) > LIMITS.option_chars:
            raise DomainError.on("options", f"选项「{option[:10]}…」超过 {LIMITS.option_chars} 字")
        if cleaned.count(option) > 1:
            raise DomainError.on("options", f"选项「{option}」重复")
    if kind == QuestionKind.SINGLE:
        return cleaned, None
    if max_choices is not None and not 1 <= max_choices <= len(cleaned):
        raise DomainError.on("max_choices", f"最多选几项应在 1 到 {len(cleaned)} 之间")
    return cleaned, max_choices


def _question_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise DomainError.on("text", "请填写题目")
    if len(text) > LIMITS.question_chars:
        raise DomainError.on("text", f"题目不能超过 {LIMITS.question_chars} 字")
    return text


def _keeps_consent(survey: Survey, question: Question) -> None:
    """The consent question stays a single choice offering the consent option."""
    if survey.consent_question_id != question.pk:
        return
    if question.kind != QuestionKind.SINGLE or survey.consent_option not in question.options:
        raise DomainError.on(
            "options",
            f"第{question.order}题用于计算同意比例，须为单选题并保留选项「{survey.consent_option}」",
        )


@transaction.atomic
def question_add(
    *,
    actor: User,
    survey: Survey,
    kind: str,
    text: str,
    options: list[str] | None = None,
    required: bool = True,
    max_choices: int | None = None,
) -> Question:
    survey = _editable(actor, survey)
    count = survey.questions.count()
    if count >= LIMITS.questions:
        raise DomainError.on("text", f"一份问卷最多 {LIMITS.questions} 题")
    cleaned, max_choices = _options(kind, options or [], max_choices)
    question = Question(
        survey=survey,
        order=count + 1,
        kind=kind,
        text=_question_text(text),
        options=cleaned,
        required=required,
        max_choices=max_choices,
        area_id=survey.area_id,
        area_path=survey.area_path,
    )
    question.full_clean()
    question.save()
    audit_record(
        actor=actor, action="question.add", obj=survey, changes={"order": [None, question.order]}
    )
    return question


@transaction.atomic
def question_change(
    *,
    actor: User,
    question: Question,
    kind: str,
    text: str,
    options: list[str] | None = None,
    required: bool = True,
    max_choices: int | None = None,
) -> Question:
    survey = _editable(actor, question.survey)
    question = Question.objects.get(pk=question.pk, survey=survey)
    cleaned, max_choices = _options(kind, options or [], max_choices)
    question.kind, question.text, question.options = kind, _question_text(text), cleaned
    question.required, question.max_choices = required, max_choices
    _keeps_consent(survey, question)
    question.full_clean()
    question.save()
    audit_record(
        actor=actor, action="question.change", obj=survey, changes={"order": [question.order] * 2}
    )
    return question


@transaction.atomic
def question_remove(*, actor: User, question: Question) -> None:
    """Remove a question; those after it move up one number. Removing the consent question
    leaves the survey without one."""
    survey = _editable(actor, question.survey)
    question = Question.objects.get(pk=question.pk, survey=survey)
    order = question.order
    if survey.consent_question_id == question.pk:
        survey.consent_question, survey.consent_option = None, ""
        survey.save(update_fields=["consent_question", "consent_option", "updated_at"])
    question.delete()
    # One by one, in order: the unique (survey, order) holds after every statement.
    for later in survey.questions.filter(order__gt=order).order_by("order"):
        Question.objects.filter(pk=later.pk).update(order=F("order") - 1)
    audit_record(
        actor=actor, action="question.remove", obj=survey, changes={"order": [order, None]}
    )


@transaction.atomic
def survey_consent(
    *, actor: User, survey: Survey, question: Question | None, option: str = ""
) -> Survey:
    """Name the single-choice question and the option counted as agreeing (集中民意), or none."""
    survey = _editable(actor, survey)
    if question is None:
        survey.consent_question, survey.consent_option = None, ""
    else:
        if question.survey_id != survey.pk:
            raise DomainError.on("consent_question", "所选题目不属于该问卷")
        if question.kind != QuestionKind.SINGLE:
            raise DomainError.on("consent_question", "同意率计算题须为单选题")
        if option not in question.options:
            raise DomainError.on(
                "consent_option", f"请从第{question.order}题的选项中选择计为同意的选项"
            )
        survey.consent_question, survey.consent_option = question, option
    survey.full_clean()
    survey.save(update_fields=["consent_question", "consent_option", "updated_at"])
    audit_record(
        actor=actor,
        action="survey.consent",
        obj=survey,
        changes={"consent": [None, survey.consent_option or None]},
    )
    return survey


@transaction.atomic
def survey_open(*, actor: User, survey: Survey) -> Survey:
    """Open the survey to its households: it needs a question and a window not yet over."""
    survey = locked(Survey.objects.filter(pk=survey.pk)).get()
    if not can(actor, "change", survey):
        raise DomainError.on("status", "您无权发布该问卷", "forbidden")
    if survey.status != SurveyStatus.DRAFT:
        raise DomainError.on("status", "该问卷已发布")
    if not survey.questions.exists():
        raise DomainError.on("status", "请先添加至少 1 道题目")
    if survey.closes_at <= timezone.now():
        raise DomainError.on("closes_at", "截止时间已过，请先修改问卷的截止时间")
    households = selectors.households_of(survey).count()
    if households == 0:
        raise DomainError.on("area", f"{survey.place}目前没有在住住户，无法发布问卷")
    survey.status = SurveyStatus.OPEN
    survey.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="survey.open",
        obj=survey,
        changes={
            "status": [SurveyStatus.DRAFT, SurveyStatus.OPEN],
            "households": [None, households],
        },
    )
    return survey


@transaction.atomic
def survey_close(*, actor: User, survey: Survey) -> Survey:
    """End the survey (before its deadline too): the households of the place and those
    agreeing are fixed as they are now."""
    survey = locked(Survey.objects.filter(pk=survey.pk)).get()
    if not can(actor, "change", survey):
        raise DomainError.on("status", "您无权结束该问卷", "forbidden")
    if survey.status != SurveyStatus.OPEN:
        raise DomainError.on("status", "只有进行中的问卷可以结束")
    households = selectors.household_total(survey)
    agreeing = selectors.agreeing_of(survey) if survey.consent_question_id else None
    survey.status = SurveyStatus.CLOSED
    survey.closed_at = timezone.now()
    survey.closed_households, survey.closed_agreeing = households, agreeing
    survey.save()
    changes = {"status": [SurveyStatus.OPEN, SurveyStatus.CLOSED], "households": [None, households]}
    if agreeing is not None:
        changes["agreeing"] = [None, agreeing]
    audit_record(actor=actor, action="survey.close", obj=survey, changes=changes)
    return survey
