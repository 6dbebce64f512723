"""/api/v1/areas and /api/v1/me.

No `from __future__ import annotations` here: django-ninja reads the handlers' annotations at
import time, and as strings `Query[AreaFilter]` cannot be resolved (every request was a 500).
"""

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from . import selectors
from .choices import AreaLevel
from .pagination import Pages
from .schemas import READ, AreaDetailOut, AreaOut, ErrorOut, MeOut

router = Router(tags=["区划与用户"])


class AreaFilter(Schema):
    level: AreaLevel | None = None
    parent_id: int | None = None
    q: str | None = None


@router.get("/me", response={200: MeOut, 401: ErrorOut}, summary="当前用户及其授权")
def me(request: HttpRequest) -> object:
    return request.auth


@router.get("/areas", response={200: list[AreaOut], **READ}, summary="管辖范围内的区划与网格")
@paginate(Pages, page_size=100)
def area_list(request: HttpRequest, filters: Query[AreaFilter]) -> object:
    parent = (
        selectors.area_get(user=request.auth, pk=filters.parent_id)
        if filters.parent_id is not None
        else None
    )
    return selectors.area_list(
        user=request.auth, level=filters.level, parent=parent, q=filters.q
    ).order_by("path")


@router.get(
    "/areas/{area_id}",
    response={200: AreaDetailOut, **READ},
    summary="一个区划或网格（含边界）",
)
def area_detail(request: HttpRequest, area_id: int) -> object:
    return selectors.area_get(user=request.auth, pk=area_id)
