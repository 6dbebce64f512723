"""Care's panels: on the person file the profile, open alarms, the latest alarms with how they
were handled, the last visit — or, for a resident not under care, the way to start; on the
console home the visits due (走访任务)."""

from __future__ import annotations

from django.http import HttpRequest

from shequtong.core.models import User
from shequtong.core.scoping import allowed, can, can_in_area, scoped
from shequtong.registry.models import Person
from shequtong.web.navigation import Panel
from shequtong.web.scope import current_scope

from .choices import OPEN_ALARMS
from .models import CareProfile, Visit
from .selectors import recent_alarms, visits_due


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


def visits_panel(request: HttpRequest) -> Panel | None:
    """走访任务: who is due or overdue for a visit in the user's scope, most overdue first."""
    if not allowed(request.user, "read", Visit):
        return None
    waiting = [
        r
        for r in visits_due(user=request.user, within=current_scope(request))
        if r.overdue_days >= 0
    ]
    shown = waiting[:8]
    context = {
        "rows": shown,
        "more": len(waiting) - len(shown),
        "overdue": sum(r.overdue_days > 0 for r in waiting),
    }
    return Panel("care/home_visits.html", context, order=20)
