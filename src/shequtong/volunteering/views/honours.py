"""红黑榜 in the console (nominate, deliberate, publicise, answer objections, publish) and the
community's board on /m/, where a resident of that community may object during 公示."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from shequtong.core.errors import DomainError
from shequtong.core.models import community_path
from shequtong.core.public import public_name
from shequtong.core.scoping import allowed, require, scoped
from shequtong.web.inputs import form_refused, whole_number
from shequtong.web.pages import Crumb, paginate, within_scope

from .. import selectors, services
from ..choices import HonourKind, HonourStatus
from ..forms import DeliberationForm, NominationForm
from ..models import Honour, Objection
from .dual import _community, person_by_id
from .resident import resident_view


def honour_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "read", Honour, "红黑榜")
    rows = within_scope(
        request,
        scoped(
            Honour.objects.select_related("person", "household__head", "area"), request.user, "read"
        ),
        "area_path",
    )
    status = request.GET.get("status", "")
    if status:
        rows = rows.filter(status=status)
    form = NominationForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            raise form_refused(form)
        data = form.cleaned_data
        someone = person_by_id(request, data["id_number"])
        family = data["kind"] == HonourKind.FAMILY
        if family and someone.household is None:
            raise DomainError("invalid", "该居民在档案中没有所属的户", {"id_number": ["无户"]})
        honour = services.honour_nominate(
            actor=request.user,
            community=_community(request),
            kind=data["kind"],
            title=data["title"],
            reason=data["reason"],
            person=None if family else someone,
            household=someone.household if family else None,
        )
        return redirect("volunteering:honour_detail", pk=honour.pk)
    context = {
        "title": "红黑榜",
        "breadcrumbs": [Crumb("红黑榜")],
        "page": paginate(request, rows),
        "form": form,
        "status": status,
        "statuses": HonourStatus.choices,
        "can_change": allowed(request.user, "change", Honour),
    }
    return render(request, "volunteering/honour_list.html", context)


def honour_detail(request: HttpRequest, pk: int) -> HttpResponse:
    honour = get_object_or_404(
        scoped(
            Honour.objects.select_related("person", "household__head", "area"), request.user, "read"
        ),
        pk=pk,
    )
    context = {
        "title": str(honour),
        "honour": honour,
        "objections": honour.objections.select_related("raised_by"),
        "deliberation_form": DeliberationForm(initial={"held_on": timezone.localdate()}),
        "can_change": scoped(Honour.objects.filter(pk=pk), request.user, "change").exists(),
        "publishable": honour.status == HonourStatus.PUBLICISED
        and honour.notice_until
        and timezone.localdate() > honour.notice_until,
        "breadcrumbs": [Crumb("红黑榜", reverse("volunteering:honour_list")), Crumb(honour.title)],
    }
    return render(request, "volunteering/honour_detail.html", context)


@require_POST
def honour_action(request: HttpRequest, pk: int) -> HttpResponse:
    honour = get_object_or_404(scoped(Honour.objects.all(), request.user, "change"), pk=pk)
    action = request.POST.get("action")
    if action == "deliberate":
        form = DeliberationForm(request.POST)
        if not form.is_valid():
            raise form_refused(form)
        honour = services.honour_deliberate(actor=request.user, honour=honour, **form.cleaned_data)
        messages.success(
            request,
            "评议通过" if honour.status == HonourStatus.DELIBERATED else "评议未通过，已撤回",
        )
    elif action == "publicise":
        honour = services.honour_publicise(actor=request.user, honour=honour)
        messages.success(request, f"已公示至 {honour.notice_until:%Y-%m-%d}")
    elif action == "publish":
        honour = services.honour_publish(actor=request.user, honour=honour)
        messages.success(request, f"已发布，有效期至 {honour.expires_on:%Y-%m-%d}")
    elif action == "answer":
        objection = get_object_or_404(
            Objection, pk=whole_number(request.POST, "objection", "异议") or 0, honour=honour
        )
        services.objection_answer(
            actor=request.user,
            objection=objection,
            upheld=request.POST.get("upheld") == "yes",
            answer=request.POST.get("answer", ""),
        )
        messages.success(request, "异议已处理")
    return redirect("volunteering:honour_detail", pk=pk)


@resident_view
def m_board(request: HttpRequest) -> HttpResponse:
    """The community's board: the published lists, and what is in 公示 now. A black-list entry
    shows the name masked; nothing of it leaves the community's own residents."""
    person = request.person  # type: ignore[attr-defined]
    if request.method == "POST":
        honour = get_object_or_404(
            Honour,
            pk=whole_number(request.POST, "honour", "条目") or 0,
            area_path=community_path(person.area_path),
        )
        services.honour_object(actor=request.user, honour=honour, text=request.POST.get("text", ""))
        messages.success(request, "异议已提交，社区会在公示期内答复")
        return redirect("volunteering:m_board")
    entries = selectors.honour_board(community_path(person.area_path))
    shown = [
        (h, public_name(h.subject_name) if h.kind == HonourKind.BLACK else h.subject_name)
        for h in entries
    ]
    return render(request, "volunteering/m_board.html", {"title": "红黑榜", "entries": shown})
