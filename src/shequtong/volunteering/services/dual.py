"""双报到: 报到登记 by the community (or a party member on /m/), 服务记实 read from the service
records, 沟通反馈 once a year, and the yearly summary (考核激励) for a unit or a member."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from shequtong.core.audit import audit_record
from shequtong.core.errors import DomainError
from shequtong.core.models import Area, User, community_path
from shequtong.core.scoping import can, can_in_area
from shequtong.registry.models import Organization, Person

from ..choices import FeedbackGrade, ReporterKind, ReportStatus
from ..models import Activity, DualFeedback, DualReport, ServiceRecord

PARTY_MEMBERS = ("01", "02")  # 中共党员、中共预备党员


@transaction.atomic
def dual_report(
    *,
    actor: User,
    community: Area,
    organization: Organization | None = None,
    person: Person | None = None,
    workplace: str = "",
    commitment: str = "",
    reported_on: date | None = None,
    self_report: bool = False,
) -> DualReport:
    """报到登记 of a unit or a party member. The community registers either; a party member
    may report themself (`self_report`) to the community they live in."""
    if (organization is None) == (person is None):
        raise DomainError.on("organization", "请选择报到单位或报到党员之一")
    if not self_report and not can_in_area(actor, "change", DualReport, community.path):
        raise DomainError.on("organization", "您无权为该社区登记报到", "forbidden")
    if person is not None:
        if person.political_status not in PARTY_MEMBERS:
            raise DomainError.on(
                "person", "档案中该居民的政治面貌不是中共党员（含预备党员），请先到社区更正档案"
            )
        if self_report and community_path(person.area_path) != community.path:
            raise DomainError.on("person", "在职党员向居住地社区报到")
    kind = ReporterKind.UNIT if organization else ReporterKind.PARTY_MEMBER
    try:
        with transaction.atomic():
            report = DualReport.objects.create(
                area=community,
                kind=kind,
                organization=organization,
                person=person,
                workplace=workplace.strip()[:100],
                commitment=commitment.strip()[:300],
                reported_on=reported_on or timezone.localdate(),
                registered_by=actor,
            )
    except IntegrityError as exc:
        raise DomainError.on("organization", "已报到，不必重复登记") from exc
    audit_record(actor=actor, action="dual.report", obj=report)
    return report


@transaction.atomic
def dual_feedback(
    *, actor: User, report: DualReport, year: int, grade: str, text: str
) -> DualFeedback:
    """沟通反馈: the community's word on the year, once per reporter and year."""
    if not can(actor, "change", report):
        raise DomainError.on("grade", "您无权反馈该报到", "forbidden")
    errors: dict[str, list[str]] = {}
    if grade not in FeedbackGrade.values:
        errors["grade"] = ["请选择评价"]
    if not 2000 <= year <= timezone.localdate().year:
        errors["year"] = ["年度不正确"]
    if not text.strip():
        errors["text"] = ["请填写反馈意见"]
    if errors:
        raise DomainError.from_fields(errors)
    try:
        with transaction.atomic():
            feedback = DualFeedback.objects.create(
                report=report,
                area=report.area,
                year=year,
                grade=grade,
                text=text.strip()[:500],
                given_by=actor,
            )
    except IntegrityError as exc:
        raise DomainError.on("year", f"{year} 年度已反馈") from exc
    audit_record(actor=actor, action="dual.feedback", obj=feedback)
    return feedback


@transaction.atomic
def dual_end(*, actor: User, report: DualReport) -> DualReport:
    if not can(actor, "change", report):
        raise DomainError.on("status", "您无权变更该报到", "forbidden")
    report.status = ReportStatus.ENDED
    report.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="dual.end", obj=report)
    return report


@dataclass(frozen=True)
class DualSummary:
    """考核激励: what a reporter did in a year in its community."""

    report: DualReport
    year: int
    activities: int  # published by the unit (a member: taken part in)
    services: int  # confirmed service records
    minutes: int
    people: int  # distinct volunteers who served
    feedback: DualFeedback | None


def dual_summary(report: DualReport, year: int) -> DualSummary:
    records = ServiceRecord.objects.filter(
        served_on__year=year, area_path__startswith=report.area_path
    )
    if report.organization_id:
        records = records.filter(organization=report.organization_id)
        activities = Activity.objects.filter(
            organization=report.organization_id, starts_at__year=year
        ).count()
    else:
        records = records.filter(volunteer__person=report.person_id)
        activities = records.values("signup__activity").distinct().count()
    totals = records.aggregate(n=Count("pk"), m=Sum("minutes"), p=Count("volunteer", distinct=True))
    return DualSummary(
        report=report,
        year=year,
        activities=activities,
        services=totals["n"],
        minutes=totals["m"] or 0,
        people=totals["p"],
        feedback=report.feedback.filter(year=year).first(),
    )


def dual_summary_pdf(summary: DualSummary) -> bytes:
    from pathlib import Path

    from shequtong.core.documents import typst_pdf

    report = summary.report
    data = {
        "year": summary.year,
        "kind": report.get_kind_display(),
        "name": report.reporter_name,
        "workplace": report.workplace,
        "community": report.area.name,
        "reported_on": report.reported_on.strftime("%Y年%m月%d日"),
        "commitment": report.commitment,
        "activities": summary.activities,
        "services": summary.services,
        "hours": f"{summary.minutes / 60:.1f}",
        "people": summary.people,
        "grade": summary.feedback.get_grade_display() if summary.feedback else "未评价",
        "feedback": summary.feedback.text if summary.feedback else "",
    }
    return typst_pdf(
        Path(__file__).parent.parent / "typst" / "dual_summary.typ", data, "双报到年度考核表"
    )
