"""Login lockout with two limits (django-axes): an account at one address, and one address
across accounts.

Per (username, address) alone, four wrong passwords on each of five accounts lock none of them:
password spraying. An address is therefore also limited across every username it tries, with
a higher limit (`SHEQUTONG_LOGIN_IP_FAILURE_LIMIT`), because a street office's staff share one
address behind its gateway and their honest typos add up.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


class LoginLockout(AxesDatabaseHandler):
    """Axes compares one count with one limit; the per-address count is scaled to the
    per-account limit, so either reaching its own limit locks (the address one for every
    username tried from it, the account one for that account at that address)."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        counts = [
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        per_account, per_address = [*counts, 0, 0][:2]
        scaled = (
            per_address * settings.AXES_FAILURE_LIMIT // settings.SHEQUTONG_LOGIN_IP_FAILURE_LIMIT
        )
        return max(per_account, scaled)
