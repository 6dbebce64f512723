"""Emptying the whole database on SQLite, the one act the ledger's DELETE triggers allow.

PostgreSQL empties tables with TRUNCATE, which row triggers do not see, so `flush` (a test's
teardown, a reset demo) works there while a DELETE of a posting is refused. SQLite has no
TRUNCATE: its `flush` DELETEs every row. The SQLite triggers (migration 0003) therefore refuse a
DELETE unless `ledger_emptying()` — a function each connection of this process registers —
answers 1, which it does only inside `emptying()`. Any other program opening the file (the
sqlite3 shell) has no such function, so its DELETE fails as well.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_state = threading.local()


def _emptying() -> int:
    return 1 if getattr(_state, "on", False) else 0


@contextmanager
def emptying() -> Iterator[None]:
    """Allow this thread's DELETEs on the ledger's tables: only for emptying the database."""
    _state.on = True
    try:
        yield
    finally:
        _state.on = False


def register(sender: Any, connection: Any, **kwargs: Any) -> None:
    """`connection_created` receiver: give each SQLite connection the function."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("ledger_emptying", 0, _emptying, deterministic=False)
