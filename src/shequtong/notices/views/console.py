"""Notices and publicity in the console: post a notice, see who has read it and who has not
(the unread list, paginated and scoped), decide on organisations' posts; open a publicity,
read its comments and answer them."""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shequtong.core.choices import AreaLevel, Role
from shequtong.core.models import Area, User
from shequtong.core.scoping import allowed, can, organisations_of, require, roles_of, scope_paths
from shequtong.registry.models import Building, Estate, Organization
from shequtong.web.inputs import form_refused
from shequtong.web.pages import Crumb, paginate, within_scope

from .. import selectors, services
from ..choices import NoticeStatus
from ..forms import NoticeForm, PublicityForm, RejectForm
from ..models import Notice, Publicity, PublicityComment
from ..services.notices import may_moderate


def _under(paths: list[str], field: str) -> Q:
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths), Q(pk__in=[]))


def _places(
    user: User, model: type[Any]
) -> tuple[QuerySet[Area], QuerySet[Estate], QuerySet[Building]]:
    """Where the user may place a row of `model`: the areas, estates and buildings under the
    grants that may change it."""
    paths = ["/"] if user.is_superuser else scope_paths(user, model, "change")
    areas = Area.objects.filter(
        _under(paths, "path"), level__in=[AreaLevel.COMMUNITY, AreaLevel.GRID]
    ).order_by("path")
    estates = Estate.objects.filter(_under(paths, "area_path")).order_by("name")
    buildings = (
        Building.objects.filter(_under(paths, "area_path"))
        .select_related("estate")
        .order_by("estate__name", "number")
    )
    return areas, estates, buildings


def notice_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "read", Notice, "通知公告")
    status = request.GET.get("status", "")
    if status not in NoticeStatus.values:
        status = ""
    rows = within_scope(
        request, selectors.notice_list(user=request.user, status=status or None), "area_path"
    )
    context = {
        "title": "通知公告",
        "breadcrumbs": [Crumb("通知公告")],
        "page": paginate(request, rows),
        "status": status,
        "statuses": NoticeStatus.choices,
        "can_change": allowed(request.user, "change", Notice),
    }
    return render(request, "notices/notice_list.html", context)


def moderation_queue(request: HttpRequest) -> HttpResponse:
    """Organisations' posts waiting for the community (an organisation account sees its own)."""
    require(request.user, "change", Notice, "通知公告审核")
    rows = within_scope(
        request,
        selectors.notice_list(user=request.user, status=NoticeStatus.PENDING).filter(
            organization__isnull=False
        ),
        "area_path",
    )
    context = {
        "title": "公告审核",
        "breadcrumbs": [Crumb("通知公告", reverse("notices:notice_list")), Crumb("公告审核")],
        "page": paginate(request, rows),
        "queue": True,
    }
    return render(request, "notices/notice_list.html", context)


def notice_new(request: HttpRequest) -> HttpResponse:
    require(request.user, "change", Notice, "通知公告")
    areas, estates, buildings = _places(request.user, Notice)
    office = bool(roles_of(request.user) - {Role.ORG_STAFF}) or request.user.is_superuser
    organizations = (
        Organization.objects.none()
        if office
        else Organization.objects.filter(pk__in=organisations_of(request.user)).order_by("name")
    )
    form = NoticeForm(
        request.POST or None,
        areas=areas,
        estates=estates,
        buildings=buildings,
        organizations=organizations,
    )
    if request.method == "POST":
        if not form.is_valid():
            raise form_refused(form)
        data = dict(form.cleaned_data)
        notice = services.notice_post(actor=request.user, **data)
        if notice.status == NoticeStatus.PUBLISHED:
            messages.success(request, "通知已发布，已提醒有账号的居民")
        else:
            messages.success(request, "已提交，社区审核通过后发布")
        return redirect("notices:notice_detail", pk=notice.pk)
    context = {
        "title": "发布通知",
        "breadcrumbs": [Crumb("通知公告", reverse("notices:notice_list")), Crumb("发布通知")],
        "form": form,
    }
    return render(request, "notices/notice_new.html", context)


def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(selectors.notice_list(user=request.user), pk=pk)
    read, size = selectors.read_counts(notice)
    unread = paginate(request, selectors.unread_of(user=request.user, notice=notice))
    for person in unread.object_list:  # where to call: their door, or their household's
        person.home = person.dwelling or (person.household.dwelling if person.household else None)
    context = {
        "title": notice.title,
        "notice": notice,
        "read": read,
        "size": size,
        "unread": unread,
        "may_moderate": notice.status == NoticeStatus.PENDING
        and may_moderate(request.user, notice),
        "reject_form": RejectForm(),
        "breadcrumbs": [Crumb("通知公告", reverse("notices:notice_list")), Crumb(notice.title)],
    }
    return render(request, "notices/notice_detail.html", context)


@require_POST
def notice_moderate(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(selectors.notice_list(user=request.user), pk=pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        messages.error(request, "请选择通过或不通过")
        return redirect("notices:notice_detail", pk=pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        raise form_refused(form)
    notice = services.notice_moderate(
        actor=request.user,
        notice=notice,
        approve=decision == "approve",
        reason=form.cleaned_data["reason"],
    )
    messages.success(request, "已发布" if notice.status == NoticeStatus.PUBLISHED else "已退回")
    return redirect("notices:notice_detail", pk=pk)


# --- 公示 -----------------------------------------------------------------------------------


def publicity_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "read", Publicity, "公示")
    can_change = allowed(request.user, "change", Publicity)
    form = None
    if can_change:
        areas, _, _ = _places(request.user, Publicity)
        form = PublicityForm(request.POST or None, areas=areas)
    if request.method == "POST":
        if form is None:
            require(request.user, "change", Publicity, "公示")
        elif not form.is_valid():
            raise form_refused(form)
        else:
            publicity = services.publicity_open(actor=request.user, **form.cleaned_data)
            messages.success(request, "公示已发布")
            return redirect("notices:publicity_detail", pk=publicity.pk)
    rows = within_scope(request, selectors.publicity_list(user=request.user), "area_path")
    context = {
        "title": "公示",
        "breadcrumbs": [Crumb("公示")],
        "page": paginate(request, rows),
        "form": form,
    }
    return render(request, "notices/publicity_list.html", context)


def publicity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    publicity = get_object_or_404(selectors.publicity_list(user=request.user), pk=pk)
    context = {
        "title": publicity.title,
        "publicity": publicity,
        "comments": paginate(request, selectors.comments_of(publicity)),
        "can_answer": can(request.user, "change", publicity),
        "breadcrumbs": [Crumb("公示", reverse("notices:publicity_list")), Crumb(publicity.title)],
    }
    return render(request, "notices/publicity_detail.html", context)


@require_POST
def publicity_answer(request: HttpRequest, pk: int, comment: int) -> HttpResponse:
    publicity = get_object_or_404(selectors.publicity_list(user=request.user), pk=pk)
    found = get_object_or_404(
        PublicityComment.objects.scoped(request.user, "read"), pk=comment, publicity=publicity
    )
    services.publicity_answer(
        actor=request.user, comment=found, text=request.POST.get("answer", "")
    )
    messages.success(request, "已答复")
    return redirect(f"{reverse('notices:publicity_detail', args=[pk])}#comment-{comment}")
