"""Benchmark of the person-ledger import (`PersonImport`) on PostgreSQL.

    .venv/bin/python bench/import_persons.py [--rows N] [--xlsx-rows M] [--profile]

Creates a throwaway database, migrates it and seeds the demo district, writes a realistic
ledger of N rows as CSV (and M rows as .xlsx), then measures, each phase in its own child
process so that the peak memory is the phase's own:

1. raw PostgreSQL COPY of the CSV into an 11-text-column table (the baseline);
2. the first import of the CSV;
3. the re-import of the unchanged CSV;
4. the import of a copy with 1 % of the phone numbers changed;
5. the first import of the .xlsx into another community;
6. with --profile, the import of 20,000 fresh rows into a third community under cProfile.

It prints figures and a summary against the targets; it never fails on a missed target.
The database is dropped at the end, also after a failure. See bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import hashlib
import io
import json
import os
import pstats
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
SCRIPT_COPY = "import_persons_phase.py"
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
HEADER = [
    "姓名",
    "性别",
    "身份证号",
    "联系电话",
    "小区",
    "楼栋",
    "单元",
    "房号",
    "与户主关系",
    "人员类型",
    "特殊人群",
]
MiB = 1024 * 1024
GiB = 1024 * MiB

# --- the ledger ------------------------------------------------------------------------------

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余"
_GIVEN_TEXT = (
    "建国 志强 秀兰 丽华 晓燕 海峰 思远 雨涵 子轩 欣怡 俊杰 婷婷 浩然 文博 嘉怡 玉梅 春燕 德明 "
    "永红 国庆 红梅 桂芳 晓东 明辉 佳琪 宇航 梓涵 一鸣 诗雨 泽宇 小芳 大勇 雪梅 家豪 伟 静 磊 敏"
)
_GIVEN = _GIVEN_TEXT.split()
ESTATES_TEXT = (
    "杨家坪小区 西郊花园 兴胜路小区 谢家湾新村 鹤兴苑 正街大院 九龙园 彩云湖小区 华岩新城 "
    "石坪桥小区 黄桷坪新村 滩子口小区 动物园小区 石桥铺小区 渝州新城 直港大道小区 "
    "劳动二村 前进支路小区 团结路小区 新华村 建设村 民主村 长石村 红狮花园 龙湖翠微 "
    "金科小区 中梁山苑 陶家小区 白市驿小区 含谷新居 巴国城 奥林匹克花园 融创小区 "
    "天奇花园 恒大城 万科城 泽科港城 龙腾大道小区 歇台子小区 科园四路小区"
)
ESTATES = ESTATES_TEXT.split()
# Region codes stdnum knows; each is used only for the birth years it was assigned in.
_REGIONS_TEXT = (
    "110101 110102 110105 110106 110108 310101 310104 310115 "
    "440106 500103 500107 510104 510107 330106 420106 320102"
)
_REGIONS = _REGIONS_TEXT.split()
_OLDEST, _YOUNGEST = date(1930, 1, 1), date(2020, 12, 31)
HOUSEHOLD_SIZES = {1: 12, 2: 30, 3: 33, 4: 25}  # weights: ~2.7 people a door
_MEAN_SIZE = sum(k * w for k, w in HOUSEHOLD_SIZES.items()) / sum(HOUSEHOLD_SIZES.values())
DOORS_PER_UNIT, UNITS = 120, 2  # 30 floors × 4 doors, 2 units a building


def _check_digit(body: str) -> str:
    from stdnum.cn import ric

    return ric.calc_check_digit(body + "0")  # stdnum ignores the last character


class Ledger:
    """Realistic ledger rows, streamed: households of 1–4 people in estates, buildings, units
    and doors; valid unique ID numbers (several regions, births 1930–2020); phones; tags.
    One instance never repeats an ID number or a phone number, across calls."""

    def __init__(self, seed: int = 2026) -> None:
        from stdnum.cn import ric

        self.rng = random.Random(seed)
        self.born: Counter[int] = Counter()  # birth date ordinal → people born that day
        self.people = 0
        self.regions: dict[int, list[str]] = {}
        for year in range(_OLDEST.year, _YOUNGEST.year + 1):
            body = f"{year}0101001"
            self.regions[year] = [
                r for r in _REGIONS if ric.is_valid(r + body + _check_digit(r + body))
            ]

    def _born(self, low: date, high: date) -> date:
        # Clamped into the range, but never onto one day: a million people would otherwise
        # pile their births onto the oldest date and run out of ID serial numbers.
        low = min(max(low, _OLDEST), _YOUNGEST)
        high = max(min(high, _YOUNGEST), min(low + timedelta(days=3650), _YOUNGEST))
        return low + timedelta(days=self.rng.randint(0, (high - low).days))

    def _id_number(self, born: date, female: bool) -> str:
        taken = self.born[born.toordinal()]
        self.born[born.toordinal()] += 1
        regions = self.regions[born.year]
        serial = taken // len(regions)
        if serial >= 500:
            raise RuntimeError(f"too many people born on {born}")
        body = (
            f"{regions[taken % len(regions)]}{born:%Y%m%d}{serial * 2 + (0 if female else 1):03d}"
        )
        return body + _check_digit(body)

    def _phone(self, born: date) -> str:
        self.people += 1
        if born.year > 2008 or self.rng.random() < 0.08:
            return ""
        prefix = self.rng.choice(("38", "39", "58", "59", "86", "87", "35", "36"))
        return f"1{prefix}{self.people:08d}"

    def _name(self, surname: str, female: bool) -> str:
        return surname + self.rng.choice(_GIVEN[:24] if female else _GIVEN[12:])

    def rows(self, count: int, estates: list[str]) -> Iterator[list[str]]:
        """`count` rows; doors fill the estates in ledger order (estate, building, unit, door)."""
        rng = self.rng
        doors_per_estate = -(-int(count / _MEAN_SIZE) // len(estates))
        sizes, weights = list(HOUSEHOLD_SIZES), list(HOUSEHOLD_SIZES.values())
        written = door = 0
        while written < count:
            estate = estates[min(door // doors_per_estate, len(estates) - 1)]
            local = door - estates.index(estate) * doors_per_estate
            door += 1
            building, rest = divmod(local, DOORS_PER_UNIT * UNITS)
            unit, rest = divmod(rest, DOORS_PER_UNIT)
            floor, room = divmod(rest, 4)
            place = [estate, f"{building + 1}栋", str(unit + 1), f"{floor + 1}{room + 1:02d}"]
            residency = "流动" if rng.random() < 0.15 else "户籍"
            size = rng.choices(sizes, weights)[0]
            surname = rng.choice(_SURNAMES)
            head_female = rng.random() < 0.4
            head_born = self._born(date(1930, 1, 1), date(1960 if size == 1 else 1995, 12, 31))
            members = [("户主", head_female, head_born)]
            if size >= 2:
                spouse = head_born + timedelta(days=rng.randint(-5 * 365, 5 * 365))
                members.append(("配偶", not head_female, self._born(spouse, spouse)))
            for _ in range(size - 2):
                female = rng.random() < 0.5
                first = date(head_born.year + 20, 1, 1)
                child = self._born(first, date(head_born.year + 40, 12, 31))
                members.append(("女" if female else "子", female, child))
            for relation, female, born in members:
                if written == count:
                    break
                tags = []
                if size == 1 and born.year < 1960 and rng.random() < 0.6:
                    tags.append("独居老人")
                if size == 2 and born.year < 1956 and rng.random() < 0.3:
                    tags.append("空巢老人")
                if rng.random() < 0.02:
                    tags.append("残疾人")
                if relation == "户主" and rng.random() < 0.03:
                    tags.append("低保")
                if born.year < 2002 and rng.random() < 0.08:
                    tags.append("党员")
                yield [
                    self._name(surname if relation != "配偶" else rng.choice(_SURNAMES), female),
                    "女" if female else "男",
                    self._id_number(born, female),
                    self._phone(born),
                    *place,
                    relation,
                    residency,
                    "、".join(tags),
                ]
                written += 1


def write_csv(path: Path, rows: Iterator[list[str]]) -> None:
    # utf-8-sig: what Excel's "CSV UTF-8" writes; COPY skips the header line with its BOM.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)


def write_changed_copy(source: Path, target: Path, every: int = 100) -> int:
    """A copy with every `every`-th data row's phone changed; the number of rows changed."""
    changed = 0
    phone = HEADER.index("联系电话")
    with (
        source.open(encoding="utf-8-sig", newline="") as src,
        target.open("w", encoding="utf-8-sig", newline="") as out,
    ):
        reader, writer = csv.reader(src), csv.writer(out)
        writer.writerow(next(reader))
        for index, row in enumerate(reader):
            if index % every == 0:
                row[phone] = f"17{index:09d}"  # unused by Ledger: 17x is not among its prefixes
                changed += 1
            writer.writerow(row)
    return changed


def write_xlsx(path: Path, rows: Iterator[list[str]]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("人口台账")
    sheet.append(HEADER)
    unit = HEADER.index("单元")
    for row in rows:
        row[unit] = int(row[unit])  # a number cell, as typed in Excel
        sheet.append(row)
    book.save(path)


# --- phases, each run in a child process -------------------------------------------------------


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def phase_copy(args: argparse.Namespace) -> dict[str, Any]:
    """COPY the CSV into a plain and an unlogged table of 11 text columns."""
    columns = sql.SQL(", ").join(sql.SQL(f"c{i} text") for i in range(len(HEADER)))
    out: dict[str, Any] = {}
    with psycopg.connect(f"{PG_SERVER}/{args.db}", autocommit=True) as conn:
        for kind in ("plain", "unlogged"):
            table = sql.Identifier(f"bench_copy_{kind}")
            create = (
                "CREATE UNLOGGED TABLE {} ({})" if kind == "unlogged" else "CREATE TABLE {} ({})"
            )
            conn.execute(sql.SQL(create).format(table, columns))
            started = time.perf_counter()
            with conn.transaction(), conn.cursor() as cur:
                copy_sql = sql.SQL("COPY {} FROM STDIN (FORMAT csv, HEADER true)").format(table)
                with cur.copy(copy_sql) as copy, Path(args.file).open("rb") as handle:
                    while chunk := handle.read(1 << 20):
                        copy.write(chunk)
            seconds = time.perf_counter() - started
            rows = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(table)).fetchone()[0]
            out[kind] = {"rows": rows, "seconds": seconds}
            conn.execute(sql.SQL("DROP TABLE {}").format(table))
    out["peak_rss"] = _peak_rss()
    return out


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequtong.settings")
    import django

    django.setup()


def phase_setup(args: argparse.Namespace) -> dict[str, Any]:
    _django()
    from django.core.management import call_command

    from shequtong.core.demo import seed_demo
    from shequtong.core.models import Area

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter()
    seed_demo()
    seeded = time.perf_counter()
    communities = list(Area.objects.filter(level="community").order_by("path"))
    return {
        "communities": [{"pk": a.pk, "name": a.name} for a in communities[:3]],
        "migrate_seconds": migrated - started,
        "seed_seconds": seeded - migrated,
        "peak_rss": _peak_rss(),
    }


def _code_fingerprint() -> str:
    """A short hash of every shequtong module loaded: which code a phase measured (others may
    be editing the importer between phases)."""
    digest = hashlib.blake2b(digest_size=5)
    for name in sorted(sys.modules):
        source = getattr(sys.modules[name], "__file__", None)
        if name.startswith("shequtong") and source and source.endswith(".py"):
            digest.update(name.encode() + Path(source).read_bytes())
    return digest.hexdigest()


_SQL_TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"(\w+)"', re.IGNORECASE)


def _sql_key(statement: str) -> str:
    """ "INSERT registry_person", "SELECT registry_household", "SAVEPOINT" …"""
    verb = statement.split(None, 1)[0].upper() if statement.strip() else "?"
    table = _SQL_TABLE.search(statement)
    return f"{verb} {table.group(1)}" if table else verb


def phase_import(args: argparse.Namespace) -> dict[str, Any]:
    _django()
    from django.db import connection

    from shequtong.core.models import Area
    from shequtong.registry.importing.persons import PersonImport

    code = _code_fingerprint()
    community = Area.objects.get(pk=args.community)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    step = max(50_000, args.expect // 10)
    shown = [0]

    def progress(rows: int) -> None:
        if rows - shown[0] >= step:
            shown[0] = rows
            seconds = time.perf_counter() - started
            print(
                f"    … {rows:>10,} rows  {seconds:7.1f} s  {rows / seconds:8,.0f} rows/s",
                file=sys.stderr,
                flush=True,
            )

    importer = PersonImport(community=community, actor=None, progress=progress)
    statements: dict[str, list[float]] = {}  # "INSERT registry_person" → [count, seconds]

    def tally(execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            entry = statements.setdefault(_sql_key(sql), [0, 0.0])
            entry[0] += 1
            entry[1] += time.perf_counter() - began

    profile_text = ""
    with connection.execute_wrapper(tally):
        if args.profile:
            profiler = cProfile.Profile()
            report = profiler.runcall(importer.run, Path(args.file))
            seconds = time.perf_counter() - started
            for order in ("cumulative", "tottime"):
                text = io.StringIO()
                stats = pstats.Stats(profiler, stream=text).strip_dirs().sort_stats(order)
                stats.print_stats(args.profile_top)
                body = text.getvalue().split("\n\n", 1)[-1].strip("\n")
                profile_text += f"\n--- top {args.profile_top} by {order} time ---\n{body}\n"
        else:
            report = importer.run(Path(args.file))
            seconds = time.perf_counter() - started
    return {
        "statements": statements,
        "counts": dict(report.counts),
        "first_rejections": [[r.row, r.errors] for r in report.rejected[:5]],
        "seconds": seconds,
        "peak_rss": _peak_rss(),
        "profile": profile_text,
        "code": code,
        "load": [load, os.getloadavg()[0]],
    }


PHASES = {"copy": phase_copy, "setup": phase_setup, "import": phase_import}


def run_phase(name: str, env: dict[str, str], workdir: Path, **options: Any) -> dict[str, Any]:
    """Run one phase in a fresh interpreter; its result comes back through a JSON file."""
    result = workdir / f"result-{name}-{time.monotonic_ns()}.json"
    command = [sys.executable, str(workdir / SCRIPT_COPY), "--phase", name]
    command += ["--result", str(result)]
    for key, value in options.items():
        if value is True:
            command.append(f"--{key.replace('_', '-')}")
        elif value not in (None, False):
            command += [f"--{key.replace('_', '-')}", str(value)]
    subprocess.run(command, env=env, check=True)
    return json.loads(result.read_text())


# --- orchestration -----------------------------------------------------------------------------


def _admin(statement: sql.Composable) -> None:
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(statement)


def _rate(rows: int, seconds: float) -> float:
    return rows / seconds if seconds else float("inf")


def _mib(size: int) -> str:
    return f"{size / MiB:,.0f} MiB"


def _line(label: str, value: str) -> None:
    print(f"  {label:<28}{value}")


def _timed(label: str, work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    print(f"  {label:<28}{seconds:,.1f} s")
    return seconds


def _git(*command: str) -> str:
    done = subprocess.run(["git", *command], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else "?"


class Run:
    """The orchestrating process: files, phases and what they printed."""

    def __init__(
        self, args: argparse.Namespace, env: dict[str, str], workdir: Path, code: str
    ) -> None:
        self.args, self.env, self.workdir, self.code = args, env, workdir, code
        self.database = env["DATABASE_URL"].rsplit("/", 1)[-1]
        self.codes: dict[str, str] = {}
        self.copy_rate = 0.0

    def imported(
        self, title: str, path: Path, community: dict[str, Any], rows: int, **extra: Any
    ) -> tuple[dict[str, Any], float]:
        print(f"\n{title}\n  importing {path.name} ({rows:,} rows) into {community['name']} …")
        result = run_phase(
            "import",
            self.env,
            self.workdir,
            db=self.database,
            file=path,
            community=community["pk"],
            expect=rows,
            **extra,
        )
        self.codes[title] = result["code"]
        counts = result["counts"]
        rate = _rate(counts["rows"], result["seconds"])
        _line("time", f"{result['seconds']:,.1f} s")
        _line("rows/s", f"{rate:,.0f}")
        if self.copy_rate and not extra.get("profile"):
            ratio = rate / self.copy_rate
            _line("ratio to COPY (plain)", f"{ratio:.4f}  (COPY is {1 / ratio:,.0f}× faster)")
        _line("peak memory (ru_maxrss)", _mib(result["peak_rss"]))
        _line("counts", "  ".join(f"{k}={v:,}" for k, v in counts.items()))
        for row, errors in result["first_rejections"]:
            _line(f"  rejected row {row}", "; ".join(f"{c}: {m}" for c, m in errors))
        statements = result["statements"]
        total = sum(count for count, _ in statements.values())
        _line(
            "SQL statements",
            f"{total:,} ({total / max(counts['rows'], 1):.2f} a row), "
            f"{sum(s for _, s in statements.values()):,.1f} s in the database driver",
        )
        if extra.get("profile"):
            _print_statements(statements, counts["rows"])
        _line("load average start / end", "{:.2f} / {:.2f}".format(*result["load"]))
        _line("code fingerprint", result["code"])
        return result, rate


def _print_statements(statements: dict[str, list[float]], rows: int, top: int = 12) -> None:
    """The statements that took longest, grouped by verb and table."""
    print(f"    {'statement':<42}{'count':>10}{'per 1,000 rows':>16}{'seconds':>10}")
    ranked = sorted(statements.items(), key=lambda item: -item[1][1])
    for key, (count, seconds) in ranked[:top]:
        per = count * 1000 / max(rows, 1)
        print(f"    {key:<42}{count:>10,.0f}{per:>16,.1f}{seconds:>10,.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="CSV rows (default 1,000,000)")
    parser.add_argument(
        "--xlsx-rows", type=int, default=100_000, help="xlsx rows (default 100,000); 0 skips it"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also cProfile the import of --profile-rows fresh rows (a separate, extra phase)",
    )
    parser.add_argument("--profile-rows", type=int, default=20_000)
    parser.add_argument("--profile-top", type=int, default=15)
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    # Internal: one phase in a child process.
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--community", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--expect", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        Path(args.result).write_text(json.dumps(PHASES[args.phase](args)))
        return
    if args.rows < 100:
        parser.error("--rows must be at least 100 (1 % of it is changed)")
    database = f"shequtong_bench_{os.getpid()}"
    with tempfile.TemporaryDirectory(prefix="shequtong_bench_") as tmp:
        workdir = Path(tmp)
        dirty = len(_git("status", "--porcelain", "src").splitlines())
        code = f"git {_git('rev-parse', '--short', 'HEAD')} + {dirty} changed paths"
        # Every phase runs the code as it was at the start, even if src/ changes meanwhile.
        shutil.copytree(
            ROOT / "src" / "shequtong",
            workdir / "src" / "shequtong",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        shutil.copy2(__file__, workdir / SCRIPT_COPY)  # and so does this script
        env = os.environ | {
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(workdir / "src"), os.environ.get("PYTHONPATH")])
            ),
            "SHEQUTONG_MODE": "test",
            "DATABASE_URL": f"{PG_SERVER}/{database}",
            "SHEQUTONG_VAR_DIR": str(workdir / "var"),
            "DJANGO_SETTINGS_MODULE": "shequtong.settings",
        }
        _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        try:
            run_all(Run(args, env, workdir, code))
        finally:
            if args.keep_db:
                print(f"\ndatabase kept: {database}")
            else:
                drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                _admin(drop.format(sql.Identifier(database)))
                print(f"\ndatabase {database} dropped")


def run_all(run: Run) -> None:
    args, workdir = run.args, run.workdir
    n, m = args.rows, args.xlsx_rows
    began = time.perf_counter()
    print(f"PersonImport benchmark — {n:,} CSV rows, {m:,} xlsx rows")
    python = sys.version.split()[0]
    print(f"  {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}, Python {python}")
    print(f"  code: a copy of src/ taken at the start ({run.code})")
    print(f"  database {run.database} on {PG_SERVER.rsplit('@', 1)[-1]}, files in {workdir}")

    print("\nPreparing")
    setup = run_phase("setup", run.env, workdir)
    _line("migrate", f"{setup['migrate_seconds']:,.1f} s")
    _line("seed_demo", f"{setup['seed_seconds']:,.1f} s")
    first, second, third = setup["communities"]

    ledger = Ledger()
    estates = ESTATES[: max(4, min(30, round(n / _MEAN_SIZE / 12_000)))]
    xlsx_estates = ESTATES[len(ESTATES) - max(2, min(10, round(m / _MEAN_SIZE / 12_000))) :]
    csv_path, changed_path = workdir / "台账.csv", workdir / "台账-1pct.csv"
    xlsx_path, profile_path = workdir / "台账.xlsx", workdir / "台账-profile.csv"
    _timed(f"write CSV ({n:,} rows)", lambda: write_csv(csv_path, ledger.rows(n, estates)))
    changed = write_changed_copy(csv_path, changed_path)
    _line("CSV size", _mib(csv_path.stat().st_size))
    _line("estates, people per door", f"{len(estates)}, {_MEAN_SIZE:.2f} on average")
    xlsx_write = 0.0
    if m:
        xlsx_write = _timed(
            f"write xlsx ({m:,} rows)", lambda: write_xlsx(xlsx_path, ledger.rows(m, xlsx_estates))
        )
        _line("xlsx size", _mib(xlsx_path.stat().st_size))
    if args.profile:
        write_csv(profile_path, ledger.rows(args.profile_rows, estates[:2]))

    copy = run_phase("copy", run.env, workdir, db=run.database, file=csv_path)
    run.copy_rate = _rate(copy["plain"]["rows"], copy["plain"]["seconds"])
    print("\nBaseline: PostgreSQL COPY of the same CSV (11 text columns, psycopg cursor.copy)")
    for kind in ("plain", "unlogged"):
        rows, seconds = copy[kind]["rows"], copy[kind]["seconds"]
        rate = _rate(rows, seconds)
        _line(f"{kind} table", f"{rows:,} rows in {seconds:,.2f} s = {rate:,.0f} rows/s")
    _line("peak memory (ru_maxrss)", _mib(copy["peak_rss"]))

    result, first_rate = run.imported("First import of the CSV", csv_path, first, n)
    first_counts, peaks = result["counts"], {"CSV first": result["peak_rss"]}

    result, again_rate = run.imported("Re-import of the unchanged CSV", csv_path, first, n)
    _line("speed-up vs first import", f"{again_rate / first_rate:.2f}×")
    again_counts, peaks["re-import"] = result["counts"], result["peak_rss"]

    title = f"Import of the copy with 1 % of rows changed ({changed:,} phone numbers)"
    result, _ = run.imported(title, changed_path, first, n)
    pct_counts, peaks["1 % changed"] = result["counts"], result["peak_rss"]

    if m:
        result, xlsx_rate = run.imported("First import of the xlsx", xlsx_path, second, m)
        peaks["xlsx"] = result["peak_rss"]
        _line("xlsx write (openpyxl)", f"{xlsx_write:,.1f} s = {_rate(m, xlsx_write):,.0f} rows/s")
        print(
            f"  (the xlsx holds {m:,} rows, not {n:,}: openpyxl takes long to write a 1M-row"
            " workbook, so its figures stand apart from the CSV ones)"
        )

    profile = None
    if args.profile:
        title = "Profiled import (cProfile, slower than unprofiled; not in the summary)"
        profile, _ = run.imported(
            title,
            profile_path,
            third,
            args.profile_rows,
            profile=True,
            profile_top=args.profile_top,
        )

    with psycopg.connect(run.env["DATABASE_URL"]) as conn:
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    print(f"\nDatabase size after all phases: {_mib(size)}")

    worst = max(peaks, key=peaks.__getitem__)
    ratio = first_rate / run.copy_rate
    summary = [
        (
            "CSV first import ÷ COPY",
            "≥ 0.25",
            f"{ratio:.4f} ({first_rate:,.0f} vs {run.copy_rate:,.0f} rows/s)",
            ratio >= 0.25,
        ),
        (
            "peak memory, worst phase",
            "< 1 GiB",
            f"{_mib(peaks[worst])} ({worst})",
            peaks[worst] < GiB,
        ),
        (
            "re-import speed-up",
            "≥ 2×",
            f"{again_rate / first_rate:.2f}× ({again_rate:,.0f} vs {first_rate:,.0f} rows/s)",
            again_rate >= 2 * first_rate,
        ),
        (
            "1 % file updates only those",
            f"updated = {changed:,}",
            f"updated={pct_counts['updated']:,} unchanged={pct_counts['unchanged']:,}"
            f" new={pct_counts['new']:,} rejected={pct_counts['rejected']:,}",
            pct_counts["updated"] == changed
            and pct_counts["unchanged"] == n - changed
            and pct_counts["new"] == pct_counts["rejected"] == 0,
        ),
        (
            "(check) first import all new",
            f"new = {n:,}",
            f"new={first_counts['new']:,} rejected={first_counts['rejected']:,}",
            first_counts["new"] == n and first_counts["rejected"] == 0,
        ),
        (
            "(check) re-import all unchanged",
            f"unchanged = {n:,}",
            f"unchanged={again_counts['unchanged']:,} updated={again_counts['updated']:,}",
            again_counts["unchanged"] == n,
        ),
    ]
    if m:
        summary.append(
            (
                "(info) xlsx first import",
                "",
                f"{xlsx_rate:,.0f} rows/s, {_mib(peaks['xlsx'])}",
                None,
            )
        )
    elapsed = time.perf_counter() - began
    print(
        f"\nSummary — {n:,} CSV rows"
        + (f", {m:,} xlsx rows" if m else "")
        + f", {elapsed / 60:,.1f} min in all"
    )
    width = max(len(row[2]) for row in summary) + 2
    print(f"  {'target':<33}{'wanted':<20}{'measured':<{width}}result")
    for name, wanted, measured, met in summary:
        verdict = "" if met is None else "met" if met else "NOT MET"
        print(f"  {name:<33}{wanted:<20}{measured:<{width}}{verdict}")
    if len(set(run.codes.values())) > 1:
        print("  WARNING: the code changed between phases:")
        for title, code in run.codes.items():
            print(f"    {code}  {title}")
    if profile:
        print(f"\nProfile of the import of {args.profile_rows:,} fresh rows{profile['profile']}")


if __name__ == "__main__":
    main()
