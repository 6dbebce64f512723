"""Every error page is Chinese and says what the user can do next.

An error page must render even when what broke is the page machinery itself: the database (the
500 page is rendered without the request's context processors) or the static files (a
production install whose `collectstatic` did not run cannot resolve `{% static %}`); then the
plain page, which needs neither, is shown.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from shequtong.core.scoping import is_staff

log = logging.getLogger(__name__)

_MESSAGES = {
    400: "请求有误，请检查填写的内容后重试。",
    403: "您没有权限访问此页面。如需开通，请联系上级管理员。",
    404: "页面不存在，或不在您的管辖范围内。",
    500: "服务器出错了，请稍后重试；问题持续时请联系系统管理员。",
}


def _page(context: dict, request: HttpRequest | None = None) -> str:
    try:
        return render_to_string("web/errors/error.html", context, request=request)
    except Exception:  # a missing static manifest, a database that is down…
        log.exception("错误页无法按常规渲染，改用纯文本版")
        return render_to_string("web/errors/plain.html", context)


def error_response(request: HttpRequest, status: int, message: str | None = None) -> HttpResponse:
    """The page for `status`; a signed-in resident is pointed to the portal, not the console."""
    user = getattr(request, "user", None)
    context = {
        "status": status,
        "message": message or _MESSAGES[status],
        "portal": bool(user and user.is_authenticated and not is_staff(user)),
    }
    return HttpResponse(_page(context, request), status=status)


def error_400(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_response(request, 400)


def error_403(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_response(request, 403)


def error_404(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_response(request, 404)


def error_500(request: HttpRequest) -> HttpResponse:
    # Rendered without the request: its context processors read the database, which may be
    # what just failed.
    context = {"status": 500, "message": _MESSAGES[500]}
    return HttpResponse(_page(context), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_response(request, 403, "页面已过期或来源不明（CSRF 校验失败），请刷新页面后重试。")
