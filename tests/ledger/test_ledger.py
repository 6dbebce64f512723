"""One ledger for everything counted: double entry, kept by the database itself (on SQLite and
PostgreSQL alike), never edited, balances under a row lock and checked by `ledger verify`."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from shequtong.core.errors import DomainError
from shequtong.ledger.models import Account, Posting, Transaction, Unit
from shequtong.ledger.selectors import ledger_problems
from shequtong.ledger.services import account_open, post, reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts():
    issuer = account_open(
        code="coins:issuer", name="爱心币发行", unit=Unit.COINS, allow_negative=True
    )
    zhang = account_open(code="coins:person:1", name="张三", unit=Unit.COINS)
    li = account_open(code="coins:person:2", name="李四", unit=Unit.COINS)
    hours = account_open(code="minutes:person:1", name="张三（时间）", unit=Unit.MINUTES)
    return issuer, zhang, li, hours


def balances(*accounts: Account) -> list[int]:
    return [Account.objects.get(pk=a.pk).balance for a in accounts]


def test_a_transfer_moves_balances_and_a_reversal_undoes_it(accounts):
    issuer, zhang, li, _ = accounts
    earned = post(actor=None, kind="earn", memo="随手拍奖励", lines=[(issuer, -10), (zhang, 10)])
    gift = post(actor=None, kind="gift", memo="赠与", lines=[(zhang, -4), (li, 4)])
    assert balances(issuer, zhang, li) == [-10, 6, 4]
    # Taking back the 10 coins would leave 张三 at −4: refused until the gift is undone.
    with pytest.raises(DomainError, match="张三余额不足"):
        reverse(actor=None, txn=earned, memo="误发冲正")
    reverse(actor=None, txn=gift, memo="赠错了人")
    undo = reverse(actor=None, txn=earned, memo="误发冲正")
    assert undo.reverses == earned and balances(issuer, zhang, li) == [0, 0, 0]
    assert [p.amount for p in undo.postings.order_by("account_id")] == [10, -10]
    assert ledger_problems() == []
    with pytest.raises(DomainError, match="已冲正"):
        reverse(actor=None, txn=earned, memo="再冲一次")


def test_the_services_refuse_what_does_not_balance_or_overdraws(accounts):
    issuer, zhang, li, hours = accounts
    cases = [
        ([(issuer, -5), (zhang, 4)], "合计不为零"),
        ([(zhang, 5)], "至少有两条"),
        ([(issuer, -5), (hours, 5)], "同一单位"),
        ([(issuer, -5), (zhang, 3), (zhang, 2)], "只能出现一次"),
        ([(zhang, -1), (li, 1)], "余额不足"),
        ([(issuer, 0), (zhang, 0)], "非零整数"),
    ]
    for lines, words in cases:
        with pytest.raises(DomainError, match=words):
            post(actor=None, kind="x", memo="x", lines=lines)
    assert not Transaction.objects.exists() and balances(zhang, li) == [0, 0]


def test_the_database_itself_keeps_the_rules(accounts):
    """Whatever gets past Python: an unbalanced seal, a posting to a sealed transaction, an
    edited or deleted posting, a deleted transaction — each refused by a trigger."""
    issuer, zhang, _, _ = accounts
    txn = post(actor=None, kind="earn", memo="奖励", lines=[(issuer, -3), (zhang, 3)])
    attempts = [
        lambda: Posting.objects.create(transaction=txn, account=zhang, amount=1),
        lambda: Posting.objects.filter(transaction=txn).update(amount=5),
        lambda: Posting.objects.filter(transaction=txn).delete(),
        lambda: Transaction.objects.filter(pk=txn.pk).update(memo="改过"),
        # Raw, past the ORM's own PROTECT: the trigger is what stops it.
        lambda: connection.cursor().execute(
            "DELETE FROM ledger_transaction WHERE id = %s", [txn.pk]
        ),
    ]
    for attempt in attempts:
        with pytest.raises(DatabaseError, match="ledger"), transaction.atomic():
            attempt()
    lopsided = Transaction.objects.create(kind="x", memo="x", unit=Unit.COINS)
    Posting.objects.create(transaction=lopsided, account=zhang, amount=7)
    Posting.objects.create(transaction=lopsided, account=issuer, amount=-6)
    with pytest.raises(DatabaseError, match="do not sum to zero"), transaction.atomic():
        Transaction.objects.filter(pk=lopsided.pk).update(sealed=True)
    assert [p.amount for p in txn.postings.order_by("pk")] == [-3, 3]


def test_only_emptying_the_whole_database_deletes_on_sqlite(accounts):
    """The flush a transactional test ends with (and `shequtong flush`) may DELETE; nothing
    else may, even in the same thread right after it."""
    from shequtong.ledger.emptying import emptying

    issuer, zhang, _, _ = accounts
    txn = post(actor=None, kind="earn", memo="奖励", lines=[(issuer, -3), (zhang, 3)])
    with pytest.raises(DatabaseError, match="deleted"), transaction.atomic():
        Posting.objects.filter(transaction=txn).delete()
    if connection.vendor == "sqlite":
        with emptying(), transaction.atomic():
            Posting.objects.filter(transaction=txn).delete()
            Transaction.objects.filter(pk=txn.pk).delete()
            raise_after = Transaction.objects.filter(pk=txn.pk).exists()
        assert raise_after is False
        other = post(actor=None, kind="earn", memo="奖励", lines=[(issuer, -1), (zhang, 1)])
        with pytest.raises(DatabaseError, match="never deleted"), transaction.atomic():
            Posting.objects.filter(transaction=other).delete()


def test_verify_reports_a_balance_that_drifted_and_an_open_transaction(accounts):
    issuer, zhang, _, _ = accounts
    post(actor=None, kind="earn", memo="奖励", lines=[(issuer, -3), (zhang, 3)])
    call_command("ledger", "verify")  # passes
    Account.objects.filter(pk=zhang.pk).update(balance=99)  # as a recomputation bug would
    Transaction.objects.create(kind="x", memo="中断", unit=Unit.COINS)
    problems = ledger_problems()
    assert f"账户 {zhang.code} 余额 99，分录合计 3" in problems
    assert any("未记账" in p for p in problems)
    with pytest.raises(CommandError, match="2 处问题"):
        call_command("ledger", "verify")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_transfers_never_lose_a_unit():
    """Eight writers, fifty transfers each, between the same accounts at once."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks between connections: the PostgreSQL run proves it")
    issuer = account_open(code="c:i", name="发行", unit=Unit.COINS, allow_negative=True)
    people = [account_open(code=f"c:{n}", name=f"居民{n}", unit=Unit.COINS) for n in range(4)]
    for person in people:
        post(actor=None, kind="earn", memo="起始", lines=[(issuer, -1000), (person, 1000)])
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(50):
                a, b = people[(n + i) % 4], people[(n + i + 1) % 4]
                post(actor=None, kind="gift", memo="互赠", lines=[(a, -3), (b, 3)])
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(balances(*people)) == 4000 and ledger_problems() == []
    assert Transaction.objects.count() == 4 + 8 * 50
