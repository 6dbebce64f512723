"""The care panel of the person file: the profile, open alarms, the latest alarms with how they
were handled, the last visit — or, for a resident not under care, the way to start."""

from __future__ import annotations

from shequtong.core.models import User
from shequtong.core.scoping import can, can_in_area, scoped
from shequtong.registry.models import Person
from shequtong.registry.panels import Panel

from .choices import OPEN_ALARMS
from .models import CareProfile
from .selectors import recent_alarms


def person_panel(user: User, person: Person) -> Panel | None:
    profile = scoped(CareProfile.objects.filter(person=person), user, "read").first()
    if profile is None:
        if CareProfile.objects.filter(person=person).exists():
            return None  # under care, but not in this viewer's care scope
        if person.status != "active" or not can_in_area(
            user, "change", CareProfile, person.area_path
        ):
            return None
        return Panel("care/person_panel.html", {"person": person})
    return Panel(
        "care/person_panel.html",
        {
            "person": person,
            "profile": profile,
            "alarms": recent_alarms(profile, 5),
            "open_alarms": profile.alarms.filter(status__in=OPEN_ALARMS).count(),
            "last_visit": profile.visits.select_related("visitor").first(),
            "may_change": can(user, "change", profile),
        },
    )
