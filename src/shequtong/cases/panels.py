"""The cases app's panels: 我的待办 on the console home, 我的诉求 on the portal's."""

from __future__ import annotations

from django.http import HttpRequest

from shequtong.core.scoping import allowed
from shequtong.web.navigation import Panel

from .models import Case
from .selectors import my_tasks, resident_cases


def tasks_panel(request: HttpRequest) -> Panel | None:
    """The open cases this user may move forward now, most urgent first."""
    if not allowed(request.user, "change", Case):
        return None
    return Panel("cases/home_tasks.html", {"tasks": my_tasks(request.user)[:10]}, order=10)


def portal_cases_panel(request: HttpRequest) -> Panel:
    """我的诉求 on the portal's home: the resident's latest reports, or the way to sign in."""
    user = request.user
    cases = resident_cases(user).select_related("category")[:5] if user.is_authenticated else None
    return Panel("cases/portal_cases.html", {"cases": cases}, order=10)
