"""12345 work orders from real .xlsx and GBK CSV exports: one case per order number, every
rejected row named, a re-import changes nothing."""

from __future__ import annotations

import csv
from io import StringIO

import prcoords
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from shequtong.cases.choices import CaseSource
from shequtong.cases.hotline import import_hotline
from shequtong.cases.models import Case
from shequtong.core.choices import Role
from shequtong.core.errors import DomainError

from .factories import IN_A1A

pytestmark = pytest.mark.django_db

HEADER = [
    "工单编号",
    "受理时间",
    "诉求类型",
    "诉求内容",
    "事发地址",
    "来电人",
    "联系电话",
    "所属社区",
    "经度",
    "纬度",
]
GCJ = prcoords.wgs_gcj(prcoords.Coords(IN_A1A[1], IN_A1A[0]))


def rows() -> list[list[object]]:
    return [
        [
            "GD001",
            "2026-11-20 09:12",
            "投诉",
            "楼下烧烤摊油烟大",
            "",
            "王先生",
            "13800001111",
            "",
            GCJ.lon,
            GCJ.lat,
        ],
        [
            "GD002",
            "2026-11-20 10:30",
            "求助",
            "独居老人家中停水",
            "幸福路 8 号",
            "李女士",
            "13800002222",
            "甲一社区",
            "",
            "",
        ],
        [
            "GD001",
            "2026-11-20 09:12",
            "投诉",
            "楼下烧烤摊油烟大",
            "",
            "王先生",
            "13800001111",
            "",
            GCJ.lon,
            GCJ.lat,
        ],
        ["GD003", "2026-11-20 11:00", "投诉", "", "", "", "", "甲一社区", "", ""],
        ["GD004", "2026-11-20 11:30", "表扬", "谢谢工作人员", "", "", "", "甲一社区", "", ""],
        ["GD005", "2026-11-20 12:00", "咨询", "低保怎么申请", "", "", "", "不存在社区", "", ""],
        ["GD006", "2026-11-20 12:30", "投诉", "路灯不亮", "", "", "", "乙一社区", "", ""],
    ]


def xlsx(path, data) -> object:
    book = Workbook()
    sheet = book.active
    sheet.append(["12345 热线工单导出（2026-11-20）"])  # a title row above the header
    sheet.append(HEADER)
    for row in data:
        sheet.append(row)
    book.save(path)
    return path


def test_an_export_becomes_cases_once(tree, user_with, tmp_path):
    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    path = xlsx(tmp_path / "工单.xlsx", rows())

    result = import_hotline(actor=staff, path=path)

    assert (result.rows, result.created, result.already) == (7, 2, 1)
    assert [(r, c) for r, c, _ in result.rejected] == [
        (6, "诉求内容"),
        (7, "诉求类型"),
        (8, "所属社区"),
        (9, "所属社区"),
    ]
    reasons = [m for _, _, m in result.rejected]
    assert "诉求内容为空" in reasons[0] and "表扬" in reasons[1]
    assert "不存在社区" in reasons[2] and "不在您的管辖范围" in reasons[3]
    by_order = {c.external_id: c for c in Case.objects.all()}
    assert by_order["GD001"].area == tree.grid_a1a  # GCJ-02 converted, then found in its grid
    assert by_order["GD001"].category.code == "hotline-complaint"
    assert by_order["GD002"].area == tree.comm_a1 and by_order["GD002"].source == CaseSource.HOTLINE
    assert by_order["GD002"].reporter_phone == "13800002222"

    again = import_hotline(actor=staff, path=path)
    assert (again.created, again.already, len(again.rejected)) == (0, 3, 4)
    assert Case.objects.count() == 2


def test_the_command_reads_a_gbk_csv(tree, tmp_path):
    path = tmp_path / "工单.csv"
    buffer = StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows()[:2])
    path.write_bytes(buffer.getvalue().encode("gbk"))
    out = StringIO()
    call_command("cases", "import-hotline", str(path), stdout=out)
    assert "新建事件 2 件" in out.getvalue()

    bad = tmp_path / "bad.csv"
    bad.write_text("姓名,电话\n张三,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="找不到表头"):
        call_command("cases", "import-hotline", str(bad), stdout=StringIO())


def test_a_file_without_the_order_column_is_refused(tree, tmp_path):
    book = Workbook()
    book.active.append(["诉求类型", "诉求内容", "事发地址"])
    book.active.append(["投诉", "噪音", "某地"])
    book.save(tmp_path / "x.xlsx")
    with pytest.raises(DomainError, match="缺少必需列：工单编号"):
        import_hotline(actor=None, path=tmp_path / "x.xlsx")


def test_the_console_page_imports_and_reports(client, tree, user_with, tmp_path):
    client.force_login(user_with(Role.COMMUNITY_STAFF, tree.comm_a1))
    path = xlsx(tmp_path / "工单.xlsx", rows())
    with path.open("rb") as handle:
        page = client.post(reverse("cases:hotline_import"), {"file": handle, "coords": "gcj02"})
    text = page.content.decode()
    assert page.status_code == 200 and "新建的事件" in text and "第 6 行" in text
    assert Case.objects.count() == 2


def test_a_binary_export_is_refused_in_chinese(tree, user_with, tmp_path):
    from shequtong.core.errors import DomainError

    staff = user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
    path = tmp_path / "工单.csv"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(DomainError) as refused:
        import_hotline(actor=staff, path=path)
    assert "UnboundLocalError" not in refused.value.message
