"""The portal's 监委会审核 panel: shown only to a seated member of a 居务监督委员会 (a resident,
mostly), with the count of boards waiting for their signature."""

from __future__ import annotations

from django.http import HttpRequest

from shequtong.web.navigation import Panel

from . import selectors


def portal_sign_panel(request: HttpRequest) -> Panel | None:
    user = request.user
    if not user.is_authenticated or not selectors.seated(user).exists():
        return None
    waiting = selectors.to_sign(user).count()
    return Panel("notices/disclosure_portal_sign.html", {"waiting": waiting}, order=5)
