"""双报到 in the console: register units and 在职党员, give the year's feedback, export the year's
summary (.xlsx for the community, a PDF for one unit); and the party member's own 报到 on /m/."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from shequtong.core import vault
from shequtong.core.errors import DomainError
from shequtong.core.models import Area, community_path
from shequtong.core.scoping import allowed, require, scoped
from shequtong.core.services import export_record
from shequtong.registry.identity import parse_id_number
from shequtong.registry.models import Organization, Person
from shequtong.web.inputs import form_refused, whole_number
from shequtong.web.pages import Crumb, paginate, within_scope, xlsx_response, xlsx_workbook
from shequtong.web.scope import current_scope

from .. import services
from ..forms import DualReportForm, FeedbackForm
from ..models import DualReport
from ..services.certificates import hours_text
from ..services.dual import dual_summary
from .resident import resident_view


def person_by_id(request: HttpRequest, raw: str, action: str = "read") -> Person:
    """A registry person found by ID number through the blind index, within the user's scope."""
    try:
        identity = parse_id_number(raw or "")
    except Exception as exc:
        message = "；".join(getattr(exc, "messages", [str(exc)]))
        raise DomainError("invalid", message, {"id_number": [message]}) from exc
    found = scoped(Person.objects.all(), request.user, action).filter(
        id_hash=vault.blind_index("id_number", identity.id_number)
    )
    person = found.select_related("area", "household").first()
    if person is None:
        raise DomainError("invalid", "您管辖的居民档案中没有该身份证号", {"id_number": ["未找到"]})
    return person


def _community(request: HttpRequest) -> Area:
    area = current_scope(request)
    if area is None or area.level != "community":
        raise DomainError("invalid", "请先在页面顶部选择一个社区")
    return area


def dual_list(request: HttpRequest) -> HttpResponse:
    exporting = request.GET.get("export") == "xlsx"
    require(request.user, "export" if exporting else "read", DualReport, "双报到")
    year = whole_number(request.GET, "year", "年度") or timezone.localdate().year
    rows = within_scope(
        request,
        scoped(
            DualReport.objects.select_related("organization", "person", "area"),
            request.user,
            "read",
        ),
        "area_path",
    )
    if exporting:
        return _export(request, list(rows[:10_000]), year)
    organizations = scoped(Organization.objects.all(), request.user, "read").order_by("name")
    form = DualReportForm(
        request.POST or None,
        organizations=organizations,
        initial={"reported_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = (
            person_by_id(request, data["id_number"]) if data["kind"] == "party_member" else None
        )
        services.dual_report(
            actor=request.user,
            community=_community(request),
            organization=data["organization"] if data["kind"] == "unit" else None,
            person=person,
            workplace=data["workplace"],
            commitment=data["commitment"],
            reported_on=data["reported_on"],
        )
        messages.success(request, "已登记报到")
        return redirect("volunteering:dual_list")
    page = paginate(request, rows)
    summaries = [(r, dual_summary(r, year)) for r in page.object_list]
    context = {
        "title": "双报到",
        "breadcrumbs": [Crumb("双报到")],
        "page": page,
        "summaries": summaries,
        "year": year,
        "form": form,
        "feedback_form": FeedbackForm(initial={"year": year}),
        "can_change": allowed(request.user, "change", DualReport),
        "can_export": allowed(request.user, "export", DualReport),
    }
    return render(request, "volunteering/dual_list.html", context)


@require_POST
def dual_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(scoped(DualReport.objects.all(), request.user, "change"), pk=pk)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        raise form_refused(form)
    services.dual_feedback(actor=request.user, report=report, **form.cleaned_data)
    messages.success(request, "已反馈")
    return redirect(f"{reverse('volunteering:dual_list')}?year={form.cleaned_data['year']}")


def _export(request: HttpRequest, reports: list[DualReport], year: int) -> HttpResponse:
    export_record(actor=request.user, model=DualReport, count=len(reports), filters={"year": year})
    book = xlsx_workbook(
        [
            "报到类别",
            "单位或党员",
            "工作单位",
            "社区",
            "报到日期",
            "状态",
            "组织活动",
            "服务次数",
            "服务时长（小时）",
            "参与人数",
            "年度评价",
            "反馈意见",
        ],
        (
            [
                r.get_kind_display(),
                r.reporter_name,
                r.workplace,
                r.area.name,
                r.reported_on,
                r.get_status_display(),
                s.activities,
                s.services,
                float(hours_text(s.minutes) or 0),
                s.people,
                s.feedback.get_grade_display() if s.feedback else "",
                s.feedback.text if s.feedback else "",
            ]
            for r in reports
            for s in [dual_summary(r, year)]
        ),
        f"{year}年双报到",
    )
    return xlsx_response(f"双报到{year}年度汇总.xlsx", book)


def dual_summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """考核激励: one reporter's year as a PDF, for the unit or the member."""
    report = get_object_or_404(
        scoped(
            DualReport.objects.select_related("organization", "person", "area"),
            request.user,
            "read",
        ),
        pk=pk,
    )
    year = whole_number(request.GET, "year", "年度") or timezone.localdate().year
    pdf = services.dual_summary_pdf(dual_summary(report, year))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="dual-{report.pk}-{year}.pdf"'
    return response


@resident_view
def m_dual(request: HttpRequest) -> HttpResponse:
    """在职党员 report to the community they live in, from their phone."""
    person = request.person  # type: ignore[attr-defined]
    if request.method == "POST":
        services.dual_report(
            actor=request.user,
            community=Area.objects.get(path=community_path(person.area_path)),
            person=person,
            workplace=request.POST.get("workplace", ""),
            commitment=request.POST.get("commitment", ""),
            self_report=True,
        )
        messages.success(request, "报到成功，请关注社区发布的志愿活动")
        return redirect("volunteering:m_dual")
    report = (
        DualReport.objects.filter(person=person, status="active").select_related("area").first()
    )
    year = timezone.localdate().year
    context = {
        "title": "在职党员报到",
        "report": report,
        "summary": dual_summary(report, year) if report else None,
        "person": person,
    }
    return render(request, "volunteering/m_dual.html", context)
