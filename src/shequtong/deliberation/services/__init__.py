"""Writes of deliberation, by subject (STYLE.md 23): votes, procedures, topics, their meetings
and the oversight of their deadlines."""

from .meetings import (
    invitee_add,
    invitee_sign_in,
    meeting_create,
    meeting_file_add,
    meeting_record,
    outcome_of,
)
from .oversight import steps_overdue_sweep
from .procedures import procedure_adapt, procedure_copy, procedure_for, procedures_of
from .tallies import recount, tally
from .topics import (
    participants,
    resident_topic_propose,
    resolution_to_case,
    step_complete,
    topic_accept,
    topic_case_link,
    topic_case_progress,
    topic_decline,
    topic_end,
    topic_propose,
    topic_update,
)
from .votes import (
    ballot_cast,
    paper_ballot_count,
    pre_vote_check,
    vote_close,
    vote_create,
    vote_open,
)

__all__ = [
    "ballot_cast",
    "invitee_add",
    "invitee_sign_in",
    "meeting_create",
    "meeting_file_add",
    "meeting_record",
    "outcome_of",
    "paper_ballot_count",
    "participants",
    "pre_vote_check",
    "procedure_adapt",
    "procedure_copy",
    "procedure_for",
    "procedures_of",
    "recount",
    "resident_topic_propose",
    "resolution_to_case",
    "step_complete",
    "steps_overdue_sweep",
    "tally",
    "topic_accept",
    "topic_case_link",
    "topic_case_progress",
    "topic_decline",
    "topic_end",
    "topic_propose",
    "topic_update",
    "vote_close",
    "vote_create",
    "vote_open",
]
