"""问卷与民意调查: a survey of the households of one place (a community, an estate, a building
or a grid), its questions, one counted answer per household and the grid workers' calls at
the doors that brought none.

A `Survey` is placed in the narrowest area holding its place: the community (community,
estate), the grid, or the building's grid; `estate` / `building` name the place when it is
narrower than an area. Its households are read from the registry when asked (those with a
member living there). A `Response` is one household's answer: any adult member may give it,
online or to a grid worker at the door; the latest counts (`current`, one per household by a
partial unique constraint), the earlier ones are kept. A `Visit` records a call without an
answer. `consent_question` / `consent_option` name the single-choice question and the option
that counts as agreeing for the 60 % rule of 集中民意 (`selectors.support_of`).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from shequtong.core.models import GovernedModel, User

from .choices import Channel, QuestionKind, SurveyStatus, VisitOutcome


class Survey(GovernedModel):
    title = models.CharField("问卷标题", max_length=200)
    intro = models.TextField("说明", max_length=5000, blank=True)
    estate = models.ForeignKey(
        "registry.Estate",
        verbose_name="小区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    building = models.ForeignKey(
        "registry.Building",
        verbose_name="楼栋",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opens_at = models.DateTimeField("开始时间")
    closes_at = models.DateTimeField("截止时间")
    status = models.CharField(
        "状态", max_length=16, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    consent_question = models.ForeignKey(
        "surveys.Question",
        verbose_name="同意率计算题",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    consent_option = models.CharField("计为同意的选项", max_length=100, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    # Fixed when the survey closes: the households of the place then, and those agreeing.
    closed_households = models.PositiveIntegerField("结束时住户数", null=True, editable=False)
    closed_agreeing = models.PositiveIntegerField("结束时同意户数", null=True, editable=False)
    created_by = models.ForeignKey(
        User, verbose_name="发起人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "问卷"
        verbose_name_plural = verbose_name
        ordering = ["-opens_at", "-pk"]
        indexes = [models.Index(fields=["status", "area_path"], name="surveys_survey_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="surveys_survey_window"
            ),
            models.CheckConstraint(
                condition=Q(estate__isnull=True) | Q(building__isnull=True),
                name="surveys_survey_one_place",
            ),
            models.CheckConstraint(
                condition=Q(consent_question__isnull=True, consent_option="")
                | (Q(consent_question__isnull=False) & ~Q(consent_option="")),
                name="surveys_survey_consent_names_option",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("surveys:survey_detail", args=[self.pk])

    @property
    def place(self) -> str:
        """Where the survey is asked, in words."""
        if self.building_id:
            return str(self.building)
        if self.estate_id:
            return str(self.estate)
        return self.area.name


class Question(GovernedModel):
    """One question, numbered from 1 (`order`) in its survey. `options` is a list of strings
    for single and multiple choice; `max_choices` caps a multiple choice."""

    survey = models.ForeignKey(
        Survey, verbose_name="问卷", on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveSmallIntegerField("题号")
    kind = models.CharField("题型", max_length=16, choices=QuestionKind.choices)
    text = models.CharField("题目", max_length=300)
    options = models.JSONField("选项", default=list, blank=True)
    required = models.BooleanField("必答", default=True)
    max_choices = models.PositiveSmallIntegerField("最多选几项", null=True, blank=True)

    class Meta:
        verbose_name = "问卷题目"
        verbose_name_plural = verbose_name
        ordering = ["survey_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "order"], name="surveys_question_order"),
            models.CheckConstraint(
                condition=Q(max_choices__isnull=True) | Q(kind=QuestionKind.MULTIPLE),
                name="surveys_question_max_for_multiple",
            ),
        ]

    def __str__(self) -> str:
        return f"第{self.order}题 {self.text}"


class Response(GovernedModel):
    """A household's answer as given. `area` is the household's, so the grid worker of its
    grid sees it. `answers` maps a question's id (as text) to the option chosen (single), the
    options chosen (multiple) or the text written."""

    survey = models.ForeignKey(
        Survey, verbose_name="问卷", on_delete=models.CASCADE, related_name="responses"
    )
    household = models.ForeignKey(
        "registry.Household", verbose_name="户", on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "registry.Person", verbose_name="作答人", on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField("方式", max_length=16, choices=Channel.choices)
    answers = models.JSONField("答案", default=dict)
    current = models.BooleanField("有效", default=True)
    receipt = models.CharField("回执码", max_length=16, unique=True)
    created_by = models.ForeignKey(
        User, verbose_name="作答或录入账号", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "问卷答卷"
        verbose_name_plural = verbose_name
        ordering = ["survey_id", "pk"]
        indexes = [models.Index(fields=["survey", "current"], name="surveys_response_current")]
        constraints = [
            # One counted answer per household, however many members answer at once.
            models.UniqueConstraint(
                fields=["survey", "household"],
                condition=Q(current=True),
                name="surveys_response_one_current",
            )
        ]

    def __str__(self) -> str:
        return self.receipt


class Visit(GovernedModel):
    """A grid worker's call at a household's door that brought no answer."""

    survey = models.ForeignKey(
        Survey, verbose_name="问卷", on_delete=models.CASCADE, related_name="visits"
    )
    household = models.ForeignKey(
        "registry.Household", verbose_name="户", on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField("走访结果", max_length=16, choices=VisitOutcome.choices)
    note = models.CharField("备注", max_length=200, blank=True)
    visited_by = models.ForeignKey(
        User, verbose_name="走访人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "问卷走访"
        verbose_name_plural = verbose_name
        ordering = ["survey_id", "pk"]
        indexes = [models.Index(fields=["survey", "household"], name="surveys_visit_household")]

    def __str__(self) -> str:
        return f"{self.household_id}·{self.get_outcome_display()}"
