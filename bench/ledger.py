"""The one ledger under load, on PostgreSQL, and the last places of an activity under a crowd.

Usage: .venv/bin/python bench/ledger.py [--transfers 100000] [--accounts 10000] [--workers 8]
                                        [--places 50] [--requests 500]

1. Ledger. `--accounts` person accounts are funded from an issuer in one transaction; then
   `--workers` processes (each its own connection) make `--transfers` random transfers between
   them through `ledger.services.post` — the row locks in id order, the balance check, the
   sealed postings. Transfers a balance cannot cover are refused (and counted). At the end it
   proves the ledger holds: every account's balance equals the sum of its postings
   (`ledger_problems`, what `shequtong ledger verify` runs), every sealed transaction sums to
   zero, and so does the whole ledger. Drift 0 is the target, not a speed.
2. Sign-up. An activity with `--places` places; `--requests` different residents ask for one at
   once, through the resident portal's view (Django's test client, the whole request), from 50
   threads with their own connections. Exactly `--places` must be accepted.

A benchmark: prints figures, passes or fails nothing.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import random
import statistics
import threading
import time

from participation import community_with_residents, percentile, throwaway_database


def transfer_worker(ids: list[int], count: int, seed: int, out: multiprocessing.Queue) -> None:
    from django.db import connection

    from shequtong.core.errors import DomainError
    from shequtong.ledger.models import Account
    from shequtong.ledger.services import post

    connection.close()  # never share the parent's connection
    rng = random.Random(seed)
    refused = 0
    accounts = {a.pk: a for a in Account.objects.filter(pk__in=ids)}
    started = time.perf_counter()
    for _ in range(count):
        a, b = rng.sample(ids, 2)
        amount = rng.randint(1, 50)
        try:
            post(
                actor=None,
                kind="bench",
                memo="互转",
                lines=[(accounts[a], -amount), (accounts[b], amount)],
            )
        except DomainError:
            refused += 1
    out.put((count, refused, time.perf_counter() - started))
    connection.close()


def bench_ledger(transfers: int, n_accounts: int, workers: int) -> None:
    from django.db import connection
    from django.db.models import Sum

    from shequtong.ledger.models import Account, Posting, Transaction, Unit
    from shequtong.ledger.selectors import ledger_problems
    from shequtong.ledger.services import post

    issuer = Account.objects.create(
        code="bench:issuer", name="发行", unit=Unit.MINUTES, allow_negative=True
    )
    accounts = Account.objects.bulk_create(
        Account(code=f"bench:{i}", name=f"账户{i}", unit=Unit.MINUTES) for i in range(n_accounts)
    )
    started = time.perf_counter()
    post(
        actor=None,
        kind="bench.fund",
        memo="起始",
        lines=[(issuer, -500 * n_accounts), *((a, 500) for a in accounts)],
    )
    print(
        f"funded {n_accounts:,} accounts in one transaction of {n_accounts + 1:,} postings: "
        f"{time.perf_counter() - started:.2f} s"
    )
    ids = [a.pk for a in accounts]
    connection.close()
    queue: multiprocessing.Queue = multiprocessing.Queue()
    per = [transfers // workers + (1 if i < transfers % workers else 0) for i in range(workers)]
    procs = [
        multiprocessing.Process(target=transfer_worker, args=(ids, n, i, queue))
        for i, n in enumerate(per)
    ]
    started = time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    wall = time.perf_counter() - started
    done = sum(r[0] for r in results)
    refused = sum(r[1] for r in results)
    print(
        f"{done:,} transfers by {workers} workers in {wall:.1f} s: {done / wall:,.0f} transfers/s "
        f"({refused:,} refused for a short balance, {done - refused:,} posted)"
    )
    started = time.perf_counter()
    problems = ledger_problems()
    total = Posting.objects.aggregate(s=Sum("amount"))["s"]
    balances = Account.objects.aggregate(s=Sum("balance"))["s"]
    negative = Account.objects.filter(allow_negative=False, balance__lt=0).count()
    print(
        f"verify ({time.perf_counter() - started:.1f} s): {len(problems)} problems; "
        f"postings sum {total}; balances sum {balances}; accounts below zero {negative}; "
        f"transactions {Transaction.objects.count():,}, postings {Posting.objects.count():,}"
    )
    for problem in problems[:10]:
        print("  ", problem)
    drift = sum(
        1 for a in Account.objects.annotate(p=Sum("postings__amount")) if (a.p or 0) != a.balance
    )
    print(f"drift: {drift} accounts whose balance differs from their postings (target 0)")


def bench_signup(places: int, requests: int) -> None:
    from datetime import timedelta

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from shequtong.core.models import User
    from shequtong.volunteering.models import Activity, SignUp, Volunteer
    from shequtong.volunteering.services import ActivityData, activity_create, activity_publish

    settings.ALLOWED_HOSTS = ["*"]
    logging.getLogger("django.request").setLevel(logging.ERROR)  # 400 名额已满 is expected
    community, staff, people, users = community_with_residents("500199", requests)
    Volunteer.objects.bulk_create(
        Volunteer(
            person=p, kind="resident", status="active", area=community, area_path=community.path
        )
        for p in people
    )
    start = timezone.now() + timedelta(days=1)
    activity = activity_publish(
        actor=staff,
        activity=activity_create(
            actor=staff,
            area=community,
            data=ActivityData(
                title="压测活动",
                content="-",
                place="-",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                places=places,
            ),
        ),
    )
    connection.close()
    url = f"/m/volunteer/activities/{activity.pk}/signup/"
    threads_n = 50
    barrier = threading.Barrier(threads_n)
    timings: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def crowd(mine: list[User]) -> None:
        client = Client()
        barrier.wait()
        for user in mine:
            client.force_login(user)
            began = time.perf_counter()
            response = client.post(url)
            with lock:
                timings.append((time.perf_counter() - began) * 1000)
                statuses.append(response.status_code)
        connection.close()

    chunks = [users[i::threads_n] for i in range(threads_n)]
    threads = [threading.Thread(target=crowd, args=(chunk,)) for chunk in chunks]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    accepted = SignUp.objects.filter(activity=activity, status="accepted").count()
    timings.sort()
    print(
        f"sign-up: {requests} residents at once from {threads_n} connections for {places} places "
        f"in {wall:.1f} s: {accepted} accepted (target exactly {places}), "
        f"{requests - accepted} told 名额已满; p50 {statistics.median(timings):.0f} ms, "
        f"p95 {percentile(timings, 0.95):.0f} ms; statuses {sorted(set(statuses))}"
    )
    assert Activity.objects.get(pk=activity.pk).places == places


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transfers", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--places", type=int, default=50)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    with throwaway_database(f"shequtong_bench_ledger_{os.getpid()}"):
        bench_ledger(args.transfers, args.accounts, args.workers)
        bench_signup(args.places, args.requests)


if __name__ == "__main__":
    main()
