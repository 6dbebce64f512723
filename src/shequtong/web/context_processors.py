from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .navigation import navigation_for


def console(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav": navigation_for(user)}
