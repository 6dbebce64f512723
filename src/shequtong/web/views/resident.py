"""The resident portal `/m/`: a mobile-first shell that works inside a WeChat web view."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shequtong.cases.selectors import resident_cases
from shequtong.core.selectors import notification_list


@dataclass(frozen=True)
class Tile:
    icon: str
    label: str
    soon: str
    url_name: str = ""  # empty until the module is built: the tile says "即将开通"


# What residents will find here; each tile says what it will do until its module is built.
TILES: tuple[Tile, ...] = (
    Tile("📷", "随手拍", "拍照上报身边问题", "cases:report"),
    Tile("📋", "办事指南", "事项办理与证明"),
    Tile("🙋", "志愿服务", "活动报名与时间银行"),
    Tile("🗳️", "议事协商", "居民议事与表决"),
    Tile("📢", "三务公开", "党务、居务、财务"),
    Tile("🏠", "场地预约", "共享空间预约"),
)


def resident_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    cases = resident_cases(user).select_related("category")[:5] if user.is_authenticated else None
    inbox = (
        notification_list(user=user).filter(read_at__isnull=True)[:5]
        if user.is_authenticated
        else None
    )
    context = {"title": "社区通", "tiles": TILES, "cases": cases, "inbox": inbox}
    return render(request, "web/resident/home.html", context)
