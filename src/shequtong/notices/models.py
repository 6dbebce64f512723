"""通知公告, 公示 and 三务公开: what the community tells its residents.

A `Notice` is addressed to the residents living in one place (a community, an estate, a
building, a grid) or to one tag group of a community; its audience is read from the registry
when asked, so a family moving in sees the notices still current. A resident opening it leaves
one `NoticeRead` (unique per notice and person). A `Publicity` is shown for a period and
collects residents' comments, each answered by staff. A `Disclosure` is one board (党务, 居务,
财务) of one period, signed off by a member of the community's 居务监督委员会 (`Supervisor`)
other than its author before it is published.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from shequtong.core.models import GovernedModel, User
from shequtong.core.storage import sealed_storage

from .choices import Audience, Board, DisclosureStatus, FlowDirection, NoticeStatus


class Notice(GovernedModel):
    """`area` is the narrowest area holding the audience: the community (community, estate, tag
    group), the grid, or the building's grid. Posts of an organisation account name their
    organisation and wait for the community's decision."""

    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文", max_length=10000)
    audience = models.CharField("通知对象", max_length=16, choices=Audience.choices)
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
    tag = models.ForeignKey(
        "registry.PersonTag",
        verbose_name="人群标签",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="发布组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        "状态", max_length=16, choices=NoticeStatus.choices, default=NoticeStatus.PENDING
    )
    reject_reason = models.CharField("未通过原因", max_length=200, blank=True)
    pinned = models.BooleanField("置顶", default=False)
    expires_at = models.DateTimeField("有效期至", null=True, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name="撰写人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        User,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_org_field = "organization"

    class Meta:
        verbose_name = "通知公告"
        verbose_name_plural = verbose_name
        ordering = ["-pinned", "-published_at", "-pk"]
        indexes = [models.Index(fields=["status", "area_path"], name="notices_notice_status")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(estate__isnull=False) | ~Q(audience=Audience.ESTATE))
                & (Q(building__isnull=False) | ~Q(audience=Audience.BUILDING))
                & (Q(tag__isnull=False) | ~Q(audience=Audience.TAG)),
                name="notices_notice_names_its_target",
            ),
            models.CheckConstraint(
                condition=~Q(status=NoticeStatus.REJECTED) | ~Q(reject_reason=""),
                name="notices_notice_rejected_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("notices:notice_detail", args=[self.pk])


class NoticeRead(GovernedModel):
    """A resident opened the notice (once: the unique constraint settles two taps at once).
    `area` is where the reader lives, so the staff of that place see who has read."""

    notice = models.ForeignKey(
        Notice, verbose_name="通知", on_delete=models.CASCADE, related_name="reads"
    )
    person = models.ForeignKey(
        "registry.Person", verbose_name="居民", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        User, verbose_name="账号", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    read_at = models.DateTimeField("阅读时间", auto_now_add=True)

    class Meta:
        verbose_name = "通知阅读记录"
        verbose_name_plural = verbose_name
        ordering = ["notice_id", "read_at"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "person"], name="notices_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.notice_id}·{self.person_id}"


class Publicity(GovernedModel):
    """公示: a document shown to the residents living under `area` from `starts_at` to
    `ends_at`, collecting their comments. Another app (deliberation) opens one for its
    decisions and names itself in `source_label` / `source_url`."""

    title = models.CharField("公示标题", max_length=200)
    body = models.TextField("公示内容", max_length=20000)
    starts_at = models.DateTimeField("公示开始")
    ends_at = models.DateTimeField("公示结束")
    source_label = models.CharField("来源", max_length=100, blank=True)
    source_url = models.CharField("来源链接", max_length=200, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name="发布人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "公示"
        verbose_name_plural = verbose_name
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="notices_publicity_window"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("notices:publicity_detail", args=[self.pk])


class PublicityComment(GovernedModel):
    """A resident's comment on a publicity and the staff's answer to it."""

    publicity = models.ForeignKey(
        Publicity, verbose_name="公示", on_delete=models.CASCADE, related_name="comments"
    )
    person = models.ForeignKey(
        "registry.Person", verbose_name="居民", on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        User, verbose_name="账号", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField("意见", max_length=1000)
    answer = models.TextField("答复", max_length=2000, blank=True)
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
        verbose_name = "公示意见"
        verbose_name_plural = verbose_name
        ordering = ["publicity_id", "created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:30]


class Supervisor(GovernedModel):
    """A member of the community's 居务监督委员会 (`area`), who signs off its 三务公开 boards.
    Named by the community's office; ending the term keeps the row (`ended_on`)."""

    user = models.ForeignKey(
        User, verbose_name="监委会成员账号", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("姓名", max_length=32)
    duty = models.CharField("职务", max_length=32, default="委员")
    ended_on = models.DateField("卸任日期", null=True, blank=True)
    named_by = models.ForeignKey(
        User, verbose_name="登记人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "居务监督委员会成员"
        verbose_name_plural = verbose_name
        ordering = ["area_path", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "user"],
                condition=Q(ended_on__isnull=True),
                name="notices_supervisor_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.duty}）"


class Disclosure(GovernedModel):
    """三务公开: one board of one community (`area`) for one period — a quarter (2026-Q4) or a
    month (2026-12). Draft → submitted → signed off by a 监委会 member other than the author
    → published."""

    board = models.CharField("公开类别", max_length=16, choices=Board.choices)
    period = models.CharField("公开期间", max_length=8)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("公开内容", max_length=20000, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=DisclosureStatus.choices, default=DisclosureStatus.DRAFT
    )
    created_by = models.ForeignKey(
        User, verbose_name="撰写人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    signed_by = models.ForeignKey(
        Supervisor,
        verbose_name="监委会签字",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField("签字时间", null=True, blank=True)
    sign_note = models.CharField("监委会意见", max_length=200, blank=True)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)

    class Meta:
        verbose_name = "三务公开"
        verbose_name_plural = verbose_name
        ordering = ["-period", "board", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "board", "period"], name="notices_disclosure_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted"]) | Q(signed_by__isnull=False),
                name="notices_disclosure_signed_before_publishing",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("notices:disclosure_detail", args=[self.pk])

    @property
    def period_label(self) -> str:
        from .periods import period_label

        return period_label(self.period)


class DisclosureAttachment(GovernedModel):
    """A scan or photo on a board (PDF, JPG or PNG, at most 10 MB), kept encrypted at rest and
    served only to those who may read the board."""

    disclosure = models.ForeignKey(
        Disclosure, verbose_name="公开事项", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("附件", upload_to="disclosures/%Y/%m/", storage=sealed_storage)
    name = models.CharField("文件名", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")

    class Meta:
        verbose_name = "公开附件"
        verbose_name_plural = verbose_name
        ordering = ["disclosure_id", "pk"]

    def __str__(self) -> str:
        return self.name


class FinanceItem(GovernedModel):
    """A line of a 财务 board: income or expense, in 分, optionally citing the ledger's
    transaction it was booked as."""

    disclosure = models.ForeignKey(
        Disclosure, verbose_name="公开事项", on_delete=models.CASCADE, related_name="items"
    )
    description = models.CharField("事项", max_length=200)
    direction = models.CharField("收支", max_length=8, choices=FlowDirection.choices)
    amount = models.BigIntegerField("金额（分）")
    transaction = models.ForeignKey(
        "ledger.Transaction",
        verbose_name="账本交易",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "财务公开明细"
        verbose_name_plural = verbose_name
        ordering = ["disclosure_id", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="notices_item_amount_positive")
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def yuan(self) -> str:
        from .money import yuan

        return yuan(self.amount)
