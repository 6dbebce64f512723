"""Logins, failures and lockouts go into the audit log like any other action."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import audit_record
from .models import User


def _ip(request: Any) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def _known_user(username: str) -> User | None:
    return User.objects.filter(username=username).first() if username else None


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    audit_record(actor=user, action="auth.login", obj=user, ip=_ip(request))


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action="auth.logout", obj=user, ip=_ip(request))


@receiver(user_login_failed)
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    """Recorded against the account tried, when it exists, so its area's auditors see attacks on
    it; a name that matches no account is recorded without an area (district auditors see it)."""
    username = str(credentials.get("username", ""))[:150]
    target = _known_user(username)
    audit_record(
        actor=None, action="auth.login_failed", obj=target, object_repr=username, ip=_ip(request)
    )


@receiver(user_locked_out)
def _locked_out(sender: Any, request: Any, username: str | None = None, **kwargs: Any) -> None:
    name = (username or "")[:150]
    audit_record(
        actor=None,
        action="auth.locked_out",
        obj=_known_user(name),
        object_repr=name,
        ip=_ip(request),
    )
