"""Every error page is Chinese and says what the user can do next."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

_MESSAGES = {
    400: "请求有误，请检查填写的内容后重试。",
    403: "您没有权限访问此页面。如需开通，请联系上级管理员。",
    404: "页面不存在，或不在您的管辖范围内。",
    500: "服务器出错了，请稍后重试；问题持续时请联系系统管理员。",
}


def _error(request: HttpRequest, status: int, message: str | None = None) -> HttpResponse:
    context = {"status": status, "message": message or _MESSAGES[status]}
    return render(request, "web/errors/error.html", context, status=status)


def error_400(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error(request, 400)


def error_403(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error(request, 403)


def error_404(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error(request, 404)


def error_500(request: HttpRequest) -> HttpResponse:
    # Rendered without the request: its context processors read the database, which may be
    # what just failed.
    context = {"status": 500, "message": _MESSAGES[500]}
    return HttpResponse(render_to_string("web/errors/error.html", context), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(request, 403, "页面已过期或来源不明（CSRF 校验失败），请刷新页面后重试。")
