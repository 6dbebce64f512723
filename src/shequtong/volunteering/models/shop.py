"""The 爱心超市: a community's counter, the goods donated to it, and redemptions."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from shequtong.core.models import GovernedModel, User

from ..choices import RedemptionStatus

MAX_PRICE = 100_000


class RewardShop(GovernedModel):
    """爱心超市: a community's counter where 爱心币 buy donated goods."""

    name = models.CharField("名称", max_length=100)
    place = models.CharField("地点", max_length=200, blank=True)
    opening_hours = models.CharField("开放时间", max_length=100, blank=True)

    class Meta:
        verbose_name = "爱心超市"
        verbose_name_plural = verbose_name
        ordering = ["area_path", "name"]

    def __str__(self) -> str:
        return self.name


class Goods(GovernedModel):
    shop = models.ForeignKey(
        RewardShop, verbose_name="爱心超市", on_delete=models.CASCADE, related_name="goods"
    )
    name = models.CharField("物品", max_length=100)
    price = models.PositiveIntegerField("所需爱心币")
    stock = models.PositiveIntegerField("库存")
    donor = models.CharField("捐赠单位", max_length=100, blank=True, help_text="爱心企业或个人")
    active = models.BooleanField("上架", default=True)

    class Meta:
        verbose_name = "爱心物品"
        verbose_name_plural = verbose_name
        ordering = ["shop_id", "price", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=1, price__lte=MAX_PRICE), name="volunteering_goods_price"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Redemption(GovernedModel):
    """A redemption: the coins leave at once (held by the shop), the goods are handed over
    when the counter checks the code off; a cancelled one is reversed on the ledger."""

    code = models.CharField("兑换码", max_length=8, unique=True)
    goods = models.ForeignKey(
        Goods, verbose_name="物品", on_delete=models.PROTECT, related_name="redemptions"
    )
    # Whoever holds 爱心币 spends them (a volunteer's hours, a valid 随手拍), not only volunteers.
    person = models.ForeignKey(
        "registry.Person",
        verbose_name="兑换人",
        on_delete=models.PROTECT,
        related_name="redemptions",
    )
    quantity = models.PositiveSmallIntegerField("数量", default=1)
    coins = models.PositiveIntegerField("爱心币")
    status = models.CharField(
        "状态", max_length=16, choices=RedemptionStatus.choices, default=RedemptionStatus.PENDING
    )
    payment = models.ForeignKey("ledger.Transaction", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        User, verbose_name="兑换账号", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_proxy = models.BooleanField("代办", default=False)
    collected_at = models.DateTimeField("领取时间", null=True, blank=True)
    collected_by = models.ForeignKey(
        User,
        verbose_name="核销人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "爱心兑换"
        verbose_name_plural = verbose_name
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=20), name="volunteering_redemption_qty"
            )
        ]

    def __str__(self) -> str:
        return self.code
