"""Which cases the public sees, and what of them (STYLE.md 26).

A case is shown to the public when nothing makes it personal — not a dispute (人民调解法
art. 15), nothing from a care device (a person's alarm), not a hazard at a home (its place names
a door) — which `Case.public` records when it is filed, and when its category is public
(`Category.public`, FixMyStreet's non-public reports are the model), which is read with the
case, so that a category closed later takes its cases off at once. What a public case shows —
its description and place — goes through `core.public`, whoever wrote it; the reporter still
sees their own case in full.
"""

from __future__ import annotations

from django.db.models import Q

from shequtong.core.public import contains_door, public_place, public_text

from .choices import CaseSource, CategoryKind
from .models import Case

SHOWN = Q(public=True, category__public=True)  # the cases public surfaces list


def case_is_public(case: Case) -> bool:
    """Whether nothing about the case itself keeps it from the public (its category's flag is
    read with it, see `SHOWN`)."""
    category = case.category
    if category.kind == CategoryKind.DISPUTE:
        return False
    if case.source == CaseSource.DEVICE:
        return False
    at_home = contains_door(case.address) or contains_door(case.description)
    return not (category.kind == CategoryKind.HAZARD and at_home)


def case_publish(case: Case) -> None:
    """Set what the public may see of the case (not saved: the caller writes the row)."""
    case.public = case_is_public(case)
    if case.public:
        case.public_description = public_text(
            case.description, names=[case.reporter_name], area_path=case.area_path
        )
        case.public_address = public_place(case.address)
    else:
        case.public_description = case.public_address = ""
