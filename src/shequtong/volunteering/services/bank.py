"""The time bank and 爱心币 on the one ledger: whose accounts, what a confirmed hour deposits,
gifts to family, donations to the community pool, and star levels.

Accounts are opened on first use and named by code: `person:<id>:minutes` and
`person:<id>:coins` for a person, `issuer:<unit>:<community id>` (may go negative: what the
community has issued) and `pool:minutes:<community id>` for donated hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from shequtong.core.errors import DomainError
from shequtong.core.models import Area, User, community_path
from shequtong.ledger import services as ledger
from shequtong.ledger.models import Account, Transaction, Unit
from shequtong.registry.models import Person

UNIT_LABEL = {Unit.MINUTES: "时间", Unit.COINS: "爱心币"}


def person_account(person: Person, unit: str) -> Account:
    return ledger.account_open(
        code=f"person:{person.pk}:{unit}", name=f"居民{person.pk}的{UNIT_LABEL[unit]}", unit=unit
    )


def _community_id(area: Area) -> int:
    path = community_path(area.path)
    return int(path.strip("/").split("/")[-1])


def issuer_account(area: Area, unit: str) -> Account:
    community = _community_id(area)
    return ledger.account_open(
        code=f"issuer:{unit}:{community}",
        name=f"社区{community}发行的{UNIT_LABEL[unit]}",
        unit=unit,
        allow_negative=True,
    )


def pool_account(area: Area) -> Account:
    community = _community_id(area)
    return ledger.account_open(
        code=f"pool:minutes:{community}", name=f"社区{community}时间公益池", unit=Unit.MINUTES
    )


def coins_for(minutes: int) -> int:
    """爱心币 earned by service: a whole coin per full hour times the deployment's rate."""
    return minutes // 60 * settings.SHEQUTONG_COINS_PER_HOUR


def earn(*, actor: User | None, person: Person, minutes: int, memo: str) -> Transaction:
    """Deposit served minutes into the person's time bank; the coins they earn in a second
    transaction of the same database transaction (one unit per transaction)."""
    deposit = ledger.post(
        actor=actor,
        kind="timebank.deposit",
        memo=memo,
        lines=[
            (issuer_account(person.area, Unit.MINUTES), -minutes),
            (person_account(person, Unit.MINUTES), minutes),
        ],
    )
    coins = coins_for(minutes)
    if coins:
        coins_credit(actor=actor, person=person, coins=coins, kind="coins.service", memo=memo)
    return deposit


def coins_credit(
    *, actor: User | None, person: Person, coins: int, kind: str, memo: str
) -> Transaction:
    """爱心币 by an earning rule: service hours, a valid 随手拍 report, later a deliberation."""
    return ledger.post(
        actor=actor,
        kind=kind,
        memo=memo,
        lines=[
            (issuer_account(person.area, Unit.COINS), -coins),
            (person_account(person, Unit.COINS), coins),
        ],
    )


def balance(person: Person, unit: str) -> int:
    account = Account.objects.filter(code=f"person:{person.pk}:{unit}").first()
    return account.balance if account else 0


def _age(person: Person) -> int:
    today = timezone.localdate()
    born = person.birth_date
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@transaction.atomic
def minutes_give(*, actor: User, giver: Person, receiver: Person, minutes: int) -> Transaction:
    """Give time-bank minutes to a family member of the same household."""
    if receiver.pk == giver.pk:
        raise DomainError("invalid", "不能转给自己", {"receiver": ["不能转给自己"]})
    if giver.household_id is None or receiver.household_id != giver.household_id:
        raise DomainError(
            "invalid", "时间只能赠予同户家庭成员", {"receiver": ["时间只能赠予同户家庭成员"]}
        )
    _positive(minutes)
    return _spend(
        actor, giver, person_account(receiver, Unit.MINUTES), minutes, "timebank.gift", "赠予家人"
    )


@transaction.atomic
def minutes_donate(*, actor: User, giver: Person, minutes: int) -> Transaction:
    """Donate minutes to the community's pool, from which the community serves those in need."""
    _positive(minutes)
    return _spend(
        actor, giver, pool_account(giver.area), minutes, "timebank.donate", "捐入社区时间公益池"
    )


@transaction.atomic
def minutes_withdraw(*, actor: User, person: Person, minutes: int, memo: str) -> Transaction:
    """Spend banked minutes on a service received (a care order a volunteer did): allowed from
    the deployment's withdrawal age, for the person or an elder they act for."""
    age = settings.SHEQUTONG_TIMEBANK_WITHDRAW_AGE
    if _age(person) < age:
        raise DomainError(
            "invalid", f"年满 {age} 周岁方可支取时间", {"minutes": [f"年满 {age} 周岁方可支取时间"]}
        )
    _positive(minutes)
    return _spend(
        actor, person, issuer_account(person.area, Unit.MINUTES), minutes, "timebank.withdraw", memo
    )


def settle_service(*, person: Person, minutes: int, memo: str) -> list[Transaction]:
    """The person served pays for minutes of service: from their own banked minutes if they
    may spend them (the withdrawal age), then from the community's pool; the rest the
    community issues (its issuer account). Never a balance below zero."""
    paid: list[Transaction] = []
    left = minutes
    sources = [pool_account(person.area)]
    if _age(person) >= settings.SHEQUTONG_TIMEBANK_WITHDRAW_AGE:
        sources.insert(0, person_account(person, Unit.MINUTES))
    issuer = issuer_account(person.area, Unit.MINUTES)
    for source in sources:
        take = min(left, Account.objects.get(pk=source.pk).balance)
        if take > 0:
            paid.append(
                ledger.post(
                    actor=None,
                    kind="timebank.withdraw",
                    memo=memo,
                    lines=[(source, -take), (issuer, take)],
                )
            )
            left -= take
    return paid


def _positive(minutes: int) -> None:
    cap = settings.SHEQUTONG_TIMEBANK_TRANSFER_CAP
    if not isinstance(minutes, int) or not 1 <= minutes <= cap:
        message = f"时长须为 1 至 {cap} 分钟"
        raise DomainError("invalid", message, {"minutes": [message]})


def _spend(
    actor: User, person: Person, to: Account, minutes: int, kind: str, memo: str
) -> Transaction:
    source = person_account(person, Unit.MINUTES)
    try:
        return ledger.post(
            actor=actor, kind=kind, memo=memo, lines=[(source, -minutes), (to, minutes)]
        )
    except DomainError as exc:
        if exc.code == "insufficient":
            _short(Account.objects.get(pk=source.pk), minutes, "分钟")
        raise


def _short(account: Account, needed: int, unit: str) -> None:
    """The ledger's refusal (checked under its row lock) in the volunteer's words."""
    message = f"余额不足：需要 {needed} {unit}，现有 {account.balance} {unit}"
    raise DomainError("insufficient", message, {"amount": [message]})


@dataclass(frozen=True)
class Stars:
    level: int  # 0 to 5
    hours: float
    next_at: int | None  # hours to the next star, None at five

    @property
    def hours_to_next(self) -> float | None:
        return None if self.next_at is None else round(self.next_at - self.hours, 1)

    @property
    def label(self) -> str:
        return f"{'★' * self.level}{'☆' * (5 - self.level)}" if self.level else "暂无星级"


def stars_for(minutes: int) -> Stars:
    """星级 from cumulative hours: thresholds per deployment (national default
    100/300/600/1000/1500 h)."""
    thresholds = settings.SHEQUTONG_STAR_HOURS
    hours = minutes / 60
    level = sum(1 for t in thresholds if hours >= t)
    return Stars(level, round(hours, 1), thresholds[level] if level < len(thresholds) else None)


def served_minutes(volunteer_id: int) -> int:
    from ..models import ServiceRecord

    total = ServiceRecord.objects.filter(volunteer_id=volunteer_id).aggregate(m=Sum("minutes"))["m"]
    return total or 0


def coins_expire(*, today: date | None = None) -> int:
    """爱心币 last SHEQUTONG_COINS_VALID_DAYS: coins credited before the cutoff and not spent
    since (oldest first: what was spent or lapsed already counts against the oldest) go back
    to the issuer. Returns how many accounts lost coins. Run daily by the task worker."""
    days = settings.SHEQUTONG_COINS_VALID_DAYS
    if not days:
        return 0
    cutoff = (today or timezone.localdate()) - timedelta(days=days)
    accounts = Account.objects.filter(code__startswith="person:", unit=Unit.COINS, balance__gt=0)
    touched = 0
    for account in accounts.iterator():
        postings = account.postings.filter(transaction__sealed=True)
        old = postings.filter(amount__gt=0, transaction__created_at__date__lt=cutoff)
        credited = old.aggregate(s=Sum("amount"))["s"] or 0
        gone = -(postings.filter(amount__lt=0).aggregate(s=Sum("amount"))["s"] or 0)
        lapsing = min(credited - gone, account.balance)
        if lapsing <= 0:
            continue
        person_id = int(account.code.split(":")[1])
        person = Person.objects.select_related("area").get(pk=person_id)
        ledger.post(
            actor=None,
            kind="coins.expire",
            memo=f"爱心币过期（{cutoff:%Y-%m-%d} 前获得）",
            lines=[(account, -lapsing), (issuer_account(person.area, Unit.COINS), lapsing)],
        )
        touched += 1
    return touched
