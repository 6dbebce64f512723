"""Domain errors raised under a console page become Chinese pages or toasts, never a 500; the
console is for staff, so a resident's account is pointed to the portal."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import trigger_client_event

from shequtong.core.errors import DomainError
from shequtong.core.scoping import is_staff

from .views.errors import error_response

# Console pages any signed-in account may open: signing in and out, and the home page, which
# sends a resident on to `/m/`.
OPEN_TO_ALL = frozenset({"login", "logout", "two_factor", "home"})


class ConsoleForStaffMiddleware:
    """Every console page but those above answers a resident's account (or one whose grants
    are all gone) with 403 and a way to the portal, instead of opening empty."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable, args: tuple, kwargs: dict
    ) -> HttpResponse | None:
        match = request.resolver_match
        if not request.path.startswith("/console/") or not request.user.is_authenticated:
            return None
        if (match and match.namespace == "web" and match.url_name in OPEN_TO_ALL) or is_staff(
            request.user
        ):
            return None
        return error_response(request, 403, "工作台仅供社区工作人员使用。居民请使用“居民服务”。")


class DomainErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        if getattr(request, "htmx", False):
            # HTMX does not swap error responses; the toast is the whole answer.
            response = HttpResponse(exception.message, status=exception.status)
            return trigger_client_event(
                response, "toast", {"message": exception.message, "level": "error"}
            )
        if exception.status in (403, 404):
            return error_response(request, exception.status, exception.message)
        messages.error(request, exception.message)
        back = request.META.get("HTTP_REFERER", "")
        if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            return redirect(back)
        return error_response(request, exception.status, exception.message)
