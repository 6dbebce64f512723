"""Covenants in the console: the list (and a new covenant), a covenant with its version
history, a version's page with what its status allows (edit, consult, answer comments, submit,
adopt by a chosen meeting or vote, publish, file, withdraw), and the diff of two versions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shequtong.core.choices import AreaLevel
from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.core.models import Area
from shequtong.core.scoping import allowed, can, require, scope_paths
from shequtong.deliberation import selectors as deliberation
from shequtong.registry.models import Estate
from shequtong.web.inputs import form_refused, whole_number
from shequtong.web.pages import Crumb, paginate, within_scope

from .. import selectors, services
from ..choices import OPEN_STATUSES, CovenantKind, VersionStatus
from ..forms import AnswerForm, ConsultForm, CovenantForm, FileForm, VersionTextForm
from ..models import Covenant, CovenantComment, CovenantVersion

LIST = Crumb("居民公约", "/console/covenants/")


def _under(paths: list[str], rows: Any, field: str) -> Any:
    if not paths:
        return rows.none()
    keep = rows.none()
    for path in paths:
        keep = keep | rows.filter(**{f"{field}__startswith": path})
    return keep


def covenant_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "read", Covenant, "居民公约")
    form = None
    if allowed(request.user, "change", Covenant):
        paths = (
            ["/"] if request.user.is_superuser else scope_paths(request.user, Covenant, "change")
        )
        areas = _under(paths, Area.objects.filter(level=AreaLevel.COMMUNITY), "path")
        estates = _under(paths, Estate.objects.all(), "area_path").order_by("area_path", "name")
        form = CovenantForm(request.POST or None, areas=areas.order_by("path"), estates=estates)
    if request.method == "POST":
        if form is None:
            require(request.user, "change", Covenant, "居民公约")
        elif not form.is_valid():
            raise form_refused(form)
        else:
            covenant = services.covenant_create(actor=request.user, **form.cleaned_data)
            messages.success(request, "公约已创建，请起草第一版")
            return redirect("covenants:covenant_detail", pk=covenant.pk)
    page = paginate(
        request, within_scope(request, selectors.covenant_list(user=request.user), "area_path")
    )
    labels = dict(VersionStatus.choices)
    for row in page.object_list:
        row.working_label = labels.get(row.working_status, "")
    context = {
        "title": "居民公约",
        "breadcrumbs": [Crumb("居民公约")],
        "page": page,
        "form": form,
    }
    return render(request, "covenants/covenant_list.html", context)


def covenant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    covenant = get_object_or_404(selectors.covenant_list(user=request.user), pk=pk)
    history = list(selectors.history_of(covenant))
    context = {
        "title": covenant.title,
        "covenant": covenant,
        "history": history,
        "current": next((v for v in history if v.status == VersionStatus.ADOPTED), None),
        "working": next((v for v in history if v.status in OPEN_STATUSES), None),
        "can_change": can(request.user, "change", covenant),
        "breadcrumbs": [LIST, Crumb(covenant.title)],
    }
    return render(request, "covenants/covenant_detail.html", context)


@require_POST
def covenant_draft(request: HttpRequest, pk: int) -> HttpResponse:
    covenant = get_object_or_404(selectors.covenant_list(user=request.user), pk=pk)
    version = services.version_draft(
        actor=request.user, covenant=covenant, blank=request.POST.get("start") == "blank"
    )
    messages.success(request, f"已起草第{version.number}版")
    return redirect("covenants:version_edit", pk=version.pk)


def _version(request: HttpRequest, pk: int) -> CovenantVersion:
    return get_object_or_404(selectors.version_list(user=request.user), pk=pk)


def _crumbs(version: CovenantVersion, *more: Crumb) -> list[Crumb]:
    covenant = version.covenant
    return [LIST, Crumb(covenant.title, covenant.get_absolute_url()), *more]


def version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    can_change = can(request.user, "change", version)
    adopting = can_change and version.status == VersionStatus.ADOPTING
    residents = version.covenant.kind == CovenantKind.RESIDENTS
    context = {
        "title": str(version),
        "version": version,
        "covenant": version.covenant,
        "can_change": can_change,
        "comments": paginate(request, selectors.comments_of(version)),
        "answer_form": AnswerForm(),
        "consult_form": ConsultForm(),
        "file_form": FileForm(),
        "meetings": selectors.meetings_to_adopt(user=request.user, version=version)
        if adopting and residents
        else None,
        "votes": selectors.votes_to_adopt(user=request.user, version=version)
        if adopting and not residents
        else None,
        "breadcrumbs": _crumbs(version, Crumb(f"第{version.number}版")),
    }
    return render(request, "covenants/version_detail.html", context)


def version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    version = _version(request, pk)
    initial = {"text": version.text, "note": version.note}
    form = VersionTextForm(request.POST or None, initial=initial)
    if request.method == "POST":
        services.version_edit(actor=request.user, version=version, **_valid(form))
        messages.success(request, "草案已保存")
        return redirect("covenants:version_detail", pk=pk)
    if not can(request.user, "change", version):
        raise PermissionDeniedError("您无权修改该公约草案")
    if version.status != VersionStatus.DRAFTING:
        messages.error(request, f"第{version.number}版已不在起草中，不能修改")
        return redirect("covenants:version_detail", pk=pk)
    context = {
        "title": f"修改第{version.number}版",
        "version": version,
        "form": form,
        "breadcrumbs": _crumbs(
            version,
            Crumb(f"第{version.number}版", version.get_absolute_url()),
            Crumb("修改草案"),
        ),
    }
    return render(request, "covenants/version_edit.html", context)


def _acted(
    request: HttpRequest, pk: int, service: Callable[..., object], done: str, **data: Any
) -> HttpResponse:
    """One POST on a version: the service does it (or refuses in Chinese), the page says so."""
    service(actor=request.user, version=_version(request, pk), **data)
    messages.success(request, done)
    return redirect("covenants:version_detail", pk=pk)


def _valid(form: Any) -> dict[str, Any]:
    if not form.is_valid():
        raise form_refused(form)
    return form.cleaned_data


@require_POST
def version_consult(request: HttpRequest, pk: int) -> HttpResponse:
    data = _valid(ConsultForm(request.POST))
    return _acted(request, pk, services.version_consult, "已开始征求意见", **data)


@require_POST
def version_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _acted(
        request, pk, services.version_submit, "已提请表决，会议或业主表决通过后请登记通过"
    )


@require_POST
def version_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting or vote chosen is looked up in the user's scope; whether it may adopt the
    version is the service's to say, in words naming what is missing."""
    found: dict[str, Any] = {}
    for name, rows, word in (
        ("meeting", deliberation.meeting_list(user=request.user), "会议"),
        ("vote", deliberation.vote_list(user=request.user), "业主表决"),
    ):
        chosen = whole_number(request.POST, name, word)
        if chosen is not None:
            found[name] = rows.filter(pk=chosen).first()
            if found[name] is None:
                raise DomainError.on(name, f"所选{word}不存在或不在您的范围内")
    return _acted(request, pk, services.version_adopt, "已登记通过，现行版本已更新", **found)


@require_POST
def version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _acted(request, pk, services.version_publish, "已公布，居民可在手机上查看，并已发布通知")


@require_POST
def version_file(request: HttpRequest, pk: int) -> HttpResponse:
    data = _valid(FileForm(request.POST, request.FILES))
    return _acted(request, pk, services.version_file, "已登记备案", **data)


@require_POST
def version_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _acted(request, pk, services.version_withdraw, "已撤回，可以重新起草", reason=reason)


@require_POST
def comment_answer(request: HttpRequest, pk: int, comment: int) -> HttpResponse:
    version = _version(request, pk)
    found = get_object_or_404(
        CovenantComment.objects.scoped(request.user, "read"), pk=comment, version=version
    )
    data = _valid(AnswerForm(request.POST))
    services.comment_answer(actor=request.user, comment=found, **data)
    messages.success(request, "已答复")
    return redirect(f"{reverse('covenants:version_detail', args=[pk])}#comment-{comment}")


def version_diff(request: HttpRequest, pk: int) -> HttpResponse:
    """This version against `?against=` (a version of the same covenant), by default the one
    it was drafted from, else the one before it."""
    version = _version(request, pk)
    versions = selectors.version_list(user=request.user).filter(covenant=version.covenant)
    against_pk = whole_number(request.GET, "against", "比较版本")
    if against_pk is not None:
        other = get_object_or_404(versions, pk=against_pk)
    else:
        other = version.based_on or versions.filter(number__lt=version.number).first()
    context = {
        "title": f"第{version.number}版修改对照",
        "version": version,
        "other": other,
        "choices": versions.exclude(pk=version.pk).order_by("-number"),
        "rows": selectors.text_diff(other.text if other else "", version.text),
        "breadcrumbs": _crumbs(
            version, Crumb(f"第{version.number}版", version.get_absolute_url()), Crumb("修改对照")
        ),
    }
    return render(request, "covenants/version_diff.html", context)
