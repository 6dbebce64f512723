"""What the resident's form and the grid worker's door form share: the posted answers read
into the mapping `response_submit` checks, and the questions with what is chosen now."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from .. import selectors
from ..choices import QuestionKind
from ..models import Question, Response, Survey
from ..services import LIMITS


def posted_answers(survey: Survey, data: QueryDict) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for question in selectors.questions_of(survey):
        key = selectors.answer_key(question)
        if question.kind == QuestionKind.TEXT:
            answers[key] = data.get(key, "")
        else:
            answers[key] = data.getlist(key)
    return answers


def form_questions(survey: Survey, given: Response | None) -> list[dict[str, Any]]:
    """Each question with its field name and what the household chose last time."""
    previous = given.answers if given is not None else {}
    rows = []
    for question in selectors.questions_of(survey):
        key = selectors.answer_key(question)
        chosen = previous.get(key)
        rows.append(
            {
                "q": question,
                "key": key,
                "chosen": chosen if isinstance(chosen, list) else [chosen] if chosen else [],
                "text": chosen if question.kind == QuestionKind.TEXT and chosen else "",
                "hint": kind_hint(question),
                "limit": LIMITS.text_answer_chars,
            }
        )
    return rows


def kind_hint(question: Question) -> str:
    if question.kind == QuestionKind.MULTIPLE:
        return f"多选，最多选{question.max_choices}项" if question.max_choices else "多选"
    return QuestionKind(question.kind).label
