"""An owners' vote under its last-minute rush, on PostgreSQL: ballots/s, p99, the tally's time
and the recount.

Usage: .venv/bin/python bench/votes.py [--units 5000] [--voters 2000] [--clients 32]

An estate of `--units` units (each with its owner and a registered area, a few unsold) opens a
vote; `--voters` owners cast online ballots through `deliberation.services.ballot_cast` (the
owner's roll row locked, the previous ballot superseded, the audit entry written) from
`--clients` threads with their own connections, as in the last ten minutes before closing; a
tenth of them change their mind once. Then the vote is closed (the tally published) and
recounted from the stored ballots. A benchmark: prints figures, passes or fails nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import threading
import time

from participation import community_with_residents, percentile, throwaway_database


def run(units: int, voters: int, clients: int) -> None:
    from datetime import timedelta
    from decimal import Decimal

    from django.db import connection
    from django.utils import timezone

    from shequtong.core.models import User
    from shequtong.deliberation import services
    from shequtong.registry.models import Building, Dwelling, Estate

    owners_n = units - units // 50  # 2 % unsold: the developer's
    community, staff, people, users = community_with_residents("500198", owners_n)
    users = users[:voters]
    estate = Estate.objects.create(name="压测小区", area=community)
    buildings = Building.objects.bulk_create(
        Building(estate=estate, number=f"{b + 1}栋", area=community, area_path=community.path)
        for b in range(units // 100 + 1)
    )
    rng = random.Random(7)
    Dwelling.objects.bulk_create(
        (
            Dwelling(
                building=buildings[u // 100],
                unit=1,
                number=f"{u % 100 + 101}",
                floor_area=Decimal(rng.randint(6000, 14000)) / 100,
                owner=people[u] if u < owners_n else None,
                area=community,
                area_path=community.path,
            )
            for u in range(units)
        ),
        batch_size=2000,
    )
    now = timezone.now()
    vote = services.vote_create(
        actor=staff,
        estate=estate,
        title="使用维修资金更换电梯",
        matter="use_fund",
        opens_at=now - timedelta(minutes=10),
        closes_at=now + timedelta(minutes=30),
    )
    started = time.perf_counter()
    vote = services.vote_open(actor=staff, vote=vote)
    print(
        f"opened: roll of {vote.total_owners:,} owners, {vote.total_area} m², "
        f"in {time.perf_counter() - started:.2f} s"
    )
    connection.close()
    plan = [(u, rng.choice(["agree", "agree", "disagree", "abstain"])) for u in users]
    plan += [(u, "agree") for u in rng.sample(users, voters // 10)]  # changed their minds
    rng.shuffle(plan)
    chunks = [plan[i::clients] for i in range(clients)]
    timings: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def client(mine: list[tuple[User, str]]) -> None:
        try:
            barrier.wait()
            for user, choice in mine:
                began = time.perf_counter()
                services.ballot_cast(actor=user, vote=vote, choice=choice)
                with lock:
                    timings.append((time.perf_counter() - began) * 1000)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(chunk,)) for chunk in chunks]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    timings.sort()
    print(
        f"{len(timings):,} ballots from {clients} clients in {wall:.1f} s: "
        f"{len(timings) / wall:,.0f} ballots/s; p50 {statistics.median(timings):.0f} ms, "
        f"p99 {percentile(timings, 0.99):.0f} ms; errors {len(errors)}"
    )
    from shequtong.deliberation.models import Ballot, Vote

    counted = Ballot.objects.filter(vote=vote, current=True).count()
    print(f"counted ballots {counted:,} (target {voters:,}: each owner once, the latest)")
    Vote.objects.filter(pk=vote.pk).update(closes_at=timezone.now())
    started = time.perf_counter()
    vote = services.vote_close(actor=staff, vote=vote)
    print(f"tally at closing: {(time.perf_counter() - started) * 1000:.0f} ms (target < 1 s)")
    for m in vote.result["measures"]:
        print(
            f"  {m['label']}: {m['percent']} (要求 {m['rule']}) {'达到' if m['met'] else '未达到'}"
        )
    started = time.perf_counter()
    same = services.recount(vote)
    print(f"recount equals the published result: {same} ({time.perf_counter() - started:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--voters", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    with throwaway_database(f"shequtong_bench_votes_{os.getpid()}"):
        run(args.units, args.voters, args.clients)


if __name__ == "__main__":
    main()
