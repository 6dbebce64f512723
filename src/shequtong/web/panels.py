"""The console home's panel of the platform itself: what an auditor watches (审计关注)."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone

from shequtong.core.audit_labels import EXPORTS, REVEAL
from shequtong.core.choices import Role
from shequtong.core.scoping import roles_of
from shequtong.core.selectors import audit_search

from .navigation import Panel

WEEK = 7


def audit_panel(request: HttpRequest) -> Panel | None:
    """The last week's reveals, exports and failed sign-ins in the auditor's areas, each a
    link to the log filtered to them."""
    if Role.AUDITOR not in roles_of(request.user):
        return None
    since = timezone.localdate() - timedelta(days=WEEK - 1)
    shown = [
        ("查看个人信息", REVEAL),
        ("导出", EXPORTS),
        ("登录失败", "auth.login_failed"),
        ("账号锁定", "auth.locked_out"),
    ]
    counts = [
        (label, action, audit_search(user=request.user, action=action, since=since).count())
        for label, action in shown
    ]
    return Panel("web/home_audit.html", {"counts": counts, "since": since.isoformat()}, order=40)
