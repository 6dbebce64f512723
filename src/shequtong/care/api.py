"""/api/v1/care/…: device data in over HTTP.

A device authenticates with its own token (`X-Device-Token`), never a person's: the token can
only post readings for the device it was issued to. No `from __future__ import annotations`:
django-ninja reads the annotations at import.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Body, Router, Schema

from shequtong.core.errors import DomainError, UnavailableError
from shequtong.core.schemas import ErrorOut

from .ingest import OURS, ingest_safely, rejected_letter
from .services import device_for_token

router = Router(tags=["智慧养老"])


class RejectedOut(Schema):
    index: int
    reason: str


class IngestOut(Schema):
    accepted: int
    duplicates: int
    rejected: list[RejectedOut]
    alarms: list[int]


class DeviceTokenError(DomainError):
    status = 401

    def __init__(self) -> None:
        super().__init__("unauthorized", "设备令牌无效或缺失（X-Device-Token）")


@router.post(
    "/ingest",
    auth=None,
    response={
        200: IngestOut,
        400: ErrorOut,
        401: ErrorOut,
        413: ErrorOut,
        422: ErrorOut,
        503: ErrorOut,
    },
    summary="设备上报读数（批量）",
    description="请求体为读数数组：[{at: ISO 8601 带时区, metric, value}]；"
    "metric 取 heart_rate、spo2、steps（累计步数）、battery、sos、fall、smoke、gas、"
    "door（1 为开门）、water（用水量）、lon 和 lat（WGS-84，同一 at 成对上报）。"
    "逐条校验，被拒绝的读数附原因；同一设备同一时间同一指标只记一次。"
    "可选请求头 X-Device-Firmware 上报固件版本。",
)
def ingest_readings(request: HttpRequest, items: list[Any] = Body(...)) -> Any:  # noqa: B008
    device = device_for_token(request.headers.get("X-Device-Token", ""))
    if device is None:
        raise DeviceTokenError()
    try:
        result = ingest_safely(device, items, request.headers.get("X-Device-Firmware", ""))
        rejected_letter(channel="http", device=device, items=items, result=result)
    except OURS as exc:
        # Ours, not the device's: it keeps the batch and sends it again.
        raise UnavailableError("数据暂时无法保存，请稍后重发本批读数") from exc
    return {
        "accepted": result.accepted,
        "duplicates": result.duplicates,
        "rejected": [{"index": i, "reason": r} for i, r in result.rejected],
        "alarms": [a.pk for a in result.alarms],
    }
