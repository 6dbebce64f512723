"""Panels other apps add to the person file, so the registry shows a person's care, cases or
volunteering without importing those apps: each registers a function in its `ready()`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shequtong.core.models import User

from .models import Person


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


# (viewer, person) -> the panel, or None when there is nothing to show or the viewer may not see it.
PERSON_PANELS: list[Callable[[User, Person], Panel | None]] = []


def person_panels(user: User, person: Person) -> list[Panel]:
    return [panel for make in PERSON_PANELS if (panel := make(user, person)) is not None]
