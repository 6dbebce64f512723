"""/api/v1/volunteering/…: what the resident portal does, for a WeChat mini-program or an app —
my standing (hours, coins, stars), open activities, sign-up — plus the organiser's records and
the public certificate check.

No `from __future__ import annotations` here: django-ninja reads the annotations at import.
"""

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Router, Schema, Status
from ninja.pagination import paginate

from shequtong.accounts.services import person_of
from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.core.models import community_path
from shequtong.core.pagination import Pages
from shequtong.core.schemas import WRITE, ErrorOut
from shequtong.core.scoping import require
from shequtong.ledger.models import Unit

from . import selectors, services
from .models import Activity, Certificate, ServiceRecord, Volunteer
from .services import bank
from .services.certificates import hours_text

router = Router(tags=["志愿服务"])


class StandingOut(Schema):
    volunteer_status: str | None
    served_minutes: int
    stars: int
    timebank_minutes: int
    coins: int


class ActivityOut(Schema):
    id: int
    title: str
    kind: str
    place: str
    starts_at: datetime
    ends_at: datetime
    places: int
    accepted: int
    organiser: str
    needs_selection: bool


class SignUpOut(Schema):
    id: int
    activity_id: int
    status: str


class RecordOut(Schema):
    id: int
    volunteer: str
    content: str
    served_on: date
    place: str
    minutes: int
    organiser: str


class CertificateOut(Schema):
    number: str
    name: str
    masked_id: str
    hours: str
    records: int
    first_on: date
    last_on: date
    contents: str
    issuer: str
    issued_on: date


def _person(request: HttpRequest) -> Any:
    person = person_of(request.auth)
    if person is None:
        raise PermissionDeniedError("请先完成实名认证")
    return person


@router.get("/me", response={200: StandingOut, **WRITE}, summary="我的时长、星级、时间银行与爱心币")
def my_standing(request: HttpRequest) -> Any:
    person = _person(request)
    volunteer = Volunteer.objects.filter(person=person).first()
    served = bank.served_minutes(volunteer.pk) if volunteer else 0
    return {
        "volunteer_status": volunteer.status if volunteer else None,
        "served_minutes": served,
        "stars": services.stars_for(served).level,
        "timebank_minutes": bank.balance(person, Unit.MINUTES),
        "coins": bank.balance(person, Unit.COINS),
    }


def _activity_out(a: Activity) -> dict[str, Any]:
    return {
        "id": a.pk,
        "title": a.title,
        "kind": a.kind,
        "place": a.place,
        "starts_at": a.starts_at,
        "ends_at": a.ends_at,
        "places": a.places,
        "accepted": a.accepted,
        "organiser": a.organiser_name,
        "needs_selection": a.needs_selection,
    }


@router.get("/activities", response={200: list[ActivityOut], **WRITE}, summary="本社区招募中的活动")
@paginate(Pages, page_size=50)
def activity_list(request: HttpRequest) -> Any:
    return [_activity_out(a) for a in selectors.open_activities(_person(request))]


@router.post(
    "/activities/{activity_id}/signup", response={201: SignUpOut, **WRITE}, summary="报名活动"
)
def activity_signup(request: HttpRequest, activity_id: int) -> Any:
    person = _person(request)
    activity = get_object_or_404(
        Activity, pk=activity_id, area_path__startswith=community_path(person.area_path)
    )
    volunteer = Volunteer.objects.filter(person=person).first()
    if volunteer is None:
        raise DomainError("invalid", "请先注册志愿者并等待社区审核通过")
    entry = services.signup(actor=request.auth, activity=activity, volunteer=volunteer)
    return Status(201, {"id": entry.pk, "activity_id": activity.pk, "status": entry.status})


@router.get(
    "/records", response={200: list[RecordOut], **WRITE}, summary="志愿服务记录（按授权范围）"
)
@paginate(Pages, page_size=100)
def record_list(request: HttpRequest) -> Any:
    require(request.auth, "read", ServiceRecord, "志愿服务记录")
    return [
        {
            "id": r.pk,
            "volunteer": r.volunteer.person.name,
            "content": r.content,
            "served_on": r.served_on,
            "place": r.place,
            "minutes": r.minutes,
            "organiser": r.organiser_name,
        }
        for r in selectors.record_list(user=request.auth).order_by("-served_on", "-pk")
    ]


@router.get(
    "/certificates/{number}",
    auth=None,
    response={200: CertificateOut, 404: ErrorOut, 422: ErrorOut},
    summary="查验志愿服务证明（无需登录，仅返回证明所载信息）",
)
def certificate_check(
    request: HttpRequest,
    number: str = Path(..., pattern=r"^[A-Za-z0-9-]{4,24}$", description="证明编号"),
) -> Any:
    c = get_object_or_404(Certificate, number=number.strip().upper())
    return {
        "number": c.number,
        "name": c.masked_name,
        "masked_id": c.masked_id,
        "hours": hours_text(c.minutes),
        "records": c.records,
        "first_on": c.first_on,
        "last_on": c.last_on,
        "contents": c.contents,
        "issuer": c.issuer,
        "issued_on": c.issued_on,
    }
