"""Case pages: the console's list, map and case file with its actions; the resident's 随手拍,
their reports and the rating. Thin: selectors read, services write, DomainError becomes a
message through the web middleware."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from natsort import natsorted

from shequtong.core import services as core_services
from shequtong.core import vault
from shequtong.core.calendar import provisional_years
from shequtong.core.errors import DomainError, PermissionDeniedError
from shequtong.core.geo import parse_point
from shequtong.core.scoping import allowed, require
from shequtong.core.selectors import area_roots
from shequtong.registry.selectors import person_get, person_search
from shequtong.web.forms import DateRangeForm
from shequtong.web.pages import Crumb, paginate, xlsx_response, xlsx_workbook
from shequtong.web.scope import current_scope

from . import classify, selectors, services, workflow
from .choices import OPEN_STATUSES, CaseSource
from .forms import (
    ActionForm,
    CaseFilterForm,
    ExtensionForm,
    HazardForm,
    MediationForm,
    ObjectionReviewForm,
    RateForm,
    ReportForm,
    StaffReportForm,
    SummonsAnswerForm,
)
from .hotline import import_hotline
from .models import Case, Category, Hazard
from .services import disputes


def _cases_crumb() -> Crumb:
    return Crumb("事件处置", reverse("cases:case_list"))


def _form_error(form: Any) -> str:
    return "；".join(
        f"{form.fields[name].label or name}：{m}" if name in form.fields else m
        for name, ms in form.errors.items()
        for m in ms
    )


# --- the console ----------------------------------------------------------------------------


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not allowed(user, "read", Case):
        raise PermissionDeniedError("您无权查看事件")
    form = CaseFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    cases = selectors.case_list(
        user=user,
        within=current_scope(request),
        q=filters.get("q") or "",
        status=filters.get("status") or "",
        deadline=filters.get("deadline") or "",
        source=filters.get("source") or "",
        category=filters.get("category"),
        mine=bool(filters.get("mine")),
    )
    page = paginate(request, cases)
    context = {
        "title": "事件处置",
        "form": form,
        "page": page,
        "map_data": _map_data(
            cases[:2000], areas=selectors.grids_in(request.user, current_scope(request))
        ),
        "overdue": selectors.overdue_now(user),
        "can_report": allowed(user, "change", Case),
        "saved_views": selectors.saved_views(user),
        "query": request.GET.urlencode(),
        "breadcrumbs": [Crumb("事件处置")],
    }
    if request.htmx:
        return render(request, "cases/case_list.html#results", context)
    return render(request, "cases/case_list.html", context)


def _map_data(cases: Any, areas: Any = ()) -> dict[str, Any]:
    """GeoJSON for the page's Leaflet map: the grid boundaries, then a point per located case
    (the page clusters and colours them by deadline)."""
    shapes = [
        {"type": "Feature", "geometry": a.boundary, "properties": {"name": a.name}}
        for a in areas
        if a.boundary
    ]
    features = shapes + [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
            "properties": {
                "name": f"{c.number} {c.category.name}",
                "url": c.get_absolute_url(),
                "state": c.deadline_state,
                "status": c.get_status_display(),
            },
        }
        for c in cases
        if c.lon is not None and c.lat is not None
    ]
    return {"type": "FeatureCollection", "features": features}


@require_POST
@login_required
def saved_view_save(request: HttpRequest) -> HttpResponse:
    view = services.saved_view_save(
        actor=request.user, name=request.POST.get("name", ""), query=request.POST.get("query", "")
    )
    messages.success(request, f"已保存视图“{view.name}”")
    return redirect(f"{reverse('cases:case_list')}?{view.query}")


@require_POST
@login_required
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    view = selectors.saved_views(request.user).filter(pk=pk).first()
    if view is not None:
        services.saved_view_delete(actor=request.user, view=view)
        messages.success(request, f"已删除视图“{view.name}”")
    return redirect("cases:case_list")


@login_required
def case_stats(request: HttpRequest) -> HttpResponse:
    """Per area: cases, open, overdue, finished and the share finished on time."""
    if not allowed(request.user, "count", Case):
        raise PermissionDeniedError("您无权查看事件统计")
    roots = area_roots(user=request.user)
    within = current_scope(request) or (roots[0] if len(roots) == 1 else None)
    areas = natsorted(within.children.all(), key=lambda a: a.name) if within is not None else roots
    form = DateRangeForm(request.GET or None)
    span = form.cleaned_data if form.is_valid() else {}
    since, until = span.get("since"), span.get("until")
    rows = selectors.area_counts(user=request.user, areas=areas, since=since, until=until)
    total = (
        selectors.area_counts(user=request.user, areas=[within], since=since, until=until)
        if within
        else []
    )
    context = {
        "title": "事件统计",
        "within": within,
        "form": form,
        "rows": rows,
        "total": total[0] if total else None,
        "breadcrumbs": [_cases_crumb(), Crumb("事件统计")],
    }
    return render(request, "cases/stats.html", context)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    file = selectors.case_file(user=request.user, pk=pk)
    case = file.case
    context = {
        "title": f"事件 {case.number}",
        "file": file,
        "case": case,
        "phone_masked": vault.mask_phone(case.reporter_phone) if case.reporter_phone else "",
        "provisional": provisional_years([case.due_at]),
        "assignees": {
            level: selectors.assignees_for(case, level) for level in ("grid", "community")
        },
        "departments": selectors.departments_for(case),
        "map_data": _map_data([case], areas=[case.area]),
        "nearby": selectors.duplicate_candidates(
            category=case.category, lon=case.lon, lat=case.lat, exclude=case.pk
        )
        if case.status in OPEN_STATUSES and not case.duplicate_of_id
        else [],
        "may_merge": workflow.may(request.user, workflow.OFFICE, case),
        "suggestions": classify.suggest(case.description)
        if case.status in OPEN_STATUSES and workflow.may(request.user, workflow.OFFICE, case)
        else [],
        "leaves": selectors.leaf_choices(),
        "hazard_form": HazardForm(instance=getattr(case, "hazard", None))
        if hasattr(case, "hazard")
        else None,
        "extensions": list(case.extensions.all()[:5]),
        "dispute": getattr(case, "dispute", None),
        "mediation_form": MediationForm(),
        "may_request_extension": case.status in OPEN_STATUSES
        and workflow.may(request.user, workflow.HOLDERS[case.handler_level], case),
        "may_decide_extension": workflow.may(
            request.user, services.APPROVERS[case.handler_level], case
        ),
        "breadcrumbs": [_cases_crumb(), Crumb(case.number)],
    }
    return render(request, "cases/case_detail.html", context)


@require_POST
@login_required
def case_act(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_file(user=request.user, pk=pk).case
    form = ActionForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _form_error(form))
        return redirect(case)
    data = form.cleaned_data
    services.case_act(
        actor=request.user,
        case=case,
        action=data["action"],
        note=data["note"],
        photos=data["photos"],
        level=data["level"],
        assignee=data["assignee"],
        lead=data["lead"],
        co=data["co"] or (),
        resume_on=data["resume_on"],
    )
    case.refresh_from_db()
    done = workflow.TRANSITIONS[data["action"]].label
    messages.success(request, f"{done}完成，事件现为“{case.get_status_display()}”")
    return redirect(case)


@require_POST
@login_required
def summons_answer(request: HttpRequest, pk: int) -> HttpResponse:
    summons = selectors.summons_get(user=request.user, pk=pk)
    form = SummonsAnswerForm(request.POST)
    if form.is_valid():
        services.summons_respond(
            actor=request.user,
            summons=summons,
            accept=form.cleaned_data["accept"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, "已报到" if form.cleaned_data["accept"] else "异议已提交街道审核")
    else:
        messages.error(request, _form_error(form))
    return redirect(summons.case)


@require_POST
@login_required
def objection_review(request: HttpRequest, pk: int) -> HttpResponse:
    summons = selectors.summons_get(user=request.user, pk=pk)
    form = ObjectionReviewForm(request.POST)
    if form.is_valid():
        services.summons_review(
            actor=request.user,
            summons=summons,
            uphold=form.cleaned_data["uphold"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, "异议审核完成")
    else:
        messages.error(request, _form_error(form))
    return redirect(summons.case)


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    """Staff entry: a patrol finding, a visit, a call taken at the office."""
    if not allowed(request.user, "change", Case):
        raise PermissionDeniedError("您无权登记事件")
    form = StaffReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        case = _report(request, form, source=form.cleaned_data["source"])
        if case is not None:
            messages.success(request, f"已登记事件 {case.number}")
            return redirect(case)
    context = {
        "title": "登记事件",
        "form": form,
        "breadcrumbs": [_cases_crumb(), Crumb("登记事件")],
    }
    return render(request, "cases/case_new.html", context)


def _report(request: HttpRequest, form: ReportForm, *, source: str) -> Case | None:
    """The form's report to the service; a DomainError is put back on the form, by field."""
    data = form.cleaned_data
    try:
        point = parse_point(data["lon"], data["lat"], data["coord_system"] or "wgs84")
        scope = current_scope(request)
        join = None
        if data.get("join") and point:
            nearby = selectors.duplicate_candidates(
                category=data["category"], lon=point[0], lat=point[1]
            )
            join = next((n.case for n in nearby if n.case.pk == data["join"]), None)
        report = services.Report(
            category=data["category"],
            description=data["description"],
            source=source,
            lon=point[0] if point else None,
            lat=point[1] if point else None,
            address=data["address"],
            area=scope if source != CaseSource.RESIDENT else None,
            reporter_name=data.get("reporter_name", ""),
            reporter_phone=data.get("reporter_phone", ""),
            # The form's key is the browser's: namespaced by who sent it, as the API and
            # Open311 namespace theirs, so one resident's key never answers for another's.
            idempotency_key=f"web:{request.user.pk}:{key}"
            if (key := data["idempotency_key"])
            else "",
            photos=data["photos"],
            join=join,
        )
        return services.case_report(actor=request.user, report=report)
    except DomainError as exc:
        if exc.status == 404:
            raise
        fields = exc.fields or {"__all__": [exc.message]}
        for name, errors in fields.items():
            target = name if name in form.fields else None
            for error in errors:
                form.add_error(target, error if target else exc.message)
        return None


@login_required
def photo(request: HttpRequest, pk: int, size: str) -> FileResponse:
    """Photos are served through the case's scope, never from a public media URL: they show
    people's homes and sometimes their faces."""
    item = selectors.photo_get(user=request.user, pk=pk)
    file = item.thumbnail if size == "thumb" else item.image
    response = FileResponse(file.open("rb"), content_type=_content_type(file.name))
    response["Cache-Control"] = "private, max-age=86400"
    return response


def _content_type(name: str) -> str:
    return {"png": "image/png", "webp": "image/webp"}.get(name.rsplit(".", 1)[-1], "image/jpeg")


@login_required
def nearby(request: HttpRequest) -> HttpResponse:
    """The open cases of the chosen category near the chosen point: the 随手拍 form offers to
    join one instead of reporting the same problem again."""
    category = Category.objects.filter(pk=request.GET.get("category") or 0).first()
    try:
        point = parse_point(request.GET.get("lon"), request.GET.get("lat"))
    except DomainError:
        point = None
    found = (
        selectors.duplicate_candidates(category=category, lon=point[0], lat=point[1])
        if category is not None and point is not None
        else []
    )
    return render(request, "cases/_nearby.html", {"nearby": found})


@login_required
def suggest(request: HttpRequest) -> HttpResponse:
    """Up to three categories for the description being typed (the model's, or the keywords')."""
    found = classify.suggest(request.GET.get("description", "")[:2000])
    return render(request, "cases/_suggest.html", {"suggestions": found})


@require_POST
@login_required
def case_reclassify(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_file(user=request.user, pk=pk).case
    category = Category.objects.filter(pk=request.POST.get("category") or 0).first()
    if category is None:
        raise DomainError("invalid", "请选择类别")
    services.case_reclassify(
        actor=request.user, case=case, category=category, note=request.POST.get("note", "")
    )
    messages.success(request, f"已改类为“{category.name}”")
    return redirect(case)


@require_POST
@login_required
def case_merge(request: HttpRequest, pk: int, into: int) -> HttpResponse:
    case = selectors.case_file(user=request.user, pk=pk).case
    target = selectors.case_file(user=request.user, pk=into).case
    services.case_merge(actor=request.user, case=case, into=target)
    messages.success(request, f"已合并至事件 {target.number}")
    return redirect(target)


@login_required
def hotline_import(request: HttpRequest) -> HttpResponse:
    """12345 work orders from the hotline platform's export; the result names every row not
    imported. Runs in the request: an export holds a day's or a week's orders."""
    if not allowed(request.user, "change", Case):
        raise PermissionDeniedError("您无权导入 12345 工单")
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, "请选择工单导出文件")
        else:
            suffix = Path(upload.name).suffix.lower()[:8]
            with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
                handle.flush()
                result = import_hotline(
                    actor=request.user,
                    path=Path(handle.name),
                    coord_system=request.POST.get("coords") or "gcj02",
                )
    context = {
        "title": "12345 工单导入",
        "result": result,
        "breadcrumbs": [_cases_crumb(), Crumb("12345 工单导入")],
    }
    return render(request, "cases/hotline.html", context)


@require_POST
@login_required
def extension_request(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_file(user=request.user, pk=pk).case
    form = ExtensionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error(form))
        return redirect(case)
    services.extension_request(actor=request.user, case=case, **form.cleaned_data)
    messages.success(request, "延期申请已提交上一级审批")
    return redirect(case)


@require_POST
@login_required
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    extension = selectors.extension_get(user=request.user, pk=pk)
    approve = request.POST.get("approve") == "1"
    services.extension_decide(
        actor=request.user, extension=extension, approve=approve, note=request.POST.get("note", "")
    )
    messages.success(request, "已批准延期" if approve else "已驳回延期申请")
    return redirect(extension.case)


@require_POST
@login_required
def hazard_update(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_file(user=request.user, pk=pk).case
    form = HazardForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error(form))
        return redirect(case)
    services.hazard_update(actor=request.user, case=case, **form.cleaned_data)
    messages.success(request, "隐患信息已登记")
    return redirect(case)


@require_POST
@login_required
def dispute_party(request: HttpRequest, pk: int) -> HttpResponse:
    """A party found in the registry by name, pinyin or the last four digits of the ID; when
    several match, the page lists them (masked) to pick one."""
    case = selectors.case_file(user=request.user, pk=pk).case
    if chosen := request.POST.get("person", "").strip():
        person = person_get(user=request.user, pk=int(chosen) if chosen.isdigit() else 0)
    else:
        q = request.POST.get("q", "").strip()
        found = list(person_search(user=request.user, q=q)[: PARTY_CHOICES + 1]) if q else []
        if not found:
            raise DomainError("invalid", "没有找到该居民", {"q": ["没有找到该居民"]})
        if len(found) > 1:
            context = {
                "title": "选择当事人",
                "case": case,
                "q": q,
                "people": found[:PARTY_CHOICES],
                "more": len(found) > PARTY_CHOICES,
                "breadcrumbs": [_cases_crumb(), Crumb(case.number, case.get_absolute_url())],
            }
            return render(request, "cases/party_choose.html", context)
        person = found[0]
    disputes.dispute_add_party(actor=request.user, case=case, person=person)
    messages.success(request, f"已登记当事人 {person.name}")
    return redirect(case)


PARTY_CHOICES = 10


@require_POST
@login_required
def mediation_record(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_file(user=request.user, pk=pk).case
    form = MediationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_error(form))
        return redirect(case)
    disputes.mediation_record(actor=request.user, case=case, **form.cleaned_data)
    messages.success(request, "调解记录已登记")
    return redirect(case)


@require_POST
@login_required
def dispute_conclude(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_file(user=request.user, pk=pk).case
    dispute = disputes.dispute_conclude(
        actor=request.user,
        case=case,
        outcome=request.POST.get("outcome", ""),
        terms=request.POST.get("terms", ""),
    )
    done = "，已生成调解协议书" if dispute.agreement else ""
    messages.success(request, f"调解结果：{dispute.get_outcome_display()}{done}")
    return redirect(case)


@login_required
def dispute_agreement(request: HttpRequest, pk: int) -> FileResponse:
    case = selectors.case_file(user=request.user, pk=pk).case
    dispute = getattr(case, "dispute", None)
    if dispute is None or not dispute.agreement:
        raise DomainError("not_found", "该纠纷没有调解协议书")
    return FileResponse(
        dispute.agreement.open("rb"),
        content_type="application/pdf",
        filename=f"{case.number}-调解协议书.pdf",
    )


REGISTER_HEADER = [
    "序号",
    "隐患编号",
    "排查时间",
    "所属社区/网格",
    "隐患地点",
    "隐患类别",
    "隐患描述",
    "隐患等级",
    "责任单位",
    "整改措施",
    "整改期限",
    "整改完成时间",
    "验收人",
    "验收时间",
    "状态",
]


@login_required
def hazard_register(request: HttpRequest) -> HttpResponse:
    """隐患排查治理登记表: the hazard cases in scope, as the register's columns; .xlsx export."""
    require(request.user, "read", Case, "隐患排查治理登记表")
    exporting = request.GET.get("export") == "xlsx"
    hazards = selectors.hazard_register(
        user=request.user,
        action="export" if exporting else "read",
        within=current_scope(request),
        grade=request.GET.get("grade", ""),
        open_only=request.GET.get("open") == "1",
    )
    if exporting:
        rows = list(hazards[:50_000])
        core_services.export_record(
            actor=request.user, model=Case, count=len(rows), filters={"register": "hazard"}
        )
        book = xlsx_workbook(
            REGISTER_HEADER,
            (_register_row(n, h) for n, h in enumerate(rows, 1)),
            "隐患排查治理登记表",
        )
        return xlsx_response("隐患排查治理登记表.xlsx", book)
    context = {
        "title": "隐患排查治理",
        "page": paginate(request, hazards),
        "can_export": allowed(request.user, "export", Case),
        "breadcrumbs": [_cases_crumb(), Crumb("隐患排查治理")],
    }
    return render(request, "cases/hazards.html", context)


def _register_row(n: int, hazard: Hazard) -> list[Any]:
    case = hazard.case
    return [
        n,
        case.number,
        timezone.localtime(case.created_at).strftime("%Y-%m-%d %H:%M"),
        case.area.name,
        case.address or case.area.name,
        case.category.name,
        case.description,
        hazard.get_grade_display(),
        hazard.responsible_unit,
        hazard.measures,
        hazard.rectify_by,
        timezone.localtime(case.resolved_at).strftime("%Y-%m-%d %H:%M") if case.resolved_at else "",
        hazard.accepted_by.display_name if hazard.accepted_by else "",
        timezone.localtime(hazard.accepted_at).strftime("%Y-%m-%d %H:%M")
        if hazard.accepted_at
        else "",
        "已销号" if hazard.accepted_at else case.get_status_display(),
    ]


# --- the resident portal --------------------------------------------------------------------


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """随手拍: photo, place, category, a few words; returns a tracking number."""
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        case = _report(request, form, source=CaseSource.RESIDENT)
        if case is not None:
            messages.success(request, f"已提交，受理编号 {case.number}")
            return redirect("cases:my_case", pk=case.pk)
    context = {
        "title": "随手拍",
        "form": form,
        "boundaries": selectors.home_boundaries(request.user),
    }
    return render(request, "cases/m_report.html", context)


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    cases = selectors.resident_cases(request.user).select_related("category")
    return render(request, "cases/m_list.html", {"title": "我的诉求", "cases": cases[:100]})


@login_required
def my_case(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.resident_case(request.user, pk)
    form = RateForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            services.case_rate(
                actor=request.user,
                case=case,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, "感谢您的评价")
            return redirect("cases:my_case", pk=pk)
        messages.error(request, _form_error(form))
    context = {
        "title": f"诉求 {case.number}",
        "case": case,
        # What a resident sees of the handling: the moves, without staff names or notes.
        "steps": case.steps.exclude(action__in=workflow.STAFF_ONLY_STEPS),
        "photos": case.photos.all(),
        "form": form,
        "may_rate": case.status == "resolved"
        and case.reporter_id == request.user.pk
        and (case.rated_at is None or case.rated_at < case.resolved_at),
    }
    return render(request, "cases/m_case.html", context)
