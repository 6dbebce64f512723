"""居民公约 and 小区公约 (管理规约): a covenant of a community or of an estate, its numbered
versions from draft through consultation to adoption and publication, and the residents'
comments on a version under consultation, each answered with what became of it.

One version at a time is being worked on, and one adopted version is in force: both are
partial unique constraints, so two staff at once cannot leave a covenant with two."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from shequtong.core.models import GovernedModel, User
from shequtong.core.storage import sealed_storage

from .choices import ADOPTED_STATUSES, OPEN_STATUSES, CovenantKind, Disposition, VersionStatus

MAX_TEXT = 20000
MAX_COMMENT = 1000
MAX_ANSWER = 2000


class Covenant(GovernedModel):
    """`area` is the community: the community's own for a 居民公约, the estate's for a 小区公约.
    A community has one 居民公约 and an estate one 小区公约; their texts change by versions."""

    kind = models.CharField("公约类型", max_length=16, choices=CovenantKind.choices)
    estate = models.ForeignKey(
        "registry.Estate",
        verbose_name="小区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField("公约名称", max_length=100)
    created_by = models.ForeignKey(
        User, verbose_name="创建人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "公约"
        verbose_name_plural = verbose_name
        ordering = ["area_path", "kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=CovenantKind.RESIDENTS, estate__isnull=True)
                | Q(kind=CovenantKind.ESTATE, estate__isnull=False),
                name="covenants_covenant_estate_for_estate_kind",
            ),
            models.UniqueConstraint(
                fields=["area"],
                condition=Q(kind=CovenantKind.RESIDENTS),
                name="covenants_one_residents_covenant",
            ),
            models.UniqueConstraint(
                fields=["estate"],
                condition=Q(kind=CovenantKind.ESTATE),
                name="covenants_one_estate_covenant",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("covenants:covenant_detail", args=[self.pk])

    @property
    def place(self) -> str:
        return self.estate.name if self.estate_id else self.area.name


class CovenantVersion(GovernedModel):
    """Version `number` of a covenant's text, `based_on` the one it was drafted from.
    Adopted by a passed 居民会议 / 居民代表会议 (`adopted_by_meeting`) or a passed owners' vote on
    管理规约 (`adopted_by_vote`); a newer adoption supersedes it. Residents read it once
    published; a 居民公约 records its filing (备案) with the government."""

    covenant = models.ForeignKey(
        Covenant, verbose_name="公约", on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号")
    text = models.TextField("公约正文", max_length=MAX_TEXT, blank=True)
    note = models.CharField("修订说明", max_length=500, blank=True)
    based_on = models.ForeignKey(
        "self",
        verbose_name="起草依据版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        "状态", max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFTING
    )
    consult_until = models.DateField("征求意见截止日期", null=True, blank=True)
    publicity = models.ForeignKey(
        "notices.Publicity",
        verbose_name="公示",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    adopted_on = models.DateField("通过日期", null=True, blank=True)
    adopted_by_meeting = models.ForeignKey(
        "deliberation.Meeting",
        verbose_name="通过会议",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    adopted_by_vote = models.ForeignKey(
        "deliberation.Vote",
        verbose_name="业主表决",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    notice = models.ForeignKey(
        "notices.Notice",
        verbose_name="公布通知",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_on = models.DateField("备案日期", null=True, blank=True)
    filed_with = models.CharField("备案机关", max_length=100, blank=True)
    filing_receipt = models.FileField(
        "备案回执", upload_to="covenants/%Y/%m/", blank=True, storage=sealed_storage
    )
    withdraw_reason = models.CharField("撤回原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name="起草人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "公约版本"
        verbose_name_plural = verbose_name
        ordering = ["covenant_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["covenant", "number"], name="covenants_version_number_once"
            ),
            models.UniqueConstraint(
                fields=["covenant"],
                condition=Q(status=VersionStatus.ADOPTED),
                name="covenants_one_current_version",
            ),
            models.UniqueConstraint(
                fields=["covenant"],
                condition=Q(status__in=OPEN_STATUSES),
                name="covenants_one_open_version",
            ),
            models.UniqueConstraint(
                fields=["adopted_by_meeting"],
                condition=Q(adopted_by_meeting__isnull=False),
                name="covenants_meeting_adopts_once",
            ),
            models.UniqueConstraint(
                fields=["adopted_by_vote"],
                condition=Q(adopted_by_vote__isnull=False),
                name="covenants_vote_adopts_once",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=ADOPTED_STATUSES)
                | (
                    Q(adopted_on__isnull=False)
                    & (
                        Q(adopted_by_meeting__isnull=False, adopted_by_vote__isnull=True)
                        | Q(adopted_by_meeting__isnull=True, adopted_by_vote__isnull=False)
                    )
                ),
                name="covenants_adopted_names_its_decision",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(status__in=ADOPTED_STATUSES),
                name="covenants_published_only_if_adopted",
            ),
            models.CheckConstraint(
                condition=Q(consult_until__isnull=False)
                | Q(status__in=[VersionStatus.DRAFTING, VersionStatus.WITHDRAWN]),
                name="covenants_consulted_before_adopting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.covenant.title}（第{self.number}版）"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("covenants:version_detail", args=[self.pk])


class CovenantComment(GovernedModel):
    """A resident's comment on a version under consultation, optionally on one clause (第 N 条),
    and the staff's answer: what became of it (采纳, 部分采纳, 不予采纳) and why."""

    version = models.ForeignKey(
        CovenantVersion, verbose_name="公约版本", on_delete=models.CASCADE, related_name="comments"
    )
    person = models.ForeignKey(
        "registry.Person", verbose_name="居民", on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        User, verbose_name="账号", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    clause = models.PositiveSmallIntegerField("条款", null=True, blank=True)
    text = models.TextField("意见", max_length=MAX_COMMENT)
    disposition = models.CharField(
        "采纳情况", max_length=16, choices=Disposition.choices, blank=True
    )
    answer = models.TextField("答复及理由", max_length=MAX_ANSWER, blank=True)
    answered_by = models.ForeignKey(
        User,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    class Meta:
        verbose_name = "公约意见"
        verbose_name_plural = verbose_name
        ordering = ["version_id", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | (~Q(disposition="") & ~Q(answer="")),
                name="covenants_answer_has_disposition",
            )
        ]

    def __str__(self) -> str:
        return self.text[:30]
