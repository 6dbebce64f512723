"""Surveys on /m/: the surveys asked of the signed-in resident's household, the answer form
(answering again replaces the household's answer while the survey runs), the receipt, and
after the close the results as counts per option — never a text answer, never a household."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from shequtong.accounts.decorators import resident_required
from shequtong.registry.models import Person

from .. import selectors, services
from ..choices import SurveyStatus
from .answering import form_questions, posted_answers


def resident_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in and 实名: the view gets the registry person as its second argument."""

    @resident_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return view(request, request.person, *args, **kwargs)  # type: ignore[attr-defined]

    return wrapped


@resident_view
def m_surveys(request: HttpRequest, me: Person) -> HttpResponse:
    rows = []
    for survey in selectors.surveys_for(me)[:50]:
        given = selectors.current_response(survey, me.household_id)
        rows.append({"survey": survey, "given": given, "accepting": selectors.accepting(survey)})
    return render(request, "surveys/m_surveys.html", {"title": "问卷调查", "rows": rows})


@resident_view
def m_survey(request: HttpRequest, me: Person, pk: int) -> HttpResponse:
    survey = get_object_or_404(selectors.surveys_for(me), pk=pk)
    if request.method == "POST":
        services.response_submit(
            actor=request.user, survey=survey, answers=posted_answers(survey, request.POST)
        )
        messages.success(request, "已提交，谢谢您的参与")
        return redirect("surveys:m_receipt", pk=pk)
    given = selectors.current_response(survey, me.household_id)
    closed = survey.status == SurveyStatus.CLOSED
    context = {
        "title": survey.title,
        "survey": survey,
        "given": given,
        "accepting": selectors.accepting(survey),
        "questions": form_questions(survey, given),
        # Counts per option only: `results` without `staff` lists no text answers.
        "results": selectors.results(survey) if closed else None,
        "households": selectors.household_total(survey) if closed else None,
        "support": selectors.support_of(survey) if closed and survey.consent_question_id else None,
    }
    return render(request, "surveys/m_survey.html", context)


@resident_view
def m_receipt(request: HttpRequest, me: Person, pk: int) -> HttpResponse:
    survey = get_object_or_404(selectors.surveys_for(me), pk=pk)
    given = selectors.current_response(survey, me.household_id)
    if given is None:
        return redirect("surveys:m_survey", pk=pk)
    context = {
        "title": "答卷回执",
        "survey": survey,
        "given": given,
        "mine": given.person_id == me.pk,
        "questions": form_questions(survey, given),
        "accepting": selectors.accepting(survey),
    }
    return render(request, "surveys/m_receipt.html", context)
