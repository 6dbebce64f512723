"""Open311 GeoReport v2 at /open311/v2/: services (leaf categories), their questions, and
service requests (cases), in JSON and XML.

Plain Django views rather than the ninja API: GeoReport fixes its own URL shapes (`.json` and
`.xml` suffixes), form-encoded POSTs and a list of {code, description} as its error body, none of
which fit /api/v1/. Intake still goes through `services.case_report`, so a case from Open311 is
checked, located and deduplicated exactly like one from the portal.

Where the spec leaves room:
- `api_key` is a platform API token (sqt_…, issued to staff only); its owner is the reporting
  actor, so a district admin's token (an integrator's app) reports anywhere in the district.
- Cases are made synchronously: POST answers with both `service_request_id` (the tracking
  number) and `token`. The token is the case's idempotency key: uuid5 of the token owner and the
  `Idempotency-Key` header when the client sends one (so a retry returns the same case, and two
  clients' keys can never collide), else a fresh uuid4. A retry answers 200 instead of 201.
- `media_url` is never fetched (the platform runs on an intranet): it is kept as a line at the
  end of the description, for staff to follow if they can, and GET returns no `media_url`
  (report photos are behind login). `email` and `device_id` are not stored; `account_id` is
  echoed back. `first_name`/`last_name` make the reporter's name, family name first for Chinese.
- `address_string` (and `address_id`, read as an address) locates a case when it names an
  estate of the registry; otherwise the client must send `lat`/`long` (WGS-84).
- GET shows only public cases (`cases/public.py`: not a dispute, not a care matter, not a hazard
  at a home, a category marked public), each through the public view: its description and
  place reduced by `core.public` (no names, phones, ID or door numbers; the building or the
  street at most), coordinates to four decimals, and as `status_notes` the step's name only.
  Non-public cases answer 404 like unknown ids, so sequential numbers reveal nothing. A GET
  with an `api_key` (staff) or from a signed-in session (a resident on the portal) also shows,
  in full, the cases that person reported and the cases their grants let them read. GET never
  exposes the reporter's identity. `status` is open until resolved, closed or rejected;
  `agency_responsible` is the department or area holding it.
- GET requests covers at most 90 days (the last 90 by default) and 1000 requests, newest first.
- Errors carry the HTTP status as their `code`: 400 for bad input (an unknown service_code on
  POST included), 403 for a missing or bad api_key, 404 for unknown services, ids, tokens, paths.
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.urls import re_path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt

from shequtong.core.choices import LEVEL_ORDER, AreaLevel
from shequtong.core.errors import DomainError, NotFoundError, PermissionDeniedError
from shequtong.core.models import Area, User
from shequtong.core.scoping import scoped
from shequtong.core.services import api_token_authenticate

from . import selectors, services, workflow
from .choices import CaseSource, CaseStatus, HandlerLevel
from .models import Case, CaseStep, Category, CategoryAttribute, case_pk
from .public import SHOWN

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-24T00:00:00+08:00"  # when this interface last changed
CONTACT = "社区通平台区级管理员"
KEY_SERVICE = "请区级管理员在控制台“API 令牌”页创建 API 令牌，作为 api_key 使用"
WINDOW = timedelta(days=90)
LIMIT = 1000

_CLOSED = frozenset({CaseStatus.RESOLVED, CaseStatus.CLOSED, CaseStatus.REJECTED})
_TOKENS = uuid.UUID("6f1d3c2e-8a4b-5e6f-9c0d-311311311311")  # namespace of derived tokens
# Control characters XML 1.0 cannot carry (a pasted description may hold one).
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ATTRIBUTE = re.compile(r"attribute\[([^\]]+)\](\[\])?")
_DATATYPE_HINTS = {
    "number": "数字",
    "datetime": "ISO 8601 日期时间，如 2026-11-24T10:45:00+08:00",
}
# Service-side field names in the words of the spec.
_PARAMS = {"location": "lat、long", "category": "service_code"}
# In XML, a list's elements are named after what it holds.
_ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}

# --- reads ----------------------------------------------------------------------------------


def _services() -> QuerySet[Category]:
    """The active leaves: only a leaf takes a case."""
    attributes = CategoryAttribute.objects.filter(category=OuterRef("pk"))
    return (
        selectors.categories()
        .filter(parent__isnull=False)
        .exclude(children__isnull=False)
        .annotate(has_attributes=Exists(attributes))
    )


def _viewer(request: HttpRequest) -> User | None:
    """Whoever a GET's `api_key` names, else the signed-in user (a resident on the portal), else
    None; a key that is not valid is refused rather than silently read as anonymous."""
    key = request.GET.get("api_key", "").strip()
    if not key:
        user = request.user
        return user if user.is_authenticated and user.is_active else None  # type: ignore[return-value]
    viewer = api_token_authenticate(key)
    if viewer is None:
        raise PermissionDeniedError("api_key 无效、已过期或已撤销")
    return viewer


def _requests_query(viewer: User | None) -> QuerySet[Case]:
    """The cases a caller may see: the public ones, and with a key their own and those their
    grants let them read. The reporter's identity is never loaded."""
    last_step = (
        CaseStep.objects.filter(case=OuterRef("pk"))
        .exclude(action__in=workflow.STAFF_ONLY_STEPS)
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    visible = SHOWN
    if viewer is not None:
        visible |= Q(reporter=viewer) | Q(pk__in=scoped(Case.objects.all(), viewer, "read"))
    return (
        Case.objects.filter(visible)
        .select_related("category", "department")
        .defer("reporter_name", "reporter_phone")
        .annotate(last_step_id=Subquery(last_step))
        .order_by("-created_at", "-pk")
    )


def _case_by_number(number: str, viewer: User | None) -> Case:
    pk = case_pk(number)
    case = _requests_query(viewer).filter(pk=pk).first() if pk else None
    if case is None or case.number != number:
        raise NotFoundError(f"没有编号为 {number} 的服务请求")
    return case


def _request_list(params: QueryDict, viewer: User | None) -> list[Case]:
    cases = _requests_query(viewer)
    numbers = _split(params, "service_request_id")[:LIMIT]
    if numbers:
        pks = [pk for pk in map(case_pk, numbers) if pk]
        return [c for c in cases.filter(pk__in=pks)[:LIMIT] if c.number in numbers]
    start, end = _window(params)
    cases = cases.filter(created_at__gte=start, created_at__lte=end)
    codes = _split(params, "service_code")
    if codes:
        cases = cases.filter(category__code__in=codes)
    statuses = set(_split(params, "status"))
    if statuses - {"open", "closed"}:
        raise _invalid("status 只能是 open 或 closed，多个以逗号分隔")
    if statuses == {"open"}:
        cases = cases.exclude(status__in=_CLOSED)
    elif statuses == {"closed"}:
        cases = cases.filter(status__in=_CLOSED)
    return list(cases[:LIMIT])


def _window(params: QueryDict) -> tuple[datetime, datetime]:
    start, end = _when(params, "start_date"), _when(params, "end_date")
    if start and end and start > end:
        raise _invalid("start_date 不能晚于 end_date")
    if start and end and end - start > WINDOW:
        raise _invalid("start_date 与 end_date 相隔不能超过 90 天")
    end = end or (start + WINDOW if start else timezone.now())
    return start or end - WINDOW, end


def _when(params: QueryDict, name: str) -> datetime | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None:
        raise _invalid(f"{name} 应为 W3C 日期时间，如 2026-11-24T00:00:00+08:00")
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _split(params: QueryDict, name: str) -> list[str]:
    return [part.strip() for part in params.get(name, "").split(",") if part.strip()]


# --- serialization --------------------------------------------------------------------------


def _w3c(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or None,
        "metadata": category.has_attributes,  # type: ignore[attr-defined]
        "type": "realtime",
        "keywords": ",".join(category.keywords.split()) or None,
        "group": category.parent.name if category.parent else None,
    }


def _definition(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": attribute.required,
                "datatype_description": _DATATYPE_HINTS.get(attribute.datatype),
                "order": order,
                "description": attribute.description,
                "values": [{"key": v["key"], "name": v["name"]} for v in attribute.values],
            }
            for order, attribute in enumerate(category.attributes.all(), 1)
        ],
    }


def _notice(case: Case) -> str | None:
    if case.status in _CLOSED or case.due_at is None:
        return None
    return f"预计 {timezone.localtime(case.due_at):%Y年%m月%d日} 前办结"


def _holder_area_id(case: Case) -> int:
    """The area at the level holding the case; a summoned department's is the subdistrict."""
    level = case.handler_level
    if level == HandlerLevel.DEPARTMENT:
        level = AreaLevel.SUBDISTRICT
    ids = Area(path=case.area_path).path_ids
    return ids[min(LEVEL_ORDER.index(level), len(ids) - 1)]


def _shown_in_full(cases: list[Case], viewer: User | None) -> set[int]:
    """The cases the viewer reported or may read: shown as they are, not as the public sees."""
    if viewer is None:
        return set()
    full = {c.pk for c in cases if c.reporter_id == viewer.pk}
    readable = scoped(Case.objects.filter(pk__in=[c.pk for c in cases]), viewer, "read")
    return full | set(readable.values_list("pk", flat=True))


def _rows(cases: list[Case], viewer: User | None = None) -> list[dict[str, Any]]:
    steps = CaseStep.objects.in_bulk([c.last_step_id for c in cases if c.last_step_id])  # type: ignore[attr-defined]
    holders = {c.pk: _holder_area_id(c) for c in cases}
    names = dict(Area.objects.filter(pk__in=holders.values()).values_list("pk", "name"))
    full = _shown_in_full(cases, viewer)
    rows = []
    for case in cases:
        whole = case.pk in full
        step = steps.get(case.last_step_id)  # type: ignore[attr-defined]
        notes = None
        if step is not None:
            with_note = whole and step.action == "resolve" and step.note
            notes = f"{step.label}：{step.note}" if with_note else step.label
        agency = (
            case.department.name
            if case.handler_level == HandlerLevel.DEPARTMENT and case.department
            else names.get(holders[case.pk])
        )
        place = case.address if whole else case.public_address
        rows.append(
            {
                "service_request_id": case.number,
                "status": "closed" if case.status in _CLOSED else "open",
                "status_notes": notes,
                "service_name": case.category.name,
                "service_code": case.category.code,
                "description": case.description if whole else case.public_description,
                "agency_responsible": agency,
                "service_notice": _notice(case),
                "requested_datetime": _w3c(case.created_at),
                "updated_datetime": _w3c(case.updated_at),
                "expected_datetime": _w3c(case.due_at),
                "address": place or None,
                "address_id": None,
                "zipcode": None,
                "lat": _coordinate(case.lat, whole),
                "long": _coordinate(case.lon, whole),
                "media_url": None,
            }
        )
    return rows


def _coordinate(value: float | None, whole: bool) -> float | None:
    """Four decimals (about 10 m) for the public: the building, not a window of it."""
    return value if whole or value is None else round(value, 4)


def _element(tag: str, value: Any) -> ET.Element:
    node = ET.Element(tag)
    if isinstance(value, dict):
        node.extend(_element(key, item) for key, item in value.items())
    elif isinstance(value, list):
        node.extend(_element(_ITEM_TAGS[tag], item) for item in value)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = _NOT_XML.sub("", str(value))
    return node


def _render(fmt: str, root: str, payload: Any, status: int) -> HttpResponse:
    if fmt == "xml":
        body = ET.tostring(_element(root, payload), encoding="utf-8", xml_declaration=True)
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return JsonResponse(
        payload, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
    )


def _errors(fmt: str, status: int, description: str) -> HttpResponse:
    return _render(fmt, "errors", [{"code": status, "description": description}], status)


def _describe(exc: DomainError) -> str:
    """The Chinese message, naming the parameters it is about."""
    if not exc.fields:
        return exc.message
    return f"{exc.message}（{'、'.join(_PARAMS.get(name, name) for name in exc.fields)}）"


def _invalid(message: str) -> DomainError:
    return DomainError("invalid", message)


# --- views ----------------------------------------------------------------------------------

Answer = tuple[Any, int]


def _endpoint(
    root: str, methods: tuple[str, ...] = ("GET",)
) -> Callable[[Callable[..., Answer]], Callable[..., HttpResponse]]:
    """An endpoint in both formats (JSON without a suffix), its errors as the spec's list."""

    def decorate(view: Callable[..., Answer]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def run(request: HttpRequest, fmt: str = "json", **kwargs: str) -> HttpResponse:
            if request.method not in methods:
                response = _errors(fmt, 405, f"只支持 {'、'.join(methods)} 请求")
                response["Allow"] = ", ".join(methods)
                return response
            try:
                payload, status = view(request, **kwargs)
            except DomainError as exc:
                return _errors(fmt, exc.status, _describe(exc))
            return _render(fmt, root, payload, status)

        return run

    return decorate


@_endpoint("discovery")
def discovery(request: HttpRequest) -> Answer:
    base = request.build_absolute_uri(reverse("open311:discovery").removesuffix("discovery"))
    endpoint = {
        "specification": SPECIFICATION,
        "url": base,
        "changeset": CHANGESET,
        "type": "production",
        "formats": ["text/xml", "application/json"],
    }
    body = {
        "changeset": CHANGESET,
        "contact": CONTACT,
        "key_service": KEY_SERVICE,
        "endpoints": [endpoint],
    }
    return body, 200


@_endpoint("services")
def service_list(request: HttpRequest) -> Answer:
    return [_service(c) for c in _services()], 200


@_endpoint("service_definition")
def service_definition(request: HttpRequest, service_code: str) -> Answer:
    category = _services().prefetch_related("attributes").filter(code=service_code).first()
    if category is None:
        raise NotFoundError(f"没有编码为 {service_code} 的服务")
    return _definition(category), 200


@_endpoint("service_requests", methods=("GET", "POST"))
def service_requests(request: HttpRequest) -> Answer:
    if request.method == "POST":
        return _request_create(request)
    viewer = _viewer(request)
    return _rows(_request_list(request.GET, viewer), viewer), 200


@_endpoint("service_requests")
def service_request(request: HttpRequest, service_request_id: str) -> Answer:
    viewer = _viewer(request)
    return _rows([_case_by_number(service_request_id, viewer)], viewer), 200


@_endpoint("service_requests")
def token_lookup(request: HttpRequest, token: str) -> Answer:
    case = Case.objects.filter(idempotency_key=f"o311:{token}").only("created_at").first()
    if case is None:
        raise NotFoundError(f"没有令牌为 {token} 的服务请求")
    return [{"service_request_id": case.number, "token": token}], 200


@csrf_exempt
def unknown(request: HttpRequest, path: str) -> HttpResponse:
    return _errors("xml" if path.endswith(".xml") else "json", 404, "没有这个 Open311 接口")


def _request_create(request: HttpRequest) -> Answer:
    data = request.POST
    actor = api_token_authenticate(data.get("api_key", "").strip())
    if actor is None:
        raise PermissionDeniedError("api_key 缺失、无效、已过期或已撤销")
    code = data.get("service_code", "").strip()
    if not code:
        raise _invalid("请提供 service_code")
    category = _services().filter(code=code).first()
    if category is None:
        raise _invalid(f"没有编码为 {code} 的服务（service_code）")
    lon, lat = _point(data)
    address = (data.get("address_string") or data.get("address_id") or "").strip()
    if lat is None and not address:
        raise _invalid("请提供 lat 与 long，或 address_string、address_id")
    key = request.headers.get("Idempotency-Key", "").strip()
    token = str(uuid.uuid5(_TOKENS, f"{actor.pk}:{key}") if key else uuid.uuid4())
    report = services.Report(
        category=category,
        description=_description(data),
        source=CaseSource.OPEN311,
        lon=lon,
        lat=lat,
        address=address,
        reporter_name=_name(data)[:64],
        reporter_phone=data.get("phone", "").strip()[:20],
        idempotency_key=f"o311:{token}",
        attributes=_attributes(data),
    )
    case, created = services.report_once(actor=actor, report=report)
    answer = {
        "service_request_id": case.number,
        "token": token,
        "service_notice": _notice(case),
        "account_id": data.get("account_id") or None,
    }
    return [answer], 201 if created else 200


def _point(data: QueryDict) -> tuple[float | None, float | None]:
    raw_lat, raw_long = data.get("lat", "").strip(), data.get("long", "").strip()
    if not raw_lat and not raw_long:
        return None, None
    try:
        lat, lon = float(raw_lat), float(raw_long)
    except ValueError:
        lat = lon = float("nan")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise _invalid("lat 与 long 应为 WGS-84 经纬度（十进制度数）")
    return lon, lat


def _description(data: QueryDict) -> str:
    description, media_url = data.get("description", "").strip(), data.get("media_url", "").strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise _invalid("media_url 应为 http 或 https 链接") from None
    # A link alone describes nothing: without a description the service asks for one.
    return f"{description}\n\n图片链接：{media_url}" if description and media_url else description


def _name(data: QueryDict) -> str:
    first, last = data.get("first_name", "").strip(), data.get("last_name", "").strip()
    if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
        return f"{last}{first}"  # 张 + 三: family name first
    return f"{first} {last}".strip()


def _attributes(data: QueryDict) -> dict[str, Any]:
    """`attribute[code]=v`, and `attribute[code][]=v` once per value for a multivaluelist."""
    found: dict[str, Any] = {}
    for key in data:
        match = _ATTRIBUTE.fullmatch(key)
        if match:
            values = data.getlist(key)
            found[match[1]] = values if match[2] or len(values) > 1 else values[0]
    return found


app_name = "open311"


def _route(pattern: str, view: Callable[..., HttpResponse], name: str) -> Any:
    return re_path(rf"^{pattern}(?:\.(?P<fmt>json|xml))?$", view, name=name)


urlpatterns = [
    _route("discovery", discovery, "discovery"),
    _route("services", service_list, "services"),
    _route(r"services/(?P<service_code>[-\w]+)", service_definition, "service_definition"),
    _route("requests", service_requests, "service_requests"),
    _route(r"requests/(?P<service_request_id>[^/.]+)", service_request, "service_request"),
    _route(r"tokens/(?P<token>[^/.]+)", token_lookup, "token"),
    re_path(r"^(?P<path>.*)$", unknown),
]
