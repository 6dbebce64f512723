"""Case test data: real JPEG photos, points inside the fixture grids, ready-made reports."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shequtong.cases.models import Category
from shequtong.cases.services import Report

# Inside grid A1a (its square runs 101.70–101.71 E, 26.50–26.51 N) and grid B1a.
IN_A1A = (101.705, 26.505)
IN_B1A = (101.805, 26.505)


def jpeg(name: str = "photo.jpg", colour: tuple[int, int, int] = (200, 60, 60)) -> Any:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def report(
    code: str = "hazard-fire-escape", point: tuple[float, float] = IN_A1A, **kw: Any
) -> Report:
    lon, lat = point
    fields: dict[str, Any] = {
        "category": Category.objects.get(code=code),
        "description": "三单元楼道堆满纸箱，消防通道被堵",
        "lon": lon,
        "lat": lat,
    } | kw
    return Report(**fields)
