"""The one NinjaAPI at /api/v1/: authentication, the error shape, and each app's router."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.security import APIKeyCookie, HttpBearer

from .core.api import router as core_router
from .core.errors import DomainError
from .core.scoping import is_staff
from .core.services import api_token_authenticate


class TokenAuth(HttpBearer):
    """`Authorization: Bearer sqt_…`: a machine acting as the token's owner."""

    openapi_description = "API 令牌（在控制台“API 令牌”页创建）"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
            request.auth_via_token = True  # type: ignore[attr-defined]
        return user


class SessionAuth(APIKeyCookie):
    """The console's session cookie, with CSRF checked on unsafe methods."""

    param_name = "shequtong_session"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


def _docs_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The docs and the OpenAPI document: published when the deployment says so, else for
    signed-in staff only (they describe every endpoint an attacker would probe)."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if settings.SHEQUTONG_PUBLISH_API_DOCS:
            return view(request, *args, **kwargs)
        user = request.user
        if not (user.is_authenticated and user.is_active):
            return redirect_to_login(request.get_full_path())
        if not is_staff(user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return guarded


class ShequtongAPI(NinjaAPI):
    """The OpenAPI document is built from the routes, which do not change while a process
    runs: built once per path prefix, not on every request (it cost 1.4 s a call)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        prefix = path_prefix if path_prefix is not None else self.get_root_path(path_params or {})
        if prefix not in _SCHEMAS:
            _SCHEMAS[prefix] = super().get_openapi_schema(path_prefix=prefix)
        return _SCHEMAS[prefix]


_SCHEMAS: dict[str, OpenAPISchema] = {}

api = ShequtongAPI(
    title="社区通 API",
    version="1.0.0",
    description="社区通平台接口。所有列表按调用者的授权范围过滤；个人信息默认脱敏。"
    "错误统一为 {code, message, fields}。",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    docs_decorator=_docs_access,
)


def _error(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "fields": fields or {}}, status=status
    )


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.message, exc.fields)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "未登录，或 API 令牌无效、已过期、已撤销")


# Pydantic's messages are English; callers read Chinese (STYLE.md 17). Unlisted types keep theirs.
_PYDANTIC_MESSAGES = {
    "missing": "必填",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "int_from_float": "须为整数",
    "float_parsing": "须为数字",
    "float_type": "须为数字",
    "bool_parsing": "须为 true 或 false",
    "string_type": "须为文本",
    "greater_than": "须大于 {gt}",
    "greater_than_equal": "须不小于 {ge}",
    "less_than": "须小于 {lt}",
    "less_than_equal": "须不大于 {le}",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "最多 {max_length} 个字符",
    "enum": "须为以下之一：{expected}",
    "literal_error": "须为以下之一：{expected}",
    "date_parsing": "须为日期，如 2026-02-25",
    "date_from_datetime_parsing": "须为日期，如 2026-02-25",
    "datetime_parsing": "须为日期时间，如 2026-02-25T09:30:00+08:00",
    "datetime_from_date_parsing": "须为日期时间，如 2026-02-25T09:30:00+08:00",
    "json_invalid": "不是有效的 JSON",
    "dict_type": "须为对象",
    "model_attributes_type": "须为对象",
    "list_type": "须为列表",
}


def _chinese(error: dict[str, Any]) -> str:
    template = _PYDANTIC_MESSAGES.get(str(error.get("type")))
    if template is None:
        return str(error.get("msg", "无效"))
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return str(error.get("msg", "无效"))


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = list(error.get("loc", []))
        # ("body", "payload", "name"): the handler's parameter name means nothing to callers.
        parts = loc[2:] if loc[:1] == ["body"] else loc[1:]
        name = ".".join(str(part) for part in parts) or "body"
        fields.setdefault(name, []).append(_chinese(error))
    return _error(request, 422, "invalid", "请求参数有误", fields)


@api.exception_handler(ValidationError)
def _django_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    error = DomainError.from_validation(exc)
    return _error(request, 400, error.code, error.message, error.fields)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "记录不存在或不在您的管辖范围内")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "forbidden", "您没有权限执行此操作")


# django-ninja's own messages, as the API speaks them.
_NINJA_MESSAGES = {
    "Cannot parse request body": ("malformed", "请求体不是合法的 JSON"),
    "CSRF check Failed": (
        "csrf_failed",
        "CSRF 校验失败：浏览器请求须带上 X-CSRFToken 请求头；机器调用请使用 API 令牌",
    ),
}


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code, message = _NINJA_MESSAGES.get(str(exc), ("error", str(exc)))
    return _error(request, exc.status_code, code, message)


api.add_router("/", core_router)
api.add_router("/registry", "shequtong.registry.api.router")
api.add_router("/cases", "shequtong.cases.api.router")
api.add_router("/care", "shequtong.care.api.router")
api.add_router("/volunteering", "shequtong.volunteering.api.router")
