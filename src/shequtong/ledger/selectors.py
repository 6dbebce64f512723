"""Reads of the ledger: the proof that it holds together."""

from __future__ import annotations

from django.db.models import Count, Q, Sum

from .models import Account, Transaction


def ledger_problems() -> list[str]:
    """What `shequtong ledger verify` reports: sealed transactions that do not sum to zero (or
    mix units), open ones left behind, balances that differ from their postings."""
    problems = []
    sums = Transaction.objects.annotate(
        total=Sum("postings__amount"),
        lines=Count("postings"),
        units=Count("postings__account__unit", distinct=True),
    )
    for txn in sums.filter(Q(sealed=False) | ~Q(total=0) | Q(lines__lt=2) | Q(units__gt=1)):
        if not txn.sealed:
            problems.append(f"交易 {txn.pk} 未记账（写入中断）")
        else:
            problems.append(
                f"交易 {txn.pk} 分录合计 {txn.total}，条数 {txn.lines}，单位 {txn.units} 种"
            )
    for account in Account.objects.annotate(posted=Sum("postings__amount")):
        posted = account.posted or 0
        if posted != account.balance:
            problems.append(f"账户 {account.code} 余额 {account.balance}，分录合计 {posted}")
    return problems
