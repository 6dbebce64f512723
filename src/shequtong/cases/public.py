"""Which cases the public sees, and what of them (STYLE.md 26).

A case is public when its category is (`Category.public`, FixMyStreet's non-public reports are
the model) and nothing makes it personal: a dispute (人民调解法 art. 15), anything from a care
device (a person's alarm), a hazard at a home (its place names a door). What a public case
shows — its description and place — goes through `core.public`, whoever wrote it; the
reporter still sees their own case in full on the portal and through Open311 with their key.
"""

from __future__ import annotations

from shequtong.core.public import contains_door, public_place, public_text

from .choices import CaseSource, CategoryKind
from .models import Case


def case_is_public(case: Case) -> bool:
    category = case.category
    if not category.public or category.kind == CategoryKind.DISPUTE:
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
