"""deliberation's models by subject: votes, and topics with their procedures and
meetings."""

from .topics import Invitee, Meeting, MeetingFile, Procedure, Topic, TopicStep, TopicUpdate
from .votes import Ballot, RollEntry, SecretBallot, Vote

__all__ = [
    "Ballot",
    "Invitee",
    "Meeting",
    "MeetingFile",
    "Procedure",
    "RollEntry",
    "SecretBallot",
    "Topic",
    "TopicStep",
    "TopicUpdate",
    "Vote",
]
