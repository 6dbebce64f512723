"""Parts every console page shares: breadcrumbs, pagination, the area switcher's narrowing,
and streamed CSV and .xlsx downloads (their cells neutralised by `core.exports`)."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from openpyxl import Workbook

from shequtong.core.exports import csv_row, xlsx_row

from .scope import current_scope

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Crumb:
    label: str
    url: str | None = None


def paginate(
    request: HttpRequest, rows: QuerySet[Any] | Sequence[Any], size: int = PAGE_SIZE
) -> Page:
    return Paginator(rows, size).get_page(request.GET.get("page"))


def within_scope(request: HttpRequest, queryset: QuerySet[Any], path_field: str) -> QuerySet[Any]:
    """Narrow a scoped list to the area the switcher is set to, if any."""
    area = current_scope(request)
    return queryset.filter(**{f"{path_field}__startswith": area.path}) if area else queryset


def _disposition(filename: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(filename)}"


def csv_response(filename: str, header: list[str], rows: Iterable[list[Any]]) -> HttpResponse:
    """Streamed, with a BOM so that Excel on a Chinese Windows opens it as UTF-8."""

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())

    def lines() -> Iterable[str]:
        yield "\ufeff" + writer.writerow(csv_row(header))
        for row in rows:
            yield writer.writerow(csv_row(row))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _disposition(filename)
    return response


def xlsx_workbook(header: list[str], rows: Iterable[list[Any]], title: str) -> Workbook:
    """A write-only workbook: rows go to disk as they come, so a big export stays small."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    sheet.append(xlsx_row(sheet, header))
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
    return book


def xlsx_response(filename: str, book: Workbook) -> FileResponse:
    spool = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse closes it when sent
    book.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX)
