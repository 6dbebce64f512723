"""Concurrent writers on PostgreSQL: each thread has its own connection and its own transactions.

SQLite serialises every writer at BEGIN IMMEDIATE, so there is nothing to race there.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from shequtong.core.audit import audit_record, audit_seal, audit_verify
from shequtong.core.models import AuditChainHead, AuditEntry

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
    ),
]

THREADS = 8
PER_THREAD = 12


def run_together(work: Callable[[int], None], threads: int = THREADS) -> None:
    """Start `work(i)` in `threads` threads released at once by a barrier; re-raise any error."""
    barrier = threading.Barrier(threads, timeout=30)
    errors: list[BaseException] = []

    def body(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    pool = [threading.Thread(target=body, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in pool), "a writer hung"
    assert not errors, errors


def test_concurrent_appends_make_one_gapless_chain():
    # No chain head yet: the first sealers also race to create it.
    assert not AuditChainHead.objects.exists()
    # The per-thread DatabaseWrapper objects, kept alive so that none is mistaken for another.
    seen_connections: set[object] = set()

    def work(i: int) -> None:
        for j in range(PER_THREAD):
            with transaction.atomic():
                seen_connections.add(connections[DEFAULT_DB_ALIAS])
                audit_record(actor=None, action="test.concurrent", object_repr=f"{i}-{j}")
                time.sleep(0.001)  # commits interleave, and so do the sealers after them

    run_together(work)
    total = THREADS * PER_THREAD
    assert len(seen_connections) == THREADS
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, total + 1)
    )
    assert AuditEntry.objects.values("object_repr").distinct().count() == total
    result = audit_verify()
    assert result.ok, result.first_break
    assert result.checked == total
    assert AuditChainHead.objects.get().seq == total


def test_rolled_back_appends_leave_no_gap():
    def work(i: int) -> None:
        for j in range(PER_THREAD):
            try:
                with transaction.atomic():
                    audit_record(actor=None, action="test.concurrent", object_repr=f"{i}-{j}")
                    if j % 3 == 0:
                        raise RuntimeError("the caller's transaction fails")
            except RuntimeError:
                pass

    run_together(work)
    audit_seal()
    kept = THREADS * (PER_THREAD - len(range(0, PER_THREAD, 3)))
    result = audit_verify()
    assert result.ok, result.first_break
    assert result.checked == kept == AuditEntry.objects.count()


def test_audited_writers_do_not_wait_for_one_another():
    """One writer holds its transaction open after writing its entry; the others write and
    commit theirs meanwhile (before, they queued behind its lock on the chain head)."""
    holding = threading.Event()
    release = threading.Event()
    finished: list[int] = []

    def work(i: int) -> None:
        if i == 0:
            with transaction.atomic():
                audit_record(actor=None, action="test.concurrent", object_repr="slow")
                holding.set()
                assert release.wait(timeout=30)
            return
        assert holding.wait(timeout=30)
        with transaction.atomic():
            audit_record(actor=None, action="test.concurrent", object_repr=f"fast-{i}")
        finished.append(i)
        if len(finished) == THREADS - 1:
            release.set()

    run_together(work)
    assert sorted(finished) == list(range(1, THREADS))
    audit_seal()
    result = audit_verify()
    assert result.ok and result.checked == THREADS


def test_the_sealer_thread_seals_what_was_committed(settings):
    settings.SHEQUTONG_AUDIT_SEAL_INLINE = False
    for i in range(3):
        with transaction.atomic():
            audit_record(actor=None, action="test.concurrent", object_repr=f"thread-{i}")
    deadline = time.monotonic() + 10
    while AuditEntry.objects.filter(seq__isnull=True).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    result = audit_verify()
    assert result.ok and result.checked == 3 and result.unsealed == 0
