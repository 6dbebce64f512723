"""Publishing domain events (ARCHITECTURE.md): sent after the commit that made them true.

Each app defines its own signals (`care/events.py`, `cases/events.py`) and publishes them with
`publish`; the reacting app connects its receivers in `ready()`. A payload carries what the
listener needs (ids, the text it may show), so the listener imports none of the publisher's
models or services (STYLE.md 25).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import Signal

log = logging.getLogger(__name__)


def publish(signal: Signal, **payload: Any) -> None:
    """Send once the current transaction commits; a failing receiver is logged, never undoes
    or breaks the write that published it."""

    def send() -> None:
        for receiver, outcome in signal.send_robust(sender=None, **payload):
            if isinstance(outcome, Exception):
                log.error("领域事件处理失败（%s）：%r", receiver, outcome, exc_info=outcome)

    transaction.on_commit(send)
