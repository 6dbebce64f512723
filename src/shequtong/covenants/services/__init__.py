"""The writes of covenants, one module per subject (STYLE.md 23), re-exported here."""

from .comments import comment_add, comment_answer
from .versions import (
    covenant_create,
    version_adopt,
    version_consult,
    version_draft,
    version_edit,
    version_file,
    version_publish,
    version_submit,
    version_withdraw,
)

__all__ = [
    "comment_add",
    "comment_answer",
    "covenant_create",
    "version_adopt",
    "version_consult",
    "version_draft",
    "version_edit",
    "version_file",
    "version_publish",
    "version_submit",
    "version_withdraw",
]
