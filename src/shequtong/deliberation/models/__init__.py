"""deliberation's models by subject: owners' votes, and topics with their procedures and
meetings."""

from .topics import Invitee, Meeting, MeetingFile, Procedure, Topic, TopicStep, TopicUpdate
from .votes import Ballot, RollEntry, Vote

__all__ = [
    "Ballot",
    "Invitee",
    "Meeting",
    "MeetingFile",
    "Procedure",
    "RollEntry",
    "Topic",
    "TopicStep",
    "TopicUpdate",
    "Vote",
]
