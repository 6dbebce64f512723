"""One ledger for everything counted (time-bank minutes, 爱心币, and later the community fund's
分): double entry, integer units, postings never changed.

A transaction is written open, its postings added, then sealed; the database itself (triggers
on SQLite and PostgreSQL alike, migration 0002) refuses to seal one whose postings do not sum
to zero, refuses postings to a sealed one, and refuses any update or delete of a posting or a
sealed transaction. A mistake is reversed by a new transaction. `Account.balance` is kept under
a row lock by the services and checked against the postings by `shequtong ledger verify`.
"""

from __future__ import annotations

from django.db import models

from shequtong.core.models import User


class Unit(models.TextChoices):
    MINUTES = "minutes", "分钟（时间银行）"
    COINS = "coins", "爱心币"
    FEN = "fen", "分（人民币）"


class Account(models.Model):
    """Whose units these are: a person's, a pool's (a community's donated hours), the issuer's
    (where 爱心币 come from), a shop's. `owner` names it for people; the rest by `code`."""

    code = models.CharField("账户编码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=100)
    unit = models.CharField("单位", max_length=8, choices=Unit.choices)
    allow_negative = models.BooleanField(
        "可为负", default=False, help_text="发行账户可为负：发出的币记在这里"
    )
    balance = models.BigIntegerField("余额", default=0)
    created_at = models.DateTimeField("开立时间", auto_now_add=True)

    class Meta:
        verbose_name = "账户"
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(
                condition=models.Q(allow_negative=True) | models.Q(balance__gte=0),
                name="ledger_account_not_negative",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Transaction(models.Model):
    kind = models.CharField("类型", max_length=32)
    memo = models.CharField("摘要", max_length=200)
    unit = models.CharField("单位", max_length=8, choices=Unit.choices)
    sealed = models.BooleanField("已记账", default=False)
    reverses = models.OneToOneField(
        "self",
        verbose_name="冲正的交易",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    created_by = models.ForeignKey(
        User, verbose_name="经办人", null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "交易"
        verbose_name_plural = verbose_name
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.memo}（{self.pk}）"


class Posting(models.Model):
    """One side of a transaction: `amount` units into (+) or out of (−) one account."""

    transaction = models.ForeignKey(
        Transaction, verbose_name="交易", on_delete=models.PROTECT, related_name="postings"
    )
    account = models.ForeignKey(
        Account, verbose_name="账户", on_delete=models.PROTECT, related_name="postings"
    )
    amount = models.BigIntegerField("金额")

    class Meta:
        verbose_name = "分录"
        verbose_name_plural = verbose_name
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="ledger_posting_not_zero")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount:+d}"
