from __future__ import annotations

from collections.abc import Callable

from shequtong.core.models import User
from tests.core.factories import AreaTree

ROWS: dict[str, Callable[[AreaTree, User], None]] = {}
