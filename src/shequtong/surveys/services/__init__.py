"""The writes of surveys, one module per subject (STYLE.md 23), re-exported here: `surveys`
(making, opening and closing a survey and its questions) and `answers` (a household's answer,
online or at the door, and the calls that brought none)."""

from .answers import response_submit, visit_record
from .surveys import (
    LIMITS,
    question_add,
    question_change,
    question_remove,
    survey_close,
    survey_consent,
    survey_create,
    survey_open,
    survey_update,
)

__all__ = [
    "LIMITS",
    "question_add",
    "question_change",
    "question_remove",
    "response_submit",
    "survey_close",
    "survey_consent",
    "survey_create",
    "survey_open",
    "survey_update",
    "visit_record",
]
