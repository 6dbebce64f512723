"""Cells every export writes: text that a spreadsheet would run as a formula is kept as text.

A case description `=HYPERLINK("http://…"&A1,"查看详情")` or a facility named `=1+2` must reach
the register's reader as the words that were typed, never as a live formula (CSV injection,
OWASP). Text starting with `=`, `+`, `-`, `@`, a tab or a carriage return is neutralised: in
.xlsx it is written as a text cell with Excel's quote prefix (shown as typed, never evaluated,
still text when edited); in .csv, which carries no types, it gets a leading apostrophe.
Numbers, dates and other values pass through unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: Any) -> Any:
    return f"'{value}" if formula_like(value) else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(value) for value in values]


def xlsx_row(sheet: WriteOnlyWorksheet, values: Iterable[Any]) -> list[Any]:
    """A row for `sheet.append`, formula-like text as quoted text cells."""
    row: list[Any] = []
    for value in values:
        if formula_like(value):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            cell.quotePrefix = True
            row.append(cell)
        else:
            row.append(value)
    return row
