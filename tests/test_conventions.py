"""Conventions the suite relies on: every transactional test restores the serialized rows, for a
flush without it re-creates the content types under new ids and the next serialized test then
fails to restore its own (it broke tests/e2e run alone, and the placement tests in CI)."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).parent


def test_every_transactional_test_is_serialized():
    unserialized = [
        f"{path.relative_to(TESTS)}:{n}"
        for path in TESTS.rglob("*.py")
        if path.name != "test_conventions.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"django_db\(transaction=True(?!, serialized_rollback=True)", line)
    ]
    assert unserialized == []
