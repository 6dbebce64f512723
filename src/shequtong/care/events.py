"""Domain events care publishes for other apps, sent after the commit that made them true.

`alarm_follow_up(alarm, actor)`: an alarm was resolved and needs follow-up beyond the visit
(a gas leak to check, a family to talk to). The cases app opens a case for it and links it
back with `services.alarm_case_link`; care knows nothing of cases.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import Signal

log = logging.getLogger(__name__)

alarm_follow_up = Signal()


def publish(signal: Signal, **payload: Any) -> None:
    """Send once the current transaction commits; a failing receiver is logged, never undoes
    or breaks the write that published it."""

    def send() -> None:
        for receiver, outcome in signal.send_robust(sender=None, **payload):
            if isinstance(outcome, Exception):
                log.error("领域事件处理失败（%s）：%r", receiver, outcome, exc_info=outcome)

    transaction.on_commit(send)
