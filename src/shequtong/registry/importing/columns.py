"""The person ledger's columns: the Chinese headers communities write, and how each cell is
read. Every reader returns the cleaned value or raises ValidationError with a message that,
prefixed by the row and the column, tells the person at the counter what to fix."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from shequtong.core import vault

from ..choices import (
    EDUCATIONS,
    ETHNICITIES,
    POLITICAL_STATUSES,
    RELATIONSHIP_SYNONYMS,
    RELATIONSHIPS,
    DwellingUsage,
    Gender,
    Residency,
)
from ..services import floor_from_number
from .readers import cell_text


@dataclass(frozen=True)
class Column:
    field: str
    label: str  # the template's header
    synonyms: tuple[str, ...] = ()
    required: bool = False


PERSON_COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("名字", "居民姓名"), required=True),
    Column("gender", "性别"),
    Column("id_number", "身份证号", ("身份证号码", "公民身份号码", "证件号码"), required=True),
    Column("birth_date", "出生日期", ("出生年月",)),
    Column("ethnicity", "民族"),
    Column("phone", "联系电话", ("手机", "手机号", "手机号码", "电话", "联系方式")),
    Column("estate", "小区", ("小区名称", "院落", "小区/院落"), required=True),
    Column("building", "楼栋", ("楼号", "栋", "楼栋号", "幢"), required=True),
    Column("unit", "单元", ("单元号",)),
    Column("number", "房号", ("门牌号", "室", "房间号", "户号"), required=True),
    Column("floor_area", "建筑面积", ("面积", "房屋面积")),
    Column("usage", "房屋用途", ("居住类型", "房屋性质")),
    Column("grid", "网格", ("所属网格",)),
    Column("relationship", "与户主关系", ("关系", "家庭关系")),
    Column("residency", "人员类型", ("户籍类型", "人口类型", "人员类别")),
    Column("hukou_address", "户籍地址", ("户籍地", "户籍所在地")),
    Column("occupation", "职业", ("工作单位",)),
    Column("education", "文化程度", ("学历",)),
    Column(
        "political_status",
        "政治面貌",
    ),
    Column("moved_in_on", "迁入日期", ("入住日期", "登记日期")),
    Column("tags", "特殊人群", ("人群标签", "重点人群", "特殊群体", "标签")),
)

HEADERS: dict[str, Column] = {
    name: column for column in PERSON_COLUMNS for name in (column.label, *column.synonyms)
}
BY_FIELD: dict[str, Column] = {column.field: column for column in PERSON_COLUMNS}


def read_text(value: Any, *, max_length: int) -> str:
    text = cell_text(value)
    if len(text) > max_length:
        raise ValidationError(f"最多 {max_length} 个字")
    return text


def read_name(value: Any) -> str:
    name = re.sub(r"\s+", "", cell_text(value))
    if not name:
        raise ValidationError("必填")
    if len(name) > 32:
        raise ValidationError("姓名最多 32 个字")
    if re.search(r"[0-9@#$%^&*=+<>{}\[\]|\\/]", name):
        raise ValidationError(f"姓名“{name}”含有数字或符号")
    return name


_EXCEL_EPOCH = date(1899, 12, 30)


def read_date(value: Any) -> date | None:
    """Dates as ledgers hold them: real date cells, 2020-01-02, 2020/1/2, 2020.1.2, 20200102,
    2020年1月2日, or an Excel serial number that lost its date format."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float | int) and 10_000 < value < 80_000:
        return _EXCEL_EPOCH + timedelta(days=int(value))
    text = vault._halfwidth(cell_text(value))
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", text
    )
    if not match:
        raise ValidationError(f"日期“{text}”无法识别，请写成 2020-01-02")
    try:
        day = date(*(int(part) for part in match.groups()))
    except ValueError as exc:
        raise ValidationError(f"日期“{text}”不存在") from exc
    if day > date.today():
        raise ValidationError(f"日期“{text}”晚于今天")
    return day


def _chooser(choices: list[tuple[str, str]], what: str, **extra: str) -> Callable[[Any], str]:
    """A reader of a coded column: its label, its code or a synonym gives the code. The table
    is built here, once, not for every cell of a million rows."""
    table = {label: code for code, label in choices} | {code: code for code, _ in choices} | extra

    def read(value: Any) -> str:
        text = cell_text(value)
        if not text:
            return ""
        found = table.get(text) or table.get(text.removesuffix("族"))
        if found is None:
            raise ValidationError(f"{what}“{text}”不在代码表中")
        return found

    return read


read_ethnicity = _chooser(
    ETHNICITIES, "民族", **{label.removesuffix("族"): code for code, label in ETHNICITIES}
)
read_relationship = _chooser(RELATIONSHIPS, "与户主关系", **RELATIONSHIP_SYNONYMS)
read_education = _chooser(
    EDUCATIONS,
    "文化程度",
    本科="20",
    大专="30",
    专科="30",
    中专="40",
    高中="60",
    硕士="10",
    博士="10",
    文盲="90",
    半文盲="90",
)
read_political_status = _chooser(
    POLITICAL_STATUSES, "政治面貌", 党员="01", 团员="03", 预备党员="02"
)
read_gender = _chooser(Gender.choices, "性别", 男性=Gender.MALE, 女性=Gender.FEMALE)
_read_residency = _chooser(
    Residency.choices,
    "人员类型",
    户籍=Residency.REGISTERED,
    常住=Residency.REGISTERED,
    流动=Residency.FLOATING,
    外来=Residency.FLOATING,
    外来人口=Residency.FLOATING,
    暂住=Residency.FLOATING,
    寄住=Residency.OTHER,
    境外=Residency.OTHER,
)


read_usage = _chooser(
    DwellingUsage.choices,
    "房屋用途",
    自住房=DwellingUsage.SELF_OCCUPIED,
    出租房=DwellingUsage.RENTED,
    租住=DwellingUsage.RENTED,
    闲置=DwellingUsage.VACANT,
    商铺=DwellingUsage.COMMERCIAL,
    经营=DwellingUsage.COMMERCIAL,
)


def read_residency(value: Any) -> str:
    """A blank 人员类型 means registered: most ledgers only mark the floating population."""
    return _read_residency(value) or Residency.REGISTERED


def read_phone(value: Any) -> str:
    text = cell_text(value)
    if not text:
        return ""
    return vault.validate_phone(text)


_CN_DIGITS = dict(zip("一二三四五六七八九十", range(1, 11), strict=True))


def read_unit(value: Any) -> int:
    text = cell_text(value).removesuffix("单元")
    if not text:
        return 1
    if text in _CN_DIGITS:
        return _CN_DIGITS[text]
    if not text.isdigit() or not 0 < int(text) < 100:
        raise ValidationError(f"单元“{cell_text(value)}”应为 1–99 的数字")
    return int(text)


def read_building(value: Any) -> str:
    """ "3", "3栋", "3号楼", "3幢" are one building: stored as "3栋"."""
    text = re.sub(r"\s+", "", cell_text(value))
    if not text:
        raise ValidationError("必填")
    core = re.sub(r"(号楼|号|栋|幢|楼)$", "", text)
    if not core or len(core) > 16:
        raise ValidationError(f"楼栋“{text}”无法识别")
    return f"{core}栋"


def read_room(value: Any) -> str:
    text = re.sub(r"\s+", "", cell_text(value)).removesuffix("室").removesuffix("号")
    if not text:
        raise ValidationError("必填")
    if len(text) > 16:
        raise ValidationError(f"房号“{text}”过长")
    floor_from_number(text)  # the floor it implies must be one a building has
    return text


def read_floor_area(value: Any) -> Decimal | None:
    text = cell_text(value).removesuffix("㎡").removesuffix("m²").removesuffix("平方米")
    if not text:
        return None
    try:
        area = Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise ValidationError(f"面积“{text}”不是数字") from exc
    if not 0 < area < 100_000:
        raise ValidationError(f"面积“{text}”超出合理范围")
    return area


def split_tags(value: Any) -> list[str]:
    return [t for t in re.split(r"[,，、;；/\s]+", cell_text(value)) if t]
