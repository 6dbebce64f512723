"""The category tree as intake reads it on every report: which categories are leaves, their
questions and keywords. Read once and kept in the process for `SHEQUTONG_CATEGORY_TTL`
seconds (a minute by default; 0 in tests); a change saved in this process drops it at once,
another process sees it within the minute. The tree is configuration: it changes rarely.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from .models import Category, CategoryAttribute


@dataclass(frozen=True)
class Tree:
    leaves: dict[int, Category]  # active leaves, parent loaded
    by_code: dict[str, Category]  # every active category
    questions: dict[int, list[CategoryAttribute]]
    keywords: list[tuple[Category, list[str]]]


_kept: tuple[float, Tree] | None = None


def tree() -> Tree:
    global _kept
    ttl = getattr(settings, "SHEQUTONG_CATEGORY_TTL", 60)
    if _kept is not None and time.monotonic() - _kept[0] < ttl:
        return _kept[1]
    active = list(Category.objects.filter(active=True).select_related("parent"))
    parents = {c.parent_id for c in Category.objects.filter(parent__isnull=False)}
    leaves = {c.pk: c for c in active if c.pk not in parents and c.parent_id is not None}
    questions: dict[int, list[CategoryAttribute]] = {}
    for attribute in CategoryAttribute.objects.filter(category__in=leaves):
        questions.setdefault(attribute.category_id, []).append(attribute)
    built = Tree(
        leaves=leaves,
        by_code={c.code: c for c in active},
        questions=questions,
        keywords=[(c, c.keywords.split()) for c in leaves.values() if c.keywords],
    )
    _kept = (time.monotonic(), built)
    return built


def forget(**_: Any) -> None:
    """Signal receiver: a category or a question changed."""
    global _kept
    _kept = None
