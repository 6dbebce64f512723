"""双报到: units and 在职党员 report to their home community (报到登记), serve there (服务记实:
their activities and hours, read from the service records), and are answered (沟通反馈); the
yearly summary (考核激励) is built from these."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from shequtong.core.models import GovernedModel, User

from ..choices import FeedbackGrade, ReporterKind, ReportStatus


class DualReport(GovernedModel):
    """报到登记: a unit (a registry organisation) or a party member (a registry person, who
    serves as a volunteer) reporting to the community of `area`."""

    kind = models.CharField("报到类别", max_length=16, choices=ReporterKind.choices)
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="报到单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dual_reports",
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name="报到党员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dual_reports",
    )
    workplace = models.CharField("工作单位", max_length=100, blank=True)
    commitment = models.CharField("服务承诺", max_length=300, blank=True)
    reported_on = models.DateField("报到日期")
    status = models.CharField(
        "状态", max_length=16, choices=ReportStatus.choices, default=ReportStatus.ACTIVE
    )
    registered_by = models.ForeignKey(
        User, verbose_name="登记人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_org_field = "organization"

    class Meta:
        verbose_name = "双报到"
        verbose_name_plural = verbose_name
        ordering = ["-reported_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="unit") & Q(organization__isnull=False) & Q(person__isnull=True))
                | (Q(kind="party_member") & Q(person__isnull=False) & Q(organization__isnull=True)),
                name="volunteering_dual_report_names_its_reporter",
            ),
            models.UniqueConstraint(
                fields=["area", "organization"],
                condition=Q(status="active", organization__isnull=False),
                name="volunteering_dual_report_unit_once",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="active", person__isnull=False),
                name="volunteering_dual_report_member_once",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organization or self.person)

    @property
    def reporter_name(self) -> str:
        return self.organization.name if self.organization_id else self.person.name


class DualFeedback(GovernedModel):
    """沟通反馈 and 考核: the community's word on a reporter's year, one per year."""

    report = models.ForeignKey(
        DualReport, verbose_name="报到", on_delete=models.CASCADE, related_name="feedback"
    )
    year = models.PositiveSmallIntegerField("年度")
    grade = models.CharField("评价", max_length=16, choices=FeedbackGrade.choices)
    text = models.CharField("反馈意见", max_length=500)
    given_by = models.ForeignKey(
        User, verbose_name="反馈人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_org_field = "report__organization"

    class Meta:
        verbose_name = "双报到反馈"
        verbose_name_plural = verbose_name
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["report", "year"], name="volunteering_feedback_once"),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="volunteering_feedback_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_grade_display()}"
