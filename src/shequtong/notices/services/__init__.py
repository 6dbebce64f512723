"""The writes of notices, one module per subject (STYLE.md 23), re-exported here: other apps
call `notices.services.publicity_open` and friends."""

from .notices import notice_moderate, notice_post, notice_read
from .publicity import publicity_answer, publicity_comment, publicity_open

__all__ = [
    "notice_moderate",
    "notice_post",
    "notice_read",
    "publicity_answer",
    "publicity_comment",
    "publicity_open",
]
