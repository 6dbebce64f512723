from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers

from .choices import Role
from .context import client_ip
from .scoping import roles_of

# Administrative roles that must pass TOTP when the deployment requires two-factor.
TWO_FACTOR_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.AUDITOR})
_EXEMPT_PREFIXES = ("/console/login/", "/console/logout/", "/console/2fa/", "/static/", "/m/")


def needs_two_factor(request: HttpRequest) -> bool:
    user = request.user
    if not settings.SHEQUTONG_REQUIRE_2FA or not user.is_authenticated:
        return False
    if getattr(request, "auth_via_token", False) or user.is_verified():
        return False
    return user.is_superuser or bool(roles_of(user) & TWO_FACTOR_ROLES)


class RequestContextMiddleware:
    """Remembers the client address for the audit log of whatever this request writes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_ip.set(request.META.get("REMOTE_ADDR"))
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)


class TwoFactorMiddleware:
    """Sends an administrator who has not passed TOTP this session to enrol or verify."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(_EXEMPT_PREFIXES) or not needs_two_factor(request):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "code": "two_factor_required",
                    "message": "请先在控制台完成双因素认证",
                    "fields": {},
                },
                status=403,
            )
        if request.path.startswith(("/console/", "/admin/")):
            return redirect("web:two_factor")
        return self.get_response(request)


class NoStoreMiddleware:
    """Every page and answer the platform makes is personal or scoped to the one who asked
    (the console, the API, a revealed number): no browser or proxy may keep a copy. Static
    files, answered earlier by whitenoise, stay cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
