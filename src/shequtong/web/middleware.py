"""Domain errors raised under a console page become Chinese pages or toasts, never a 500."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import trigger_client_event

from shequtong.core.errors import DomainError


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
            return render(
                request,
                "web/errors/error.html",
                {"status": exception.status, "message": exception.message},
                status=exception.status,
            )
        messages.error(request, exception.message)
        back = request.META.get("HTTP_REFERER", "")
        if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            return redirect(back)
        return render(
            request,
            "web/errors/error.html",
            {"status": exception.status, "message": exception.message},
            status=exception.status,
        )
