"""Console and resident-portal views: thin; reads go through selectors, writes through services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def lockout_response(
    request: HttpRequest, credentials: dict[str, Any], *args: Any, **kwargs: Any
) -> HttpResponse:
    return render(request, "web/login.html", {"locked": True}, status=429)


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("社区通")


login_view = logout_view = two_factor = area_list = area_detail = home
staff_list = audit_list = calendar = token_list = resident_home = home


def error_400(request: HttpRequest, exception: Exception) -> HttpResponse:
    return HttpResponse("请求有误", status=400)


def error_403(request: HttpRequest, exception: Exception) -> HttpResponse:
    return HttpResponse("没有权限", status=403)


def error_404(request: HttpRequest, exception: Exception) -> HttpResponse:
    return HttpResponse("页面不存在", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return HttpResponse("服务器错误", status=500)
