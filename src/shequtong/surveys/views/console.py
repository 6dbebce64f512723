"""Surveys in the console: list and create, the draft's questions, open and close; the results
with the coverage bar and the households still to visit (by building, doors shown to staff);
and the grid worker's phone page keying in an answer given at the door or a call without one."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shequtong.core.choices import AreaLevel
from shequtong.core.errors import DomainError, NotFoundError
from shequtong.core.models import Area
from shequtong.core.scoping import allowed, can, require, scope_paths
from shequtong.registry.models import Building, Estate, Person
from shequtong.web.inputs import form_refused, whole_number
from shequtong.web.pages import Crumb, paginate, within_scope

from .. import selectors, services
from ..choices import QuestionKind, SurveyStatus
from ..forms import ConsentForm, QuestionForm, SurveyEditForm, SurveyForm, VisitForm
from ..models import Question, Response, Survey
from .answering import form_questions, posted_answers


def _survey(request: HttpRequest, pk: int) -> Survey:
    return get_object_or_404(selectors.survey_list(user=request.user), pk=pk)


def _crumbs(survey: Survey | None = None, *more: Crumb) -> list[Crumb]:
    crumbs = [Crumb("问卷调查", reverse("surveys:survey_list"))]
    if survey is not None:
        crumbs.append(Crumb(survey.title, reverse("surveys:survey_detail", args=[survey.pk])))
    return [*crumbs, *more]


def survey_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "read", Survey, "问卷调查")
    rows = within_scope(request, selectors.survey_list(user=request.user), "area_path")
    context = {
        "title": "问卷调查",
        "breadcrumbs": [Crumb("问卷调查")],
        "page": paginate(request, rows),
        "can_change": allowed(request.user, "change", Survey),
    }
    return render(request, "surveys/survey_list.html", context)


def survey_new(request: HttpRequest) -> HttpResponse:
    require(request.user, "change", Survey, "问卷调查")
    paths = ["/"] if request.user.is_superuser else scope_paths(request.user, Survey, "change")
    under = reduce(or_, (Q(area_path__startswith=p) for p in paths), Q(pk__in=[]))
    form = SurveyForm(
        request.POST or None,
        areas=Area.objects.filter(
            reduce(or_, (Q(path__startswith=p) for p in paths), Q(pk__in=[])),
            level__in=[AreaLevel.COMMUNITY, AreaLevel.GRID],
        ).order_by("path"),
        estates=Estate.objects.filter(under).order_by("name"),
        buildings=Building.objects.filter(under)
        .select_related("estate")
        .order_by("estate__name", "number"),
    )
    if request.method == "POST":
        if not form.is_valid():
            raise form_refused(form)
        survey = services.survey_create(actor=request.user, **form.cleaned_data)
        messages.success(request, "问卷已创建，请添加题目")
        return redirect("surveys:survey_detail", pk=survey.pk)
    context = {"title": "新建问卷", "breadcrumbs": _crumbs(None, Crumb("新建问卷")), "form": form}
    return render(request, "surveys/survey_new.html", context)


def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    editable = survey.status == SurveyStatus.DRAFT and can(request.user, "change", survey)
    questions = selectors.questions_of(survey)
    rows = []
    for q in questions:
        form = None
        if editable:
            initial = {
                "kind": q.kind,
                "text": q.text,
                "options": "\n".join(q.options),
                "required": q.required,
                "max_choices": q.max_choices,
            }
            form = QuestionForm(initial=initial, prefix=f"q{q.pk}")
        rows.append({"q": q, "form": form})
    context = {
        "title": survey.title,
        "survey": survey,
        "questions": rows,
        "editable": editable,
        "may_close": survey.status == SurveyStatus.OPEN and can(request.user, "change", survey),
        "edit_form": SurveyEditForm(
            initial={
                "title": survey.title,
                "intro": survey.intro,
                "opens_at": survey.opens_at,
                "closes_at": survey.closes_at,
            }
        )
        if editable
        else None,
        "add_form": QuestionForm(prefix="new") if editable else None,
        "singles": [q for q in questions if q.kind == QuestionKind.SINGLE],
        "limits": services.LIMITS,
        "breadcrumbs": _crumbs(None, Crumb(survey.title)),
    }
    return render(request, "surveys/survey_detail.html", context)


def _back(survey: Survey, anchor: str = "") -> HttpResponse:
    return redirect(reverse("surveys:survey_detail", args=[survey.pk]) + anchor)


@require_POST
def survey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    form = SurveyEditForm(request.POST)
    if not form.is_valid():
        raise form_refused(form)
    services.survey_update(actor=request.user, survey=survey, **form.cleaned_data)
    messages.success(request, "问卷已保存")
    return _back(survey)


def _question_data(request: HttpRequest, prefix: str) -> dict:
    form = QuestionForm(request.POST, prefix=prefix)
    if not form.is_valid():
        raise form_refused(form)
    return form.cleaned_data


@require_POST
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    question = services.question_add(
        actor=request.user, survey=survey, **_question_data(request, "new")
    )
    messages.success(request, f"已添加第{question.order}题")
    return _back(survey, "#add")


def _question(survey: Survey, qid: int) -> Question:
    return get_object_or_404(Question.objects.filter(survey=survey), pk=qid)


@require_POST
def question_change(request: HttpRequest, pk: int, qid: int) -> HttpResponse:
    survey = _survey(request, pk)
    question = _question(survey, qid)
    services.question_change(
        actor=request.user, question=question, **_question_data(request, f"q{qid}")
    )
    messages.success(request, f"第{question.order}题已保存")
    return _back(survey, f"#question-{qid}")


@require_POST
def question_remove(request: HttpRequest, pk: int, qid: int) -> HttpResponse:
    survey = _survey(request, pk)
    question = _question(survey, qid)
    services.question_remove(actor=request.user, question=question)
    messages.success(request, f"第{question.order}题已删除")
    return _back(survey)


@require_POST
def survey_consent(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        raise form_refused(form)
    qid = form.cleaned_data["question"]
    question = None
    if qid is not None:
        question = Question.objects.filter(survey=survey, pk=qid).first()
        if question is None:
            raise DomainError.on("question", "所选题目不属于该问卷")
    services.survey_consent(
        actor=request.user, survey=survey, question=question, option=form.cleaned_data["option"]
    )
    messages.success(request, "已设置同意率计算题" if question else "已取消同意率计算题")
    return _back(survey, "#consent")


@require_POST
def survey_open(request: HttpRequest, pk: int) -> HttpResponse:
    survey = services.survey_open(actor=request.user, survey=_survey(request, pk))
    messages.success(request, "问卷已发布，本范围的住户可以作答")
    return _back(survey)


@require_POST
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    survey = services.survey_close(actor=request.user, survey=_survey(request, pk))
    messages.success(request, "问卷已结束，结果已固定")
    return redirect("surveys:survey_results", pk=survey.pk)


def survey_results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    context = {
        "title": f"{survey.title} · 结果",
        "survey": survey,
        "results": selectors.results(survey, staff=request.user),
        "coverage": selectors.coverage(survey, user=request.user),
        "support": selectors.support_of(survey) if survey.consent_question_id else None,
        "may_visit": survey.status == SurveyStatus.OPEN
        and allowed(request.user, "change", Response),
        "breadcrumbs": _crumbs(survey, Crumb("结果")),
    }
    return render(request, "surveys/survey_results.html", context)


def survey_visit(request: HttpRequest, pk: int) -> HttpResponse:
    """The grid worker's phone page: the households still to visit, and for one chosen
    (`?household=`) the questionnaire to key in or the call to record."""
    survey = _survey(request, pk)
    require(request.user, "change", Response, "入户录入")
    household_id = whole_number(request.GET, "household", "户")
    household = _household(request, survey, household_id) if household_id is not None else None
    given = selectors.current_response(survey, household.pk if household else None)
    context = {
        "title": f"{survey.title} · 入户",
        "survey": survey,
        "household": household,
        "accepting": selectors.accepting(survey),
        "given": given,
        "questions": form_questions(survey, given) if household else [],
        "members": selectors.adults_of(household) if household else [],
        "visit_form": VisitForm(),
        "coverage": None if household else selectors.coverage(survey, user=request.user),
        "breadcrumbs": _crumbs(survey, Crumb("入户录入")),
    }
    return render(request, "surveys/survey_visit.html", context)


def _household(request: HttpRequest, survey: Survey, household: int):
    found = selectors.household_for_visit(survey, user=request.user, pk=household)
    if found is None:
        raise NotFoundError("该户不在本次问卷的范围内或不在您的管辖范围内")
    return found


def _after_visit(survey: Survey) -> HttpResponse:
    return redirect("surveys:survey_visit", pk=survey.pk)


@require_POST
def visit_answer(request: HttpRequest, pk: int, household: int) -> HttpResponse:
    survey = _survey(request, pk)
    found = _household(request, survey, household)
    member = whole_number(request.POST, "person", "作答人")
    person = Person.objects.filter(pk=member, household=found).first() if member else None
    services.response_submit(
        actor=request.user,
        survey=survey,
        answers=posted_answers(survey, request.POST),
        household=found,
        person=person,
    )
    messages.success(request, f"已录入{found.dwelling}的答卷")
    return _after_visit(survey)


@require_POST
def visit_record(request: HttpRequest, pk: int, household: int) -> HttpResponse:
    survey = _survey(request, pk)
    found = _household(request, survey, household)
    form = VisitForm(request.POST)
    if not form.is_valid():
        raise form_refused(form)
    visit = services.visit_record(
        actor=request.user, survey=survey, household=found, **form.cleaned_data
    )
    messages.success(request, f"已记录{found.dwelling}：{visit.get_outcome_display()}")
    return _after_visit(survey)
