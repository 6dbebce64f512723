"""The 爱心超市: goods donated by 爱心企业, redeemed with 爱心币, handed over at the counter by
the redemption's code. The coins leave at once and the stock is taken under a row lock, so a
code is worth exactly what was paid and two counters cannot both hand the goods over."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from shequtong.core.audit import audit_record
from shequtong.core.errors import DomainError
from shequtong.core.models import Area, User, community_path
from shequtong.core.scoping import can, can_in_area
from shequtong.ledger import services as ledger
from shequtong.ledger.models import Account, Unit
from shequtong.registry.models import Person

from ..choices import RedemptionStatus
from ..models import MAX_PRICE, Goods, Redemption, RewardShop
from . import bank

MAX_QUANTITY = 20


def shop_account(shop: RewardShop) -> Account:
    return ledger.account_open(
        code=f"shop:{shop.pk}", name=f"{shop.name}收到的爱心币", unit=Unit.COINS
    )


@transaction.atomic
def shop_create(
    *, actor: User, area: Area, name: str, place: str = "", opening_hours: str = ""
) -> RewardShop:
    if not can_in_area(actor, "change", RewardShop, area.path):
        raise DomainError.on("area", "您无权在该社区开设爱心超市", "forbidden")
    if not name.strip():
        raise DomainError.on("name", "请填写名称")
    shop = RewardShop.objects.create(
        area=area, name=name.strip(), place=place.strip(), opening_hours=opening_hours.strip()
    )
    audit_record(actor=actor, action="shop.create", obj=shop)
    return shop


@transaction.atomic
def goods_stock(
    *, actor: User, shop: RewardShop, name: str, price: int, stock: int, donor: str = ""
) -> Goods:
    """Stock donated goods (a new item, or more of one with the same name and price)."""
    if not can(actor, "change", shop):
        raise DomainError.on("shop", "您无权管理该爱心超市", "forbidden")
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["请填写物品名称"]
    if not isinstance(price, int) or not 1 <= price <= MAX_PRICE:
        errors["price"] = [f"所需爱心币须为 1 至 {MAX_PRICE}"]
    if not isinstance(stock, int) or not 1 <= stock <= 100_000:
        errors["stock"] = ["入库数量须为 1 至 100000"]
    if errors:
        raise DomainError.from_fields(errors)
    goods = (
        Goods.objects.select_for_update().filter(shop=shop, name=name.strip(), price=price).first()
    )
    if goods:
        goods.stock += stock
        goods.donor = donor.strip()[:100] or goods.donor
        goods.active = True
        goods.save()
    else:
        goods = Goods.objects.create(
            shop=shop,
            area=shop.area,
            name=name.strip(),
            price=price,
            stock=stock,
            donor=donor.strip()[:100],
        )
    audit_record(actor=actor, action="shop.stock", obj=goods, changes={"stock": [None, stock]})
    return goods


def _new_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


@transaction.atomic
def redeem(
    *, actor: User, person: Person, goods: Goods, quantity: int = 1, by_proxy: bool = False
) -> Redemption:
    """Pay for goods with `person`'s 爱心币: the stock is taken and the coins moved to the shop
    in one transaction; the code is shown at the counter. `by_proxy`: a household member
    redeemed for them (代办), recorded on the redemption and in the audit log."""
    if not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise DomainError.on("quantity", f"每次兑换 1 至 {MAX_QUANTITY} 件")
    goods = Goods.objects.select_for_update(of=("self",)).select_related("shop").get(pk=goods.pk)
    if not goods.active or goods.stock < quantity:
        raise DomainError.on(
            "quantity", f"“{goods.name}”库存不足（剩 {goods.stock} 件）", "out_of_stock"
        )
    if community_path(person.area_path) != community_path(goods.shop.area_path):
        raise DomainError.on("goods", "只能在本社区的爱心超市兑换")
    coins = goods.price * quantity
    source = bank.person_account(person, Unit.COINS)
    try:
        payment = ledger.post(
            actor=actor,
            kind="coins.redeem",
            memo=f"爱心超市兑换：{goods.name} × {quantity}",
            lines=[(source, -coins), (shop_account(goods.shop), coins)],
        )
    except DomainError as exc:
        if exc.code != "insufficient":
            raise
        have = Account.objects.get(pk=source.pk).balance
        raise DomainError.on(
            "quantity", f"爱心币不足：需要 {coins}，现有 {have}", "insufficient"
        ) from exc
    goods.stock -= quantity
    goods.save(update_fields=["stock", "updated_at"])
    for _ in range(5):
        try:
            with transaction.atomic():
                redemption = Redemption.objects.create(
                    code=_new_code(),
                    goods=goods,
                    person=person,
                    area=person.area,
                    quantity=quantity,
                    coins=coins,
                    payment=payment,
                    requested_by=actor,
                    by_proxy=by_proxy,
                )
            break
        except IntegrityError:  # the one-in-a-hundred-million code already given
            continue
    else:  # pragma: no cover - five collisions in a row
        raise DomainError.on("goods", "兑换码生成失败，请重试")
    audit_record(
        actor=actor,
        action="shop.redeem",
        obj=redemption,
        changes={"proxy": [None, by_proxy]} if by_proxy else None,
    )
    return redemption


@transaction.atomic
def redemption_collect(*, actor: User, shop: RewardShop, code: str) -> Redemption:
    """The counter checks a code off: once, by one counter; the second is told when it went."""
    if not can(actor, "change", shop):
        raise DomainError.on("code", "您无权核销该爱心超市的兑换", "forbidden")
    code = (code or "").strip()
    redemption = (
        Redemption.objects.select_for_update(of=("self",))
        .select_related("goods")
        .filter(code=code, goods__shop=shop)
        .first()
    )
    if redemption is None:
        raise DomainError.on("code", "兑换码不存在或不属于本爱心超市")
    if redemption.status == RedemptionStatus.COLLECTED:
        when = timezone.localtime(redemption.collected_at).strftime("%m-%d %H:%M")
        raise DomainError.on("code", f"该兑换码已于 {when} 核销", "collected")
    if redemption.status == RedemptionStatus.CANCELLED:
        raise DomainError.on("code", "该兑换已取消")
    redemption.status = RedemptionStatus.COLLECTED
    redemption.collected_at = timezone.now()
    redemption.collected_by = actor
    redemption.save(update_fields=["status", "collected_at", "collected_by", "updated_at"])
    audit_record(actor=actor, action="shop.collect", obj=redemption)
    return redemption


@transaction.atomic
def redemption_cancel(*, actor: User, redemption: Redemption) -> Redemption:
    """Cancelled before collection: the payment is reversed and the stock returned."""
    redemption = (
        Redemption.objects.select_for_update(of=("self",))
        .select_related("goods", "payment")
        .get(pk=redemption.pk)
    )
    if redemption.status != RedemptionStatus.PENDING:
        raise DomainError.on("status", "只有待领取的兑换可以取消")
    ledger.reverse(actor=actor, txn=redemption.payment, memo=f"取消兑换 {redemption.code}")
    goods = Goods.objects.select_for_update().get(pk=redemption.goods_id)
    goods.stock += redemption.quantity
    goods.save(update_fields=["stock", "updated_at"])
    redemption.status = RedemptionStatus.CANCELLED
    redemption.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="shop.cancel", obj=redemption)
    return redemption
