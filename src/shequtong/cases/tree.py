"""The category tree as intake reads it on every report: which categories are leaves, their
questions and keywords. The tree is configuration, kept per process like the other reference
data (core.reference): a change saved in this process counts at once, in another within
`SHEQUTONG_REFERENCE_TTL` seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from shequtong.core.reference import ReferenceCache

from .models import Category, CategoryAttribute


@dataclass(frozen=True)
class Tree:
    leaves: dict[int, Category]  # active leaves, parent loaded
    by_code: dict[str, Category]  # every active category
    questions: dict[int, list[CategoryAttribute]]
    keywords: list[tuple[Category, list[str]]]


def tree() -> Tree:
    return _kept.get()


def _build(_: object) -> Tree:
    active = list(Category.objects.filter(active=True).select_related("parent"))
    parents = {c.parent_id for c in Category.objects.filter(parent__isnull=False)}
    leaves = {c.pk: c for c in active if c.pk not in parents and c.parent_id is not None}
    questions: dict[int, list[CategoryAttribute]] = {}
    for attribute in CategoryAttribute.objects.filter(category__in=leaves):
        questions.setdefault(attribute.category_id, []).append(attribute)
    return Tree(
        leaves=leaves,
        by_code={c.code: c for c in active},
        questions=questions,
        keywords=[(c, c.keywords.split()) for c in leaves.values() if c.keywords],
    )


_kept = ReferenceCache(_build, models=("cases.Category", "cases.CategoryAttribute"))
