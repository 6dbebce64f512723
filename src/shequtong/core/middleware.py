from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
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


_NUL = "\x00"
NUL_MESSAGE = "不能包含空字符（\\0）"


def _nul_in(value: object, path: str) -> str | None:
    """The dotted name of the first value holding a NUL character, in parsed JSON."""
    if isinstance(value, str):
        return path if _NUL in value else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and _NUL in key:
            return f"{path}.{key!r}".strip(".")
        found = _nul_in(item, f"{path}.{key}".strip("."))
        if found:
            return found
    return None


def refusal(
    request: HttpRequest, status: int, field: str, message: str, detail: str | None = None
) -> HttpResponse:
    """A refusal in the shape of the surface asked: the API's error body, Open311's error
    list, else the plain Chinese error page."""
    if request.path.startswith("/api/"):
        body = {"code": "invalid", "message": message, "fields": {field: [detail or message]}}
        return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    if request.path.startswith("/open311/"):
        errors = [{"code": status, "description": message}]
        return JsonResponse(
            errors, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
        )
    return render(
        request, "web/errors/plain.html", {"status": status, "message": message}, status=status
    )


class NulCharacterMiddleware:
    """No text a person or a device sends holds a NUL character: PostgreSQL refuses it in text
    columns (a 500 on a search, a PATCH, an Open311 service_code), and no form or API field
    has a use for it. Refused at the door with the field named, in the shape of the surface
    asked: the API's error body, Open311's error list, or the Chinese 400 page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            field = self._field(request)
        except RequestDataTooBig:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024
            return refusal(request, 413, "body", f"请求体过大：上限 {limit:g} MB，请分批发送")
        if field is None:
            return self.get_response(request)
        return refusal(request, 400, field, f"{field}{NUL_MESSAGE}", NUL_MESSAGE)

    def _field(self, request: HttpRequest) -> str | None:
        forms = [request.GET, request.POST] if request.method == "POST" else [request.GET]
        for params in forms:
            for name, values in params.lists():
                if _NUL in name or any(_NUL in v for v in values):
                    return name.replace(_NUL, "")
        if request.content_type == "application/json" and request.method in (
            "POST",
            "PUT",
            "PATCH",
        ):
            raw = request.body
            if b"\\u0000" in raw or b"\x00" in raw:
                try:
                    return _nul_in(json.loads(raw), "") or "body"
                except (ValueError, RecursionError):
                    return "body"
        return None
