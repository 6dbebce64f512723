"""Reading ledgers as communities keep them: .xlsx/.xls/.ods through calamine, CSV in UTF-8 or
GBK, title rows above the header, blank rows, hidden sheets — one row at a time.

A CSV is streamed and never held in memory; a workbook sheet is decoded by calamine (Rust) and
handed over row by row. A ledger uploaded in the console is read from the bytes decrypted from
its sealed file, so its plaintext never touches the disk.

A workbook is a zip, and calamine holds the decoded sheet in memory: before it decodes anything,
the zip's members are checked against `SHEQUTONG_IMPORT_MAX_UNPACKED_MB` and the sheets' rows
counted against `SHEQUTONG_IMPORT_MAX_ROWS`, streaming, so a zip bomb costs a read, not the
server's memory. A CSV's lines are counted the same way.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from shequtong.core.errors import DomainError

# Looked for in the first rows: ledgers often start with a title ("杨家坪社区人口台账").
HEADER_SEARCH_ROWS = 10
_SNIFF_BYTES = 1 << 16

# A ledger on disk (the command line) or its bytes in memory (an upload, decrypted).
Source = Path | bytes


def _binary(source: Source) -> BinaryIO:
    return io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")


class ImportFileError(DomainError):
    """The file as a whole cannot be read: nothing in it is imported."""

    def __init__(self, message: str) -> None:
        super().__init__("bad_file", message)


@dataclass
class Table:
    header: list[str]
    header_row: int  # 1-based, as the spreadsheet shows it
    rows: Iterator[tuple[int, list[Any]]]  # (1-based row number, cells)
    notes: list[str] = field(default_factory=list)


def _kind(source: Source) -> str:
    with _binary(source) as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "zip"  # .xlsx or .ods
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"  # .xls (BIFF)
    if head.startswith(b"%PDF"):
        raise ImportFileError("文件内容是 PDF，不是 Excel 表格或 CSV：请上传台账的原始 Excel 文件")
    if head[:4] in (b"\x89PNG", b"GIF8") or head[:3] == b"\xff\xd8\xff":
        raise ImportFileError("文件内容是图片，不是 Excel 表格或 CSV")
    return "text"


# A sheet's rows: <row …> in an .xlsx worksheet (any namespace prefix), <table:table-row …> in
# an .ods content.xml. Members holding sheets are the only ones worth counting.
_ROW_TAG = re.compile(rb"<(?:[A-Za-z][\w.-]*:)?(?:row|table-row)[\s>/]")
_SHEET_MEMBER = re.compile(r"(?:xl/worksheets/[^/]+\.xml|content\.xml)$")
_MAX_MEMBERS = 2_000
_CHUNK = 1 << 20


def _too_many_rows(rows: int) -> ImportFileError:
    limit = settings.SHEQUTONG_IMPORT_MAX_ROWS
    return ImportFileError(
        f"文件超过 {limit:,} 行（至少 {rows:,} 行）：请按社区或网格拆分成多个文件后分别导入"
    )


def _rows_in_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> int:
    """Row tags in one member, streamed; stops as soon as `limit` is passed."""
    rows, tail = 0, b""
    with archive.open(info) as member:
        while chunk := member.read(_CHUNK):
            buffer = tail + chunk
            cut = buffer.rfind(b"<")  # a tag is never split between two counts
            if cut < 0 or len(buffer) - cut > 256:
                cut = len(buffer)
            rows += len(_ROW_TAG.findall(buffer, 0, cut))
            tail = buffer[cut:]
            if rows > limit:
                return rows
    return rows + len(_ROW_TAG.findall(tail))


def _check_workbook_size(source: Source) -> None:
    """Refuse a workbook whose unpacked size or row count passes the limits, before decoding."""
    unpacked_limit = settings.SHEQUTONG_IMPORT_MAX_UNPACKED_MB << 20
    row_limit = settings.SHEQUTONG_IMPORT_MAX_ROWS + HEADER_SEARCH_ROWS
    try:
        with _binary(source) as handle, zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
            if len(members) > _MAX_MEMBERS:
                raise ImportFileError(f"文件内含 {len(members):,} 个部件，不像是 Excel 台账")
            unpacked = sum(info.file_size for info in members)
            if unpacked > unpacked_limit:
                raise ImportFileError(
                    f"文件解压后有 {unpacked >> 20:,} MB，超过 "
                    f"{settings.SHEQUTONG_IMPORT_MAX_UNPACKED_MB} MB 上限：请拆分后分别导入，"
                    "或删去多余的工作表、图片和格式"
                )
            for info in members:
                if _SHEET_MEMBER.search(info.filename):
                    rows = _rows_in_member(archive, info, row_limit)
                    if rows > row_limit:
                        raise _too_many_rows(rows - HEADER_SEARCH_ROWS)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        # A member larger than its header says fails its CRC here, before calamine sees it.
        raise ImportFileError(f"无法读取 Excel 文件（文件已损坏或加密）：{exc}") from exc


def _check_text_size(source: Source) -> None:
    lines = count_rows(source) or 0
    if lines > settings.SHEQUTONG_IMPORT_MAX_ROWS + HEADER_SEARCH_ROWS:
        raise _too_many_rows(lines - HEADER_SEARCH_ROWS)


def _csv_encoding(source: Source) -> str:
    """UTF-8 (with or without BOM) when the start decodes as UTF-8, else GB18030 (⊃ GBK)."""
    with _binary(source) as handle:
        sample = handle.read(_SNIFF_BYTES)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _csv_rows(source: Source, encoding: str) -> Iterator[tuple[int, list[Any]]]:
    with io.TextIOWrapper(_binary(source), encoding=encoding, newline="") as handle:
        number = 0  # the row before the one that failed, also when the first one does
        try:
            for number, row in enumerate(csv.reader(handle), start=1):
                yield number, row
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                f"文件编码混杂：第 {number + 1} 行附近既不是 UTF-8 也不是 GBK，"
                "请用 Excel 另存为“CSV UTF-8”后再上传"
            ) from exc
        except csv.Error as exc:
            raise ImportFileError(f"CSV 格式错误（第 {number + 1} 行附近）：{exc}") from exc


def _workbook_rows(source: Source, notes: list[str]) -> Iterator[tuple[int, list[Any]]]:
    try:
        if isinstance(source, bytes):
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(source))
        else:
            workbook = CalamineWorkbook.from_path(str(source))
    except (CalamineError, OSError, ValueError) as exc:
        raise ImportFileError(f"无法读取 Excel 文件（文件已损坏或加密）：{exc}") from exc
    visible = [m.name for m in workbook.sheets_metadata if m.visible == SheetVisibleEnum.Visible]
    if not visible:
        raise ImportFileError("工作簿中没有可见的工作表")
    hidden = len(workbook.sheets_metadata) - len(visible)
    if hidden:
        notes.append(f"已忽略 {hidden} 个隐藏工作表")
    if len(visible) > 1:
        notes.append(f"工作簿有 {len(visible)} 个工作表，只导入第一个：“{visible[0]}”")
    sheet = workbook.get_sheet_by_name(visible[0])
    first = sheet.start[0] if sheet.start else 0
    for offset, row in enumerate(sheet.iter_rows()):
        yield first + offset + 1, list(row)


def cell_text(value: Any) -> str:
    """A cell as the text a person sees: 1.0 → "1", a date → "2020-01-02"."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _is_blank(row: Iterable[Any]) -> bool:
    return all(cell_text(c) == "" for c in row)


def open_table(
    path: Source,
    known_headers: set[str],
    *,
    what: str = "人口台账",
    example: str = "姓名、身份证号、联系电话",
) -> Table:
    """Open a ledger and find its header: the first of the top rows naming the most known
    columns. Blank rows are skipped without counting as rejects. `what` and `example` name
    the kind of sheet in the message when no header is found."""
    notes: list[str] = []
    kind = _kind(path)
    if kind == "zip":
        _check_workbook_size(path)
    elif kind == "text":
        _check_text_size(path)
    rows = _csv_rows(path, _csv_encoding(path)) if kind == "text" else _workbook_rows(path, notes)
    looked: list[tuple[int, list[Any]]] = []
    for number, row in rows:
        looked.append((number, row))
        if len(looked) >= HEADER_SEARCH_ROWS:
            break
    scored = [
        (sum(cell_text(c) in known_headers for c in row), number, row) for number, row in looked
    ]
    best = max(scored, default=(0, 0, []), key=lambda item: (item[0], -item[1]))
    if best[0] < 2:
        raise ImportFileError(
            f"前 10 行中找不到表头：请确认第一个工作表是{what}，并且列名与模板一致（如 {example}）"
        )
    _, header_row, header_cells = best
    header = [cell_text(c) for c in header_cells]
    after = [(n, r) for n, r in looked if n > header_row]

    def data_rows() -> Iterator[tuple[int, list[Any]]]:
        for number, row in itertools.chain(after, rows):
            if not _is_blank(row):
                yield number, row

    return Table(header=header, header_row=header_row, rows=data_rows(), notes=notes)


def count_rows(path: Source) -> int | None:
    """Data rows, roughly, for the progress bar; None when counting would cost a full parse."""
    if _kind(path) != "text":
        return None
    with _binary(path) as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
