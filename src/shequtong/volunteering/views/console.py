"""志愿服务 in the console: the community approves volunteers, publishes activities (or an
organisation account publishes its own), selects sign-ups, shows the venue's QR code, confirms
hours, keeps the 台账 and runs the 爱心超市 counter."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from shequtong.core import vault
from shequtong.core.errors import DomainError
from shequtong.core.scoping import allowed, organisations_of, require, scoped
from shequtong.core.services import export_record
from shequtong.registry.models import Organization
from shequtong.web.inputs import whole_number
from shequtong.web.pages import Crumb, paginate, within_scope, xlsx_response, xlsx_workbook
from shequtong.web.scope import current_scope
from shequtong.web.views.auth import qr_svg

from .. import selectors, services
from ..choices import SignUpStatus, VolunteerStatus
from ..forms import ActivityForm, GoodsForm, ShopForm
from ..models import Activity, RewardShop, ServiceRecord, SignUp, Volunteer
from ..services.certificates import hours_text
from ..services.shop import shop_account


def volunteer_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "read", Volunteer, "志愿者")
    status = request.GET.get("status", "")
    rows = within_scope(
        request, selectors.volunteer_list(user=request.user, status=status or None), "area_path"
    )
    page = paginate(request, rows)
    for volunteer in page.object_list:
        volunteer.stars = services.stars_for(volunteer.served or 0)  # type: ignore[attr-defined]
    context = {
        "title": "志愿者",
        "breadcrumbs": [Crumb("志愿者")],
        "page": page,
        "status": status,
        "statuses": VolunteerStatus.choices,
        "can_change": allowed(request.user, "change", Volunteer),
        "teams": list(selectors.teams(user=request.user)),
    }
    return render(request, "volunteering/volunteer_list.html", context)


@require_POST
def volunteer_commend(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = get_object_or_404(scoped(Volunteer.objects.all(), request.user, "change"), pk=pk)
    award = services.volunteer_commend(
        actor=request.user,
        volunteer=volunteer,
        title=request.POST.get("title", ""),
        reason=request.POST.get("reason", ""),
    )
    messages.success(request, f"已嘉许：{award.title}")
    return redirect(reverse("volunteering:volunteer_list") + "?status=active")


@require_POST
def volunteer_team(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a volunteer in one of the community's teams (志愿服务队、居民微组织…)."""
    volunteer = get_object_or_404(scoped(Volunteer.objects.all(), request.user, "change"), pk=pk)
    team = get_object_or_404(
        selectors.teams(user=request.user), pk=whole_number(request.POST, "team", "队伍") or 0
    )
    services.volunteer_join_team(actor=request.user, volunteer=volunteer, team=team)
    messages.success(request, f"{volunteer.person.name}已加入{team.name}")
    return redirect(reverse("volunteering:volunteer_list") + "?status=active")


@require_POST
def volunteer_decide(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = get_object_or_404(scoped(Volunteer.objects.all(), request.user, "change"), pk=pk)
    approve = request.POST.get("decision") != "reject"
    services.volunteer_decide(
        actor=request.user, volunteer=volunteer, approve=approve, note=request.POST.get("note", "")
    )
    messages.success(request, "已通过" if approve else "已驳回")
    return redirect(request.POST.get("next") or reverse("volunteering:volunteer_list"))


def activity_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "read", Activity, "志愿活动")
    rows = within_scope(request, selectors.activity_list(user=request.user), "area_path")
    context = {
        "title": "志愿活动",
        "breadcrumbs": [Crumb("志愿活动")],
        "page": paginate(request, rows),
        "can_change": allowed(request.user, "change", Activity),
    }
    return render(request, "volunteering/activity_list.html", context)


def _publishers(request: HttpRequest) -> object:
    """Organisations the user may publish for: an organisation account its own, staff any in
    their areas."""
    mine = organisations_of(request.user)
    rows = scoped(Organization.objects.all(), request.user, "read")
    return (rows | Organization.objects.filter(pk__in=mine)).distinct().order_by("name")


def activity_new(request: HttpRequest) -> HttpResponse:
    require(request.user, "change", Activity, "志愿活动")
    form = ActivityForm(request.POST or None, organizations=_publishers(request))
    area = current_scope(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organization = data.pop("organization")
        area = organization.area if organization else area
        if area is None:
            form.add_error(None, "请先在页面顶部选择社区，或选择发布组织")
        else:
            try:
                activity = services.activity_create(
                    actor=request.user,
                    area=area,
                    organization=organization,
                    data=services.ActivityData(**data),
                )
            except DomainError as exc:
                for field, errors in exc.fields.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, "已保存为草稿，核对后发布")
                return redirect("volunteering:activity_detail", pk=activity.pk)
    context = {
        "title": "发布活动",
        "form": form,
        "area": area,
        "breadcrumbs": [
            Crumb("志愿活动", reverse("volunteering:activity_list")),
            Crumb("发布活动"),
        ],
    }
    return render(request, "volunteering/activity_new.html", context)


def _activity(request: HttpRequest, pk: int, action: str = "read") -> Activity:
    rows = scoped(Activity.objects.select_related("area", "organization"), request.user, action)
    return get_object_or_404(rows, pk=pk)


def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    signups = list(selectors.activity_signups(activity))
    for entry in signups:
        entry.suggested = services.suggested_minutes(entry)  # type: ignore[attr-defined]
    context = {
        "title": activity.title,
        "activity": activity,
        "signups": signups,
        "accepted": sum(1 for s in signups if s.status == SignUpStatus.ACCEPTED),
        "can_change": allowed(request.user, "change", Activity)
        and scoped(Activity.objects.filter(pk=pk), request.user, "change").exists(),
        "breadcrumbs": [
            Crumb("志愿活动", reverse("volunteering:activity_list")),
            Crumb(activity.title),
        ],
    }
    return render(request, "volunteering/activity_detail.html", context)


@require_POST
def activity_action(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk, "change")
    action = request.POST.get("action")
    if action == "publish":
        services.activity_publish(actor=request.user, activity=activity)
        messages.success(request, "已发布，居民可在“志愿服务”中报名")
    elif action in ("close", "cancel"):
        services.activity_close(actor=request.user, activity=activity, cancel=action == "cancel")
        messages.success(request, "活动已取消" if action == "cancel" else "活动已结束")
    return redirect("volunteering:activity_detail", pk=pk)


@require_POST
def signup_action(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    activity = _activity(request, pk, "change")
    entry = get_object_or_404(
        SignUp.objects.select_related("activity"), pk=entry_pk, activity=activity
    )
    action = request.POST.get("action")
    if action in ("accept", "reject"):
        services.signup_select(actor=request.user, entry=entry, accept=action == "accept")
        messages.success(request, "已录用" if action == "accept" else "已标记未录用")
    elif action == "confirm":
        minutes = whole_number(request.POST, "minutes", "服务时长")
        rating = whole_number(request.POST, "rating", "评价")
        services.hours_confirm(actor=request.user, entry=entry, minutes=minutes or 0, rating=rating)
        messages.success(request, "时长已确认，已存入时间银行")
    return redirect("volunteering:activity_detail", pk=pk)


def activity_venue(request: HttpRequest, pk: int) -> HttpResponse:
    """The screen at the venue: this minute's QR code, redrawn every 20 seconds."""
    activity = _activity(request, pk, "change")
    code = services.venue_code(activity)
    url = request.build_absolute_uri(reverse("volunteering:m_scan") + f"?c={code}")
    context = {
        "title": f"签到：{activity.title}",
        "activity": activity,
        "qr": qr_svg(url),
        "url": url,
    }
    template = "volunteering/venue.html#code" if request.htmx else "volunteering/venue.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def record_list(request: HttpRequest) -> HttpResponse:
    """志愿服务台账: every confirmed record; .xlsx with ID numbers masked."""
    exporting = request.GET.get("export") == "xlsx"
    require(request.user, "export" if exporting else "read", ServiceRecord, "志愿服务台账")
    rows = within_scope(
        request,
        selectors.record_list(user=request.user, action="export" if exporting else "read"),
        "area_path",
    )
    if exporting:
        records = list(rows[:200_000])
        export_record(
            actor=request.user,
            model=ServiceRecord,
            count=len(records),
            filters={"scope": str(current_scope(request) or "")},
        )
        book = xlsx_workbook(
            [
                "志愿者",
                "身份证号",
                "服务内容",
                "服务日期",
                "服务地点",
                "服务时长（小时）",
                "组织方",
                "记录时间",
            ],
            (
                [
                    r.volunteer.person.name,
                    vault.mask_id_number(r.volunteer.person.id_number),
                    r.content,
                    r.served_on,
                    r.place,
                    float(hours_text(r.minutes)),
                    r.organiser_name,
                    timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
                ]
                for r in records
            ),
            "志愿服务台账",
        )
        return xlsx_response("志愿服务台账.xlsx", book)
    context = {
        "title": "志愿服务台账",
        "breadcrumbs": [Crumb("志愿服务台账")],
        "page": paginate(request, rows),
        "can_export": allowed(request.user, "export", ServiceRecord),
    }
    return render(request, "volunteering/record_list.html", context)


def shop_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "read", RewardShop, "爱心超市")
    form = ShopForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        area = current_scope(request)
        if area is None:
            raise DomainError("invalid", "请先在页面顶部选择社区")
        shop = services.shop_create(actor=request.user, area=area, **form.cleaned_data)
        return redirect("volunteering:shop_detail", pk=shop.pk)
    rows = within_scope(request, selectors.shop_list(user=request.user), "area_path")
    context = {
        "title": "爱心超市",
        "breadcrumbs": [Crumb("爱心超市")],
        "shops": rows,
        "form": form,
        "can_change": allowed(request.user, "change", RewardShop),
    }
    return render(request, "volunteering/shop_list.html", context)


def shop_detail(request: HttpRequest, pk: int) -> HttpResponse:
    shop = get_object_or_404(selectors.shop_list(user=request.user), pk=pk)
    form = GoodsForm(request.POST or None) if request.POST.get("action") == "stock" else GoodsForm()
    if request.method == "POST":
        if request.POST.get("action") == "collect":
            redemption = services.redemption_collect(
                actor=request.user, shop=shop, code=request.POST.get("code", "")
            )
            messages.success(request, f"核销成功：{redemption.goods.name} × {redemption.quantity}")
            return redirect("volunteering:shop_detail", pk=pk)
        if form.is_valid():
            services.goods_stock(actor=request.user, shop=shop, **form.cleaned_data)
            messages.success(request, "已入库")
            return redirect("volunteering:shop_detail", pk=pk)
    context = {
        "title": shop.name,
        "shop": shop,
        "goods": shop.goods.all(),
        "redemptions": selectors.shop_redemptions(shop)[:50],
        "received": shop_account(shop).balance,
        "form": form,
        "can_change": scoped(RewardShop.objects.filter(pk=pk), request.user, "change").exists(),
        "breadcrumbs": [Crumb("爱心超市", reverse("volunteering:shop_list")), Crumb(shop.name)],
    }
    return render(request, "volunteering/shop_detail.html", context)
