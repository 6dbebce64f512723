"""Writes of the ledger: open an account, post a balanced transaction, reverse one.

A transaction locks its accounts in id order (so two transfers between the same accounts never
deadlock), checks every balance it touches stays at or above zero unless the account may go
negative (the issuer's), writes the postings, moves the balances and seals it, all in one
database transaction: a concurrent writer waits on the row lock instead of reading a balance
that is about to change (TimeOverflow's recomputed balances, issue #845, are what this avoids).

A posting is not written to the audit log: the ledger is its own append-only trail (who, when,
what, kept by the database), and the act that posts — a confirmed service, a redemption — is
audited by the service that does it. A reversal, a correction made by hand, is audited here.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import F

from shequtong.core.audit import audit_record
from shequtong.core.errors import DomainError
from shequtong.core.models import User

from .models import Account, Posting, Transaction

MAX_AMOUNT = 10**12  # far past any real balance; keeps sums inside a 64-bit column


def account_open(*, code: str, name: str, unit: str, allow_negative: bool = False) -> Account:
    account, _ = Account.objects.get_or_create(
        code=code, defaults={"name": name, "unit": unit, "allow_negative": allow_negative}
    )
    return account


def _invalid(message: str) -> DomainError:
    return DomainError("invalid", message, {"postings": [message]})


@transaction.atomic
def post(
    *,
    actor: User | None,
    kind: str,
    memo: str,
    lines: Sequence[tuple[Account, int]],
    reverses: Transaction | None = None,
) -> Transaction:
    """One balanced transaction: `lines` are (account, amount) whose amounts sum to zero, all
    in one unit, each account once."""
    if len(lines) < 2:
        raise _invalid("一笔交易至少有两条分录")
    if sum(amount for _, amount in lines) != 0:
        raise _invalid("分录合计不为零")
    if any(not isinstance(a, int) or a == 0 or abs(a) > MAX_AMOUNT for _, a in lines):
        raise _invalid(f"每条分录须为非零整数，绝对值不超过 {MAX_AMOUNT}")
    ids = [account.pk for account, _ in lines]
    if len(set(ids)) != len(ids):
        raise _invalid("同一账户在一笔交易中只能出现一次")
    locked = {
        a.pk: a for a in Account.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    units = {a.unit for a in locked.values()}
    if len(units) != 1 or len(locked) != len(ids):
        raise _invalid("一笔交易的账户须为同一单位")
    for given, amount in lines:
        account = locked[given.pk]
        if not account.allow_negative and account.balance + amount < 0:
            raise DomainError(
                "insufficient", f"{account.name}余额不足", {"postings": [f"{account.name}余额不足"]}
            )
    txn = Transaction.objects.create(
        kind=kind, memo=memo.strip()[:200], unit=units.pop(), created_by=actor, reverses=reverses
    )
    Posting.objects.bulk_create(
        Posting(transaction=txn, account_id=account.pk, amount=amount) for account, amount in lines
    )
    for account, amount in lines:
        Account.objects.filter(pk=account.pk).update(balance=F("balance") + amount)
    Transaction.objects.filter(pk=txn.pk).update(sealed=True)
    txn.sealed = True
    return txn


def reverse(*, actor: User | None, txn: Transaction, memo: str) -> Transaction:
    """A mistake is undone by a new transaction with every posting negated, never by editing:
    once per transaction."""
    if Transaction.objects.filter(reverses=txn).exists():
        raise DomainError("invalid", "该交易已冲正", {"transaction": ["该交易已冲正"]})
    lines = [(p.account, -p.amount) for p in txn.postings.select_related("account")]
    reversal = post(actor=actor, kind="reversal", memo=memo, lines=lines, reverses=txn)
    audit_record(
        actor=actor, action="ledger.reverse", obj=reversal, changes={"reverses": [None, txn.pk]}
    )
    return reversal
