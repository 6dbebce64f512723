"""The portal's account panel: sign in, or finish 实名认证, before the services that need it."""

from __future__ import annotations

from django.http import HttpRequest

from shequtong.core.scoping import is_staff
from shequtong.web.navigation import Panel

from .models import ResidentClaim
from .services import person_of


def portal_account_panel(request: HttpRequest) -> Panel | None:
    user = request.user
    if not user.is_authenticated:
        return Panel("accounts/portal_account.html", {"state": "anonymous"}, order=0)
    if is_staff(user) or person_of(user) is not None:
        return None
    claim = ResidentClaim.objects.filter(user=user).first()
    return Panel("accounts/portal_account.html", {"state": "unclaimed", "claim": claim}, order=0)
