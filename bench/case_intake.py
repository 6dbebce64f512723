"""Case intake over the API, and the deadline sweep, on PostgreSQL.

Usage: .venv/bin/python bench/case_intake.py [--seconds 15] [--clients 8] [--sweep-cases 5000000]

1. Creates a throwaway database, migrates it and seeds the demo district (6 communities, their
   grids with boundaries, a district admin whose API token files the reports).
2. Serves `bench/intake_site.py` — the platform in production mode plus a baseline endpoint —
   with granian in WSGI mode, 2 workers (the `shequtong serve` command line).
3. Saturation: `--clients` keep-alive connections POST for `--seconds`, first to the baseline
   (a django-ninja endpoint inserting one plain row), then to POST /api/v1/cases: token
   authentication, no category given (the classifier files it), a point inside a random grid
   (area lookup), the duplicate check, the case, its timeline step, the notifications. Prints
   throughput and the ratio of intake to baseline.
4. Latency at half of saturation: requests paced at 50 % of the intake's saturated rate;
   p50 / p99.
5. The sweep: fills `cases_case` to `--sweep-cases` rows (a fifth open) straight from SQL,
   10,000 of the open ones past their deadline and 20,000 inside the last quarter of their
   time, then times `shequtong cases sweep`.

A benchmark: prints figures, passes or fails nothing. The client runs on the same 2 cores as
the server, for the baseline and the intake alike.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
PG = "postgresql://postgres@127.0.0.1:5432"
DB = f"shequtong_bench_intake_{os.getpid()}"
PORT = 8765
DESCRIPTIONS = [
    "小区门口垃圾桶满溢，臭味很大",
    "人行道井盖缺失，晚上很危险",
    "楼道堆放杂物，消防通道被堵",
    "有人在楼道飞线给电动车充电",
    "路边小广告贴满了电线杆",
    "占道经营的摊贩堵住了路",
    "下水道堵了路面积水",
]


def env(**extra: str) -> dict[str, str]:
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    return (
        os.environ
        | {
            "DATABASE_URL": f"{PG}/{DB}",
            "SHEQUTONG_MODE": "production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
            "SHEQUTONG_DATA_KEYS": f"bench:{key}",
            "SHEQUTONG_AUDIT_KEYS": f"bench:{base64.b64encode(secrets.token_bytes(32)).decode()}",
            "SHEQUTONG_HMAC_KEY": secrets.token_urlsafe(32),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "SHEQUTONG_VAR_DIR": str(Path(tempfile.gettempdir()) / DB),
            "PYTHONPATH": f"{ROOT / 'bench'}:{ROOT / 'src'}",
            "DJANGO_SETTINGS_MODULE": "shequtong.settings",
        }
        | extra
    )


def django(code: str, environ: dict[str, str]) -> str:
    script = "import django; django.setup()\n" + code
    done = subprocess.run(
        [sys.executable, "-c", script], env=environ, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def setup(environ: dict[str, str]) -> tuple[str, list[tuple[float, float]]]:
    shequtong = [sys.executable, "-m", "shequtong.cli"]
    started = time.perf_counter()
    subprocess.run([*shequtong, "migrate", "-v0"], env=environ, check=True)
    subprocess.run([*shequtong, "seed", "--force"], env=environ, check=True, capture_output=True)
    with psycopg.connect(f"{PG}/{DB}", autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_plain (id bigserial PRIMARY KEY, body text NOT NULL)")
    token = django(
        "from shequtong.core.models import User\n"
        "from shequtong.core.services import api_token_create\n"
        "user = User.objects.get(username='district_admin')\n"
        "print(api_token_create(actor=user, name='bench')[1])",
        environ,
    )
    points = json.loads(
        django(
            "import json, random\n"
            "from shapely.geometry import shape, Point\n"
            "from shequtong.core.models import Area\n"
            "rng = random.Random(1); out = []\n"
            "for a in Area.objects.filter(level='grid', boundary__isnull=False):\n"
            "    poly = shape(a.boundary); x0, y0, x1, y1 = poly.bounds\n"
            "    while len(out) % 20 or not out or out[-1][2] != a.pk:\n"
            "        p = Point(rng.uniform(x0, x1), rng.uniform(y0, y1))\n"
            "        if poly.contains(p): out.append((p.x, p.y, a.pk))\n"
            "print(json.dumps([(x, y) for x, y, _ in out]))",
            environ,
        )
    )
    print(f"  set-up (migrate, seed, token)  {time.perf_counter() - started:.1f} s")
    return token, points


def serve(environ: dict[str, str]) -> subprocess.Popen:
    # `shequtong serve`'s command line (core/management/commands/serve.py) with the bench's
    # target; spelled out because importing the command needs Django set up.
    argv = [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1"]
    argv += ["--port", str(PORT), "--workers", "2", "--blocking-threads", "1"]
    argv += ["intake_site:application"]
    server = subprocess.Popen(
        argv,
        env=environ | {"DJANGO_SETTINGS_MODULE": "intake_site"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", PORT), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


class Load:
    """Keep-alive clients POSTing for a while; counts and latencies per status."""

    def __init__(self, path: str, body: callable, headers: dict[str, str]) -> None:
        self.path, self.body, self.headers = path, body, headers
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self.lock = threading.Lock()

    def client(self, until: float, interval: float | None) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        next_at = time.perf_counter()
        while (now := time.perf_counter()) < until:
            if interval is not None:
                if now < next_at:
                    time.sleep(next_at - now)
                next_at += interval
            started = time.perf_counter()
            headers = self.headers | {"Idempotency-Key": secrets.token_hex(12)}
            conn.request("POST", self.path, body=json.dumps(self.body()), headers=headers)
            response = conn.getresponse()
            response.read()
            took = time.perf_counter() - started
            with self.lock:
                self.latencies.append(took)
                self.statuses[response.status] = self.statuses.get(response.status, 0) + 1
        conn.close()

    def run(self, clients: int, seconds: float, rate: float | None = None) -> float:
        until = time.perf_counter() + seconds
        interval = clients / rate if rate else None
        threads = [
            threading.Thread(target=self.client, args=(until, interval)) for _ in range(clients)
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return len(self.latencies) / (time.perf_counter() - started)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def intake(token: str, points: list[tuple[float, float]], clients: int, seconds: float) -> None:
    rng = random.Random(7)
    headers = {"Content-Type": "application/json"}

    def plain() -> dict:
        return {"body": rng.choice(DESCRIPTIONS)}

    def case() -> dict:
        lon, lat = rng.choice(points)
        return {"description": rng.choice(DESCRIPTIONS), "lon": lon, "lat": lat}

    warm = Load("/bench/plain", plain, headers)
    warm.run(2, 2)
    base = Load("/bench/plain", plain, headers)
    base_rate = base.run(clients, seconds)
    authed = headers | {"Authorization": f"Bearer {token}"}
    Load("/api/v1/cases", case, authed).run(2, 2)
    full = Load("/api/v1/cases", case, authed)
    case_rate = full.run(clients, seconds)
    print(f"\nSaturation ({clients} keep-alive clients, {seconds:.0f} s each)")
    print(f"  baseline: plain row           {base_rate:,.0f} req/s   statuses {base.statuses}")
    print(f"  POST /api/v1/cases            {case_rate:,.0f} req/s   statuses {full.statuses}")
    print(f"  ratio to baseline             {case_rate / base_rate:.2f}   (target ≥ 0.4)")
    half = Load("/api/v1/cases", case, authed)
    half.run(4, seconds, rate=case_rate / 2)
    print(f"\nLatency at half of saturation ({case_rate / 2:,.0f} req/s offered)")
    print(f"  achieved                      {len(half.latencies) / seconds:,.0f} req/s")
    print(f"  p50                           {percentile(half.latencies, 50) * 1000:.1f} ms")
    p99 = percentile(half.latencies, 99) * 1000
    print(f"  p99                           {p99:.1f} ms   (target < 150)")
    print(f"  mean                          {statistics.mean(half.latencies) * 1000:.1f} ms")


FILL = """
INSERT INTO cases_case (
    area_id, area_path, created_at, updated_at, category_id, source, status, priority,
    description, address, reporter_name, reporter_phone, idempotency_key, external_id, attributes,
    handler_level, due_at, deadline_state, supervision_count, reopen_count, rating,
    rating_comment, lon, lat, resolved_at, closed_at
)
SELECT g.id, g.path, t.created, t.created, c.id, 'patrol',
       CASE WHEN n %% 5 = 0 THEN 'in_progress' ELSE 'closed' END, 2,
       '批量生成的事件', '', '', '', NULL, '', '{}', 'grid', t.due,
       CASE WHEN n %% 5 <> 0 THEN 'on_time'
            WHEN t.due < now() THEN 'overdue'
            WHEN t.due - now() <= (t.due - t.created) / 4 THEN 'warning'
            ELSE 'on_time' END,
       0, 0, '', '', NULL, NULL,
       CASE WHEN n %% 5 = 0 THEN NULL ELSE t.due END,
       CASE WHEN n %% 5 = 0 THEN NULL ELSE t.due END
FROM generate_series(1, %(rows)s) AS n
CROSS JOIN LATERAL (
    SELECT now() - (n %% 600) * interval '1 day' - interval '1 hour' AS created,
           now() + ((n %% 60) - 30) * interval '1 day' + interval '6 hours' AS due
) AS t
JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS i, id, path FROM core_area
      WHERE level = 'grid') AS g ON g.i = n %% %(grids)s
JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS i, id FROM cases_category
      WHERE parent_id IS NOT NULL) AS c ON c.i = n %% %(categories)s
"""


def sweep(environ: dict[str, str], rows: int) -> None:
    print(f"\nThe sweep over {rows:,} cases")
    started = time.perf_counter()
    with psycopg.connect(f"{PG}/{DB}", autocommit=True) as conn:
        grids = conn.execute("SELECT count(*) FROM core_area WHERE level = 'grid'").fetchone()[0]
        categories = conn.execute(
            "SELECT count(*) FROM cases_category WHERE parent_id IS NOT NULL"
        ).fetchone()[0]
        conn.execute(FILL, {"rows": rows, "grids": grids, "categories": categories})
        # As a sweep finds them every few minutes: earlier sweeps have marked the rest; since
        # the last one 10,000 open cases passed their deadline, 20,000 entered the last quarter.
        conn.execute(
            "UPDATE cases_case SET deadline_state = 'on_time', due_at = now() - interval '1 hour',"
            " created_at = now() - interval '3 days' WHERE id IN (SELECT id FROM cases_case"
            " WHERE status = 'in_progress' AND deadline_state = 'overdue' LIMIT 10000)"
        )
        conn.execute(
            "UPDATE cases_case SET due_at = now() + interval '12 hours',"
            " created_at = now() - interval '4 days', deadline_state = 'on_time'"
            " WHERE id IN (SELECT id FROM cases_case WHERE status = 'in_progress'"
            " AND deadline_state = 'on_time' AND due_at > now() + interval '2 days' LIMIT 20000)"
        )
        conn.execute("VACUUM ANALYZE cases_case")
        counts = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'in_progress') FROM cases_case"
        ).fetchone()
    print(
        f"  filled                        {counts[0]:,} cases, {counts[1]:,} open, "
        f"in {time.perf_counter() - started:.0f} s"
    )
    took, report = _sweep(environ)
    print(f"  sweep                         {took:.1f} s (process start included; target < 60)")
    print(f"  its report                    {report}")
    took, report = _sweep(environ)
    print(f"  a second sweep (nothing due)  {took:.1f} s: {report}")


def _sweep(environ: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "shequtong.cli", "cases", "sweep"],
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - started, done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15, help="0 skips the intake phases")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--sweep-cases", type=int, default=5_000_000)
    options = parser.parse_args()
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{DB}"')
    environ = env()
    server = None
    try:
        print(f"Case intake — database {DB}, {os.cpu_count()} CPUs")
        token, points = setup(environ)
        if options.seconds > 0:
            server = serve(environ)
            intake(token, points, options.clients, options.seconds)
            server.terminate()
            server.wait()
            server = None
        if options.sweep_cases:
            sweep(environ, options.sweep_cases)
    finally:
        if server is not None:
            server.kill()
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


if __name__ == "__main__":
    main()
