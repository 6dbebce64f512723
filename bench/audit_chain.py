"""Concurrent case moves on PostgreSQL, with the audit chain sealed after commit against the
chain head locked inside every audited transaction (how the log was written before).

Usage: .venv/bin/python bench/audit_chain.py [--seconds 20] [--writers 1,8] [--cases 30]

1. Creates a throwaway database, migrates it and seeds the demo district.
2. Opens `--cases` cases per writer in one grid, each held by the grid (assigned), and picks
   that community's staff member as the one actor (community staff may take every move below).
3. For each mode and each writer count, starts that many writer processes at the same moment;
   each loops for `--seconds` over its own cases (no two writers touch one case, so the only
   thing they can wait for is the audit log), taking the next move of a cycle of three:
   接单处置 (start) → 退回 (return, with a note) → 派遣 (assign back to the grid). Each move locks
   its case, writes the new state, a timeline step and its audit entry, and notifies the
   holders, as `cases.services.case_act` does in the console.
   - `head lock` (the baseline): the entry is sealed inside the mover's own transaction,
     which holds the single chain-head row until it commits: every audited write of the
     platform queued behind the one before it.
   - `after commit` (as shipped): the entry is written unsealed; a sealer thread links it
     into the chain after the commit, in batches.
4. Prints moves per second per mode, the ratio of the two, and checks that the chain verifies
   with every entry sealed.

A benchmark: prints figures, passes or fails nothing. Writers, the sealer and PostgreSQL share
the machine's cores.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
PG = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
DB = f"shequtong_bench_audit_{os.getpid()}"
MODES = {"head lock": "lock", "after commit": "after"}


def env() -> dict[str, str]:
    def key() -> str:
        return base64.b64encode(secrets.token_bytes(32)).decode()

    return os.environ | {
        "DATABASE_URL": f"{PG}/{DB}",
        "SHEQUTONG_MODE": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "SHEQUTONG_DATA_KEYS": f"bench:{key()}",
        "SHEQUTONG_AUDIT_KEYS": f"bench:{key()}",
        "SHEQUTONG_HMAC_KEY": secrets.token_urlsafe(32),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "SHEQUTONG_VAR_DIR": str(Path(tempfile.gettempdir()) / DB),
        "PYTHONPATH": str(ROOT / "src"),
        "DJANGO_SETTINGS_MODULE": "shequtong.settings",
        "SHEQUTONG_LOG_LEVEL": "WARNING",
    }


PREPARE = """
import json, sys
from shequtong.cases.models import Category
from shequtong.cases.services import Report, case_report
from shequtong.core.models import Area, User
writers, per = int(sys.argv[1]), int(sys.argv[2])
staff = User.objects.get(username="community_yangjiaping_01")
community = staff.grants.get().area
grid = Area.objects.filter(parent=community, level="grid").order_by("pk").first()
category = Category.objects.filter(handler_level="grid", parent__isnull=False, kind="city").first()
ids = [
    case_report(actor=staff, report=Report(category=category, description=f"第{n}件", area=grid)).pk
    for n in range(writers * per)
]
print(json.dumps({"actor": staff.pk, "cases": ids}))
"""

WORKER = """
import json, sys, time
from django.db import transaction
from shequtong.cases.models import Case
from shequtong.cases.services import case_act
from shequtong.core import audit
from shequtong.core.models import User
mode, start, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
actor_id, ids = int(sys.argv[4]), json.loads(sys.argv[5])
if mode == "lock":
    # The chain head locked inside the audited transaction, until it commits.
    audit.seal_after_commit = audit.audit_seal
actor = User.objects.get(pk=actor_id)
cases = {pk: Case.objects.get(pk=pk) for pk in ids}
cycle = {"assigned": ("start", {}), "in_progress": ("return", {"note": "需社区协调"}),
         "returned": ("assign", {"level": "grid"})}
time.sleep(max(0.0, start - time.time()))
moves, until = 0, start + seconds
while time.time() < until:
    for pk in ids:
        case = cases[pk]
        action, extra = cycle[case.status]
        cases[pk] = case_act(actor=actor, case=case, action=action, **extra)
        moves += 1
        if time.time() >= until:
            break
audit._seal_now()
print(moves)
"""

CHECK = """
from shequtong.core.audit import audit_seal, audit_verify
audit_seal()
result = audit_verify()
print(result.ok, result.checked, result.unsealed)
"""


def django(code: str, environ: dict[str, str], *args: str) -> str:
    script = "import django; django.setup()\n" + code
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def run(environ: dict[str, str], mode: str, actor: int, shares: list[list[int]], seconds: float):
    # Django's start-up in each process comes before the common start moment.
    start = time.time() + 4 + 0.3 * len(shares)
    script = "import django; django.setup()\n" + WORKER
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                script,
                mode,
                str(start),
                str(seconds),
                str(actor),
                json.dumps(s),
            ],
            env=environ,
            stdout=subprocess.PIPE,
            text=True,
        )
        for s in shares
    ]
    moves = 0
    for proc in procs:
        out, _ = proc.communicate(timeout=seconds + 120)
        if proc.returncode:
            raise SystemExit(f"a writer failed in mode {mode}")
        moves += int(out.strip().splitlines()[-1])
    return moves / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--writers", default="1,8", help="writer counts, comma-separated")
    parser.add_argument("--cases", type=int, default=30, help="cases per writer")
    options = parser.parse_args()
    counts = [int(n) for n in options.writers.split(",")]
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{DB}"')
    environ = env()
    try:
        print(f"Audited case moves — database {DB}, {os.cpu_count()} CPUs")
        started = time.perf_counter()
        shequtong = [sys.executable, "-m", "shequtong.cli"]
        subprocess.run([*shequtong, "migrate", "-v0"], env=environ, check=True)
        subprocess.run(
            [*shequtong, "seed", "--force"], env=environ, check=True, capture_output=True
        )
        most = max(counts)
        prepared = json.loads(django(PREPARE, environ, str(most), str(options.cases)))
        ids = prepared["cases"]
        shares_of = {
            n: [ids[i * options.cases : (i + 1) * options.cases] for i in range(n)] for n in counts
        }
        print(f"  set-up (migrate, seed, {len(ids)} cases)  {time.perf_counter() - started:.1f} s")
        print(f"\nMoves per second ({options.seconds:.0f} s a run; start → return → assign)")
        rates: dict[tuple[str, int], float] = {}
        for n in counts:
            for label, mode in MODES.items():
                rate = run(environ, mode, prepared["actor"], shares_of[n], options.seconds)
                rates[(mode, n)] = rate
                print(f"  {n} writer{'s' if n > 1 else ' '}  {label:<13} {rate:8,.1f} moves/s")
            ratio = rates[("after", n)] / rates[("lock", n)]
            print(f"  {n} writer{'s' if n > 1 else ' '}  after commit ÷ head lock  {ratio:.2f}")
        ok, checked, unsealed = django(CHECK, environ).split()
        print(
            f"\nChain after all runs: verifies {ok}, {int(checked):,} entries, {unsealed} unsealed"
        )
    finally:
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


if __name__ == "__main__":
    main()
