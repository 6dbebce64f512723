"""红黑榜 and 文明家庭 under the 居民公约: a nomination, its 道德评议 (the deliberation record a
black-list entry cannot go without), a 公示 period open to objections, then the published list,
which expires by rule. Shown only inside the community, never on a public surface."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from shequtong.core.models import GovernedModel, User

from ..choices import HonourKind, HonourStatus


class Honour(GovernedModel):
    kind = models.CharField("榜单", max_length=16, choices=HonourKind.choices)
    person = models.ForeignKey(
        "registry.Person",
        verbose_name="居民",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name="家庭",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField("事由", max_length=100, help_text="如：见义勇为、高空抛物")
    reason = models.TextField("事迹或情况", max_length=2000)
    status = models.CharField(
        "状态", max_length=16, choices=HonourStatus.choices, default=HonourStatus.NOMINATED
    )
    nominated_by = models.ForeignKey(
        User, verbose_name="提名人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # 道德评议: who met, when, what they concluded.
    deliberated_on = models.DateField("评议日期", null=True, blank=True)
    deliberation = models.TextField("评议记录", max_length=4000, blank=True)
    votes_for = models.PositiveSmallIntegerField("赞成票", null=True, blank=True)
    votes_total = models.PositiveSmallIntegerField("参会人数", null=True, blank=True)
    notice_from = models.DateField("公示开始", null=True, blank=True)
    notice_until = models.DateField("公示截止", null=True, blank=True)
    published_on = models.DateField("发布日期", null=True, blank=True)
    expires_on = models.DateField("有效期至", null=True, blank=True)

    class Meta:
        verbose_name = "红黑榜"
        verbose_name_plural = verbose_name
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(household__isnull=False),
                name="volunteering_honour_names_someone",
            ),
            models.CheckConstraint(
                condition=~Q(kind="black", status__in=["publicised", "published"])
                | ~Q(deliberation=""),
                name="volunteering_black_needs_deliberation",
            ),
            models.CheckConstraint(
                condition=Q(votes_for__isnull=True) | Q(votes_for__lte=models.F("votes_total")),
                name="volunteering_honour_votes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"

    @property
    def subject_name(self) -> str:
        if self.person_id:
            return self.person.name
        head = self.household.head
        return f"{head.name}家庭" if head else "家庭"


class Objection(GovernedModel):
    """An objection raised during 公示: answered before the entry is published."""

    honour = models.ForeignKey(
        Honour, verbose_name="榜单条目", on_delete=models.CASCADE, related_name="objections"
    )
    text = models.CharField("异议内容", max_length=500)
    raised_by = models.ForeignKey(
        User, verbose_name="提出人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer = models.CharField("处理意见", max_length=500, blank=True)
    upheld = models.BooleanField("异议成立", null=True)
    answered_by = models.ForeignKey(
        User,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = verbose_name
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:20]
