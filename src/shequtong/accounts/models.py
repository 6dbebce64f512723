"""Resident accounts tied to the registry (实名), acting for an elder (代办), and organisation
accounts: the identity every participation module reads (ARCHITECTURE.md, "Parts the
participation modules share").

A resident signs in with a phone number and a one-time code; the account is tied to one
registry `Person` by a claim (name + ID number, matched through the blind index). A claim the
match settles is confirmed at once; one it cannot settle waits for the community.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from shequtong.core import vault
from shequtong.core.fields import EncryptedTextField
from shequtong.core.models import GovernedModel, User


class PhoneCode(models.Model):
    """A one-time sign-in code: only its hash is kept, for five minutes and five tries."""

    phone_hash = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = verbose_name
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"验证码 {self.created_at:%m-%d %H:%M}"


class ClaimStatus(models.TextChoices):
    PENDING = "pending", "待社区确认"
    CONFIRMED = "confirmed", "已认证"
    REJECTED = "rejected", "未通过"


class ClaimReason(models.TextChoices):
    """Why the match could not settle a claim: what the community checks."""

    MATCHED = "matched", "姓名与身份证号一致"
    NAME_DIFFERS = "name_differs", "身份证号已登记，姓名与档案不一致"
    NOT_FOUND = "not_found", "社区档案中没有该身份证号"
    TAKEN = "taken", "该档案已由其他账号认证"
    INACTIVE = "inactive", "档案状态非在册（迁出或死亡）"


class ResidentClaim(GovernedModel):
    """实名认证: an account's claim to be one registry person. Its area is the person's (or,
    when no record matched, the community the resident named), so the right community sees it."""

    user = models.OneToOneField(
        User, verbose_name="账号", on_delete=models.CASCADE, related_name="resident_claim"
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name="档案居民",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
    )
    claimed_name = models.CharField("申报姓名", max_length=32)
    claimed_id_number = EncryptedTextField("申报身份证号", mask="id_number")
    status = models.CharField(
        "状态", max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.PENDING
    )
    reason = models.CharField("匹配结果", max_length=16, choices=ClaimReason.choices)
    attempts = models.PositiveSmallIntegerField("申报次数", default=1)
    decided_by = models.ForeignKey(
        User,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    pii_fields = ("claimed_id_number",)

    class Meta:
        verbose_name = "实名认证"
        verbose_name_plural = verbose_name
        ordering = ["status", "-created_at"]
        constraints = [
            # One account per person.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="confirmed"),
                name="accounts_claim_one_account_per_person",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(person__isnull=False),
                name="accounts_claim_confirmed_has_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claimed_name}（{self.get_status_display()}）"

    @property
    def masked_id(self) -> str:
        return vault.mask_id_number(self.claimed_id_number)


class Proxy(GovernedModel):
    """代办: a household member acting for an elder. Every action taken this way names both."""

    user = models.ForeignKey(
        User, verbose_name="代办人账号", on_delete=models.CASCADE, related_name="proxies"
    )
    person = models.ForeignKey(
        "registry.Person", verbose_name="被代办人", on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "代办关系"
        verbose_name_plural = verbose_name
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "person"],
                condition=Q(revoked_at__isnull=True),
                name="accounts_proxy_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} 代办 {self.person}"


class OrgMembership(GovernedModel):
    """An organisation account: `user` acts for `organization` (a social organisation, a 驻区单位
    or a volunteer team) and, through the ORG_STAFF role, sees only its rows."""

    user = models.ForeignKey(
        User, verbose_name="账号", on_delete=models.CASCADE, related_name="org_memberships"
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="组织",
        on_delete=models.CASCADE,
        related_name="members",
    )
    added_by = models.ForeignKey(
        User,
        verbose_name="开通人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_org_field = "organization"

    class Meta:
        verbose_name = "组织账号"
        verbose_name_plural = verbose_name
        ordering = ["area_path", "organization_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="accounts_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization}"
