"""The resident portal `/m/`: a mobile-first shell that works inside a WeChat web view. Its
tiles and panels are declared by the apps that build them (web.navigation)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shequtong.core.selectors import notification_list

from ..navigation import portal_panels, portal_tiles


def resident_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    inbox = (
        notification_list(user=user).filter(read_at__isnull=True)[:5]
        if user.is_authenticated
        else None
    )
    context = {
        "title": "社区通",
        "tiles": portal_tiles(),
        "panels": portal_panels(request),
        "inbox": inbox,
    }
    return render(request, "web/resident/home.html", context)
