"""Registry test data: valid ID numbers, ledgers written as real .csv and .xlsx files."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from stdnum.cn import ric, uscc

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


def id_number(
    n: int, *, born: date = date(1950, 1, 1), female: bool = False, region: str = "110105"
) -> str:
    """A valid 18-digit ID: `n` picks the birth date and sequence, `female` the parity."""
    day = born + timedelta(days=n // 400)
    seq = (n % 400) * 2 + (0 if female else 1)
    body = f"{region}{day:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


_SURNAMES = "张李王赵孙周吴郑冯陈"
_GIVEN = "伟芳娜敏静丽强磊军洋"


def credit_code(n: int) -> str:
    """A valid 统一社会信用代码 (a company's), the n-th of its kind."""
    body = f"91510403{n:09d}"
    return body + uscc.calc_check_digit(body)


def name(n: int) -> str:
    """张三, 李四 … then distinct two- and three-character names."""
    if n < 6:
        return ["张三", "李四", "王五", "赵六", "孙七", "周八"][n]
    return _SURNAMES[n % 10] + _GIVEN[(n // 10) % 10] + ("" if n < 100 else _GIVEN[n // 100 % 10])


def person_row(n: int, **overrides: Any) -> list[Any]:
    female = n % 2 == 0
    row = {
        "姓名": name(n),
        "性别": "女" if female else "男",
        "身份证号": id_number(n, female=female),
        "联系电话": f"138{n:08d}",
        "小区": "杨家坪小区",
        "楼栋": f"{n % 3 + 1}栋",
        "单元": "1",
        "房号": f"{n % 6 + 1}0{n % 2 + 1}",
        "与户主关系": "户主" if n % 2 else "配偶",
        "人员类型": "户籍",
        "特殊人群": "",
    }
    row.update(overrides)
    return [row[h] for h in HEADER]


def ledger_rows(count: int) -> list[list[Any]]:
    return [person_row(n) for n in range(count)]


def write_csv(
    path: Path,
    rows: Sequence[Sequence[Any]],
    *,
    header: Sequence[str] = HEADER,
    encoding: str = "utf-8-sig",
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(
    path: Path,
    rows: Sequence[Sequence[Any]],
    *,
    header: Sequence[str] = HEADER,
    title: str | None = None,
) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "人口台账"
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path
