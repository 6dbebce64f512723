"""/api/v1/cases/…: cases over JSON, for apps, hotline bridges and the bench.

Thin handlers: reads go through the cases selectors under the caller's grants, writes through
the services and the state machine, so the API can do exactly what the console can. An
`Idempotency-Key` header on POST /cases makes a retried request return the case it made.

No `from __future__ import annotations` here: django-ninja reads the annotations at import.
"""

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from ninja.pagination import paginate

from shequtong.core import selectors as core_selectors
from shequtong.core import services as core_services
from shequtong.core.errors import DomainError
from shequtong.core.models import Department, User
from shequtong.core.pagination import Pages
from shequtong.core.schemas import READ, WRITE

from . import classify, selectors, services
from .choices import OPEN_STATUSES, CaseSource
from .models import Category
from .schemas import (
    ActionIn,
    AnswerIn,
    CaseCreatedOut,
    CaseDetailOut,
    CaseFilter,
    CaseIn,
    CaseOut,
    CategoryOut,
    MergeIn,
    RatingIn,
    ReviewIn,
)
from .tree import tree

router = Router(tags=["事件处置"])


def _invalid(field: str, message: str) -> DomainError:
    return DomainError("invalid", message, {field: [message]})


def _detail(request: HttpRequest, pk: int) -> Any:
    file = selectors.case_file(user=request.auth, pk=pk)
    case = file.case
    file.nearby = (  # type: ignore[attr-defined]
        selectors.duplicate_candidates(
            category=case.category, lon=case.lon, lat=case.lat, exclude=case.pk
        )
        if case.status in OPEN_STATUSES and not case.duplicate_of_id
        else []
    )
    case.file = file  # read by CaseDetailOut's resolvers
    return case


@router.get("/categories", response={200: list[CategoryOut], **READ}, summary="事件类别（小类）")
def category_list(request: HttpRequest) -> Any:
    leaves = selectors.categories().filter(parent__isnull=False)
    return leaves.exclude(children__isnull=False).prefetch_related("attributes")


@router.get(
    "",
    response={200: list[CaseOut], **READ},
    summary="事件列表（按授权范围；居民账号为本人上报的事件）",
)
@paginate(Pages, page_size=50)
def case_list(request: HttpRequest, filters: Query[CaseFilter]) -> Any:
    category = None
    if filters.category:
        category = Category.objects.filter(code=filters.category).first()
        if category is None:
            raise _invalid("category", f"没有编码为 {filters.category} 的类别")
    within = (
        core_selectors.area_get(user=request.auth, pk=filters.area_id) if filters.area_id else None
    )
    return selectors.case_list(
        user=request.auth,
        within=within,
        q=filters.q or "",
        status=filters.status or "",
        deadline=filters.deadline or "",
        source=filters.source or "",
        category=category,
        mine=filters.mine,
    ).order_by("-created_at", "-pk")


@router.post("", response={201: CaseCreatedOut, 200: CaseCreatedOut, **WRITE}, summary="上报事件")
def case_create(request: HttpRequest, payload: CaseIn) -> Any:
    if payload.category:
        category = tree().by_code.get(payload.category)
        if category is None:
            raise _invalid("category", f"没有编码为 {payload.category} 的类别")
    else:
        category = classify.auto_category(payload.description)
        if category is None:
            names = "、".join(s.name for s in classify.suggest(payload.description)) or "无"
            raise _invalid("category", f"无法自动确定类别，请指定（建议：{names}）")
    area = (
        core_selectors.area_get(user=request.auth, pk=payload.area_id) if payload.area_id else None
    )
    key = request.headers.get("Idempotency-Key", "")[:56]
    report = services.Report(
        category=category,
        description=payload.description,
        source=CaseSource(payload.source),
        lon=payload.lon,
        lat=payload.lat,
        coord_system=payload.coord_system,
        address=payload.address,
        area=area,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        idempotency_key=f"api:{request.auth.pk}:{key}" if key else "",
        external_id=payload.external_id,
        attributes=payload.attributes,
    )
    case, created = services.report_once(actor=request.auth, report=report)
    case.nearby = selectors.duplicate_candidates(
        category=case.category, lon=case.lon, lat=case.lat, exclude=case.pk
    )
    return Status(201 if created else 200, case)


@router.get("/{case_id}", response={200: CaseDetailOut, **READ}, summary="事件详情与可执行操作")
def case_detail(request: HttpRequest, case_id: int) -> Any:
    return _detail(request, case_id)


@router.post("/{case_id}/actions", response={200: CaseDetailOut, **WRITE}, summary="办理操作")
def case_action(request: HttpRequest, case_id: int, payload: ActionIn) -> Any:
    case = selectors.case_file(user=request.auth, pk=case_id).case
    assignee = None
    if payload.assignee_id is not None:
        assignee = User.objects.filter(pk=payload.assignee_id, is_active=True).first()
        if assignee is None:
            raise _invalid("assignee_id", "处置人不存在")
    departments = Department.objects.in_bulk(
        [d for d in [payload.lead_department_id, *payload.co_department_ids] if d]
    )
    missing = [d for d in payload.co_department_ids if d not in departments]
    if payload.lead_department_id and payload.lead_department_id not in departments:
        raise _invalid("lead_department_id", "部门不存在")
    if missing:
        raise _invalid("co_department_ids", f"部门不存在：{missing}")
    services.case_act(
        actor=request.auth,
        case=case,
        action=payload.action,
        note=payload.note,
        level=payload.level,
        assignee=assignee,
        lead=departments.get(payload.lead_department_id or 0),
        co=[departments[d] for d in payload.co_department_ids],
        resume_on=payload.resume_on,
    )
    return _detail(request, case_id)


@router.post("/{case_id}/merge", response={200: CaseDetailOut, **WRITE}, summary="合并重复事件")
def case_merge(request: HttpRequest, case_id: int, payload: MergeIn) -> Any:
    case = selectors.case_file(user=request.auth, pk=case_id).case
    into = selectors.case_file(user=request.auth, pk=payload.into_id).case
    services.case_merge(actor=request.auth, case=case, into=into)
    return _detail(request, case_id)


@router.post(
    "/summons/{summons_id}/answer",
    response={200: CaseDetailOut, **WRITE},
    summary="部门报到或提出异议",
)
def summons_answer(request: HttpRequest, summons_id: int, payload: AnswerIn) -> Any:
    summons = selectors.summons_get(user=request.auth, pk=summons_id)
    services.summons_respond(
        actor=request.auth, summons=summons, accept=payload.accept, reason=payload.reason
    )
    return _detail(request, summons.case_id)


@router.post(
    "/summons/{summons_id}/review", response={200: CaseDetailOut, **WRITE}, summary="审核部门异议"
)
def summons_review(request: HttpRequest, summons_id: int, payload: ReviewIn) -> Any:
    summons = selectors.summons_get(user=request.auth, pk=summons_id)
    services.summons_review(
        actor=request.auth, summons=summons, uphold=payload.uphold, note=payload.note
    )
    return _detail(request, summons.case_id)


@router.post("/{case_id}/rating", response={200: CaseOut, **WRITE}, summary="反映人评价")
def case_rating(request: HttpRequest, case_id: int, payload: RatingIn) -> Any:
    case = selectors.resident_case(request.auth, case_id)
    return services.case_rate(
        actor=request.auth, case=case, rating=payload.rating, comment=payload.comment
    )


@router.post(
    "/{case_id}/reveal/{field}",
    response={200: dict[str, str], **WRITE},
    summary="查看反映人完整电话（记入审计日志）",
)
def case_reveal(
    request: HttpRequest, response: HttpResponse, case_id: int, field: Literal["reporter_phone"]
) -> Any:
    case = selectors.case_file(user=request.auth, pk=case_id).case
    value = core_services.pii_reveal(actor=request.auth, obj=case, field=field)
    response["Cache-Control"] = "no-store"
    return {"field": field, "value": value}
