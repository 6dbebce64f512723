"""The writes of notices, one module per subject (STYLE.md 23), re-exported here: other apps
call `notices.services.publicity_open` and friends."""

from .disclosures import (
    attachment_remove,
    disclosure_attach,
    disclosure_create,
    disclosure_edit,
    disclosure_publish,
    disclosure_sign,
    disclosure_submit,
    finance_item_add,
    finance_item_remove,
    supervisor_end,
    supervisor_name,
)
from .notices import notice_moderate, notice_post, notice_read
from .publicity import publicity_answer, publicity_comment, publicity_open

__all__ = [
    "attachment_remove",
    "disclosure_attach",
    "disclosure_create",
    "disclosure_edit",
    "disclosure_publish",
    "disclosure_sign",
    "disclosure_submit",
    "finance_item_add",
    "finance_item_remove",
    "notice_moderate",
    "notice_post",
    "notice_read",
    "publicity_answer",
    "publicity_comment",
    "publicity_open",
    "supervisor_end",
    "supervisor_name",
]
