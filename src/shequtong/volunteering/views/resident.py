"""志愿服务 on /m/: apply, sign up, check in at the venue, see hours, coins and stars, spend
coins in the 爱心超市, download the certificate. Every page acts for the signed-in resident's
own registry record (accounts' 实名认证); without one it sends them to claim it first."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shequtong.accounts.decorators import resident_required
from shequtong.accounts.selectors import proxies_of
from shequtong.core.errors import DomainError
from shequtong.core.geo import parse_point
from shequtong.core.models import community_path
from shequtong.core.public import public_name
from shequtong.ledger.models import Unit
from shequtong.registry.models import Person
from shequtong.web.inputs import whole_number

from .. import selectors, services
from ..choices import ActivityStatus, CheckinMethod, VolunteerStatus
from ..forms import ApplyForm
from ..models import Activity, Certificate, Goods, Redemption, SignUp, Volunteer
from ..services import bank


def resident_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in and 实名: the view gets the person (and their volunteer row, if any)."""

    @resident_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        person = request.person  # type: ignore[attr-defined]
        request.volunteer = Volunteer.objects.filter(person=person).first()  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapped


def _active(request: HttpRequest) -> Volunteer:
    volunteer = request.volunteer  # type: ignore[attr-defined]
    if volunteer is None or volunteer.status != VolunteerStatus.ACTIVE:
        raise DomainError("invalid", "请先注册志愿者并等待社区审核通过")
    return volunteer


@resident_view
def m_home(request: HttpRequest) -> HttpResponse:
    person, volunteer = request.person, request.volunteer  # type: ignore[attr-defined]
    form = ApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.volunteer_apply(actor=request.user, person=person, **form.cleaned_data)
        messages.success(request, "已提交志愿者注册，社区审核后会通知您")
        return redirect("volunteering:m_home")
    served = bank.served_minutes(volunteer.pk) if volunteer else 0
    context = {
        "title": "志愿服务",
        "person": person,
        "volunteer": volunteer,
        "form": form,
        "minutes": bank.balance(person, Unit.MINUTES),
        "coins": bank.balance(person, Unit.COINS),
        "served_hours": services.certificates.hours_text(served),
        "stars": services.stars_for(served),
        "awards": volunteer.commendations.all()[:10] if volunteer else [],
        "signups": selectors.my_signups(volunteer)[:20] if volunteer else [],
        "activities": selectors.open_activities(person)[:30],
    }
    return render(request, "volunteering/m_home.html", context)


@resident_view
def m_activity(request: HttpRequest, pk: int) -> HttpResponse:
    person, volunteer = request.person, request.volunteer  # type: ignore[attr-defined]
    activity = get_object_or_404(
        Activity.objects.select_related("organization", "area").exclude(
            status=ActivityStatus.DRAFT
        ),
        pk=pk,
        area_path__startswith=community_path(person.area_path),
    )
    entry = (
        SignUp.objects.filter(activity=activity, volunteer=volunteer).first() if volunteer else None
    )
    context = {
        "title": activity.title,
        "activity": activity,
        "entry": entry,
        "accepted": activity.signups.filter(status="accepted").count(),
        "volunteer": volunteer,
    }
    return render(request, "volunteering/m_activity.html", context)


@require_POST
@resident_view
def m_signup(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = _active(request)
    activity = get_object_or_404(
        Activity, pk=pk, area_path__startswith=community_path(request.person.area_path)
    )  # type: ignore[attr-defined]
    entry = services.signup(actor=request.user, activity=activity, volunteer=volunteer)
    messages.success(
        request, "报名成功" if entry.status == "accepted" else "已报名，等待组织方选拔"
    )
    return redirect("volunteering:m_activity", pk=pk)


@require_POST
@resident_view
def m_signup_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(SignUp, activity_id=pk, volunteer=_active(request))
    services.signup_cancel(actor=request.user, entry=entry)
    messages.success(request, "已取消报名")
    return redirect("volunteering:m_activity", pk=pk)


@require_POST
@resident_view
def m_checkin_position(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = _active(request)
    activity = get_object_or_404(Activity, pk=pk)
    point = parse_point(request.POST.get("lon"), request.POST.get("lat"))  # finite, in range
    if point is None:
        raise DomainError("invalid", "未取得您的位置，请允许定位或扫描现场二维码")
    lon, lat = point
    services.check_in(
        actor=request.user,
        activity=activity,
        volunteer=volunteer,
        method=CheckinMethod.POSITION,
        lon=lon,
        lat=lat,
    )
    messages.success(request, "定位签到成功")
    return redirect("volunteering:m_activity", pk=pk)


@resident_view
def m_scan(request: HttpRequest) -> HttpResponse:
    """Where the venue's QR code leads: check in, or (once in) check out."""
    code = request.GET.get("c") or request.POST.get("c") or ""
    activity = services.activity_for_code(code)
    volunteer = _active(request)
    entry = SignUp.objects.filter(activity=activity, volunteer=volunteer).first()
    if request.method == "POST":
        if entry and entry.checked_in_at:
            services.check_out(actor=request.user, activity=activity, volunteer=volunteer)
            messages.success(request, "签退成功，感谢您的服务")
        else:
            services.check_in(
                actor=request.user, activity=activity, volunteer=volunteer, method=CheckinMethod.QR
            )
            messages.success(request, "签到成功")
        return redirect("volunteering:m_activity", pk=activity.pk)
    context = {"title": "现场签到", "activity": activity, "entry": entry, "code": code}
    return render(request, "volunteering/m_scan.html", context)


@require_POST
@resident_view
def m_rate(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(SignUp, activity_id=pk, volunteer=_active(request))
    rating = whole_number(request.POST, "rating", "评价")
    services.volunteer_rate(
        actor=request.user, entry=entry, rating=rating or 0, comment=request.POST.get("comment", "")
    )
    messages.success(request, "感谢您的评价")
    return redirect("volunteering:m_activity", pk=pk)


@resident_view
def m_shop(request: HttpRequest) -> HttpResponse:
    """Spend 爱心币 — one's own, or (代办) those of an elder one acts for."""
    me = request.person  # type: ignore[attr-defined]
    elders = {p.person_id: p.person for p in proxies_of(request.user)}
    chosen = whole_number(request.GET if request.method == "GET" else request.POST, "for", "代办")
    person = elders.get(chosen, me) if chosen else me
    if request.method == "POST":
        goods = get_object_or_404(Goods, pk=whole_number(request.POST, "goods", "物品") or 0)
        quantity = whole_number(request.POST, "quantity", "数量") or 1
        redemption = services.redeem(
            actor=request.user, person=person, goods=goods, quantity=quantity, by_proxy=person != me
        )
        messages.success(request, f"兑换成功，请凭兑换码 {redemption.code} 到{goods.shop.name}领取")
        suffix = f"?for={person.pk}" if person != me else ""
        return redirect(reverse("volunteering:m_shop") + suffix)
    recent = selectors.public_redemptions(community_path(me.area_path))[:20]
    context = {
        "title": "爱心超市",
        "for_person": person if person != me else None,
        "elders": list(elders.values()),
        "coins": bank.balance(person, Unit.COINS),
        "goods": selectors.shop_goods(person),
        "mine": selectors.my_redemptions(person)[:20],
        "board": [(r, public_name(r.person.name)) for r in recent],
    }
    return render(request, "volunteering/m_shop.html", context)


@require_POST
@resident_view
def m_redemption_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    mine = [request.person.pk, *(p.person_id for p in proxies_of(request.user))]  # type: ignore[attr-defined]
    redemption = get_object_or_404(Redemption, pk=pk, person_id__in=mine)
    services.redemption_cancel(actor=request.user, redemption=redemption)
    messages.success(request, "已取消兑换，爱心币已退回")
    return redirect("volunteering:m_shop")


@require_POST
@resident_view
def m_certificate(request: HttpRequest) -> HttpResponse:
    certificate = services.certificate_issue(actor=request.user, volunteer=_active(request))
    return redirect("volunteering:m_certificate_pdf", number=certificate.number)


@resident_view
def m_certificate_pdf(request: HttpRequest, number: str) -> HttpResponse:
    certificate = get_object_or_404(Certificate, number=number, volunteer=_active(request))
    url = request.build_absolute_uri(reverse("volunteering:verify", args=[certificate.number]))
    pdf = services.certificate_pdf(certificate, url)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.pdf"'
    return response


@resident_view
def m_timebank(request: HttpRequest) -> HttpResponse:
    """时间银行: the balance and its entries; give minutes to family, donate to the pool."""
    person = request.person  # type: ignore[attr-defined]
    family = (
        Person.objects.filter(household_id=person.household_id, status="active").exclude(
            pk=person.pk
        )
        if person.household_id
        else Person.objects.none()
    )
    if request.method == "POST":
        minutes = whole_number(request.POST, "minutes", "时长") or 0
        if request.POST.get("action") == "donate":
            services.minutes_donate(actor=request.user, giver=person, minutes=minutes)
            messages.success(request, f"已向社区时间公益池捐赠 {minutes} 分钟")
        else:
            receiver = get_object_or_404(
                family, pk=whole_number(request.POST, "receiver", "家人") or 0
            )
            services.minutes_give(
                actor=request.user, giver=person, receiver=receiver, minutes=minutes
            )
            messages.success(request, f"已赠予{receiver.name} {minutes} 分钟")
        return redirect("volunteering:m_timebank")
    account = bank.person_account(person, Unit.MINUTES)
    context = {
        "title": "时间银行",
        "balance": account.balance,
        "family": family,
        "entries": account.postings.select_related("transaction").order_by("-pk")[:30],
    }
    return render(request, "volunteering/m_timebank.html", context)
